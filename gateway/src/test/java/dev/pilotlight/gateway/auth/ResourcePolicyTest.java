package dev.pilotlight.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Statements as AddPermission stores them, evaluated for a function's own key. */
class ResourcePolicyTest {
  static final String FN = "arn:aws:lambda:us-east-1:000000000000:function:orders";
  static final String CALLER = "arn:aws:iam::000000000000:role/billing";

  static ResourcePolicy.Request invoke(String resource) {
    return new ResourcePolicy.Request(CALLER, "lambda:InvokeFunction", resource, null);
  }

  static String allow(String principal, String action, String resource, String condition) {
    return "{\"Sid\":\"s\",\"Effect\":\"Allow\",\"Principal\":" + principal + ",\"Action\":\"" + action + "\",\"Resource\":\"" + resource + "\""
        + (condition == null ? "" : ",\"Condition\":" + condition) + "}";
  }

  @Test
  void noPolicyAllowsNothing() {
    assertThat(ResourcePolicy.allows(List.of(), invoke(FN))).isFalse();
  }

  @Test
  void theCallersRoleOrEveryoneIsGranted() {
    assertThat(ResourcePolicy.allows(List.of(allow("{\"AWS\":\"" + CALLER + "\"}", "lambda:InvokeFunction", FN, null)), invoke(FN))).isTrue();
    assertThat(ResourcePolicy.allows(List.of(allow("\"*\"", "lambda:InvokeFunction", FN, null)), invoke(FN))).isTrue();
    assertThat(ResourcePolicy.allows(List.of(allow("{\"AWS\":[\"arn:aws:iam::000000000000:role/x\",\"" + CALLER + "\"]}", "lambda:*", FN, null)),
        invoke(FN))).isTrue();
    // another role, the account (delegates to identity policies a function's key does not have), a service
    assertThat(ResourcePolicy.allows(List.of(allow("{\"AWS\":\"arn:aws:iam::000000000000:role/other\"}", "lambda:InvokeFunction", FN, null)),
        invoke(FN))).isFalse();
    assertThat(ResourcePolicy.allows(List.of(allow("{\"AWS\":\"arn:aws:iam::000000000000:root\"}", "lambda:InvokeFunction", FN, null)),
        invoke(FN))).isFalse();
    assertThat(ResourcePolicy.allows(List.of(allow("{\"Service\":\"s3.amazonaws.com\"}", "lambda:InvokeFunction", FN, null)), invoke(FN)))
        .isFalse();
  }

  @Test
  void actionsAndResourcesMatchAsIamMatchesThem() {
    assertThat(ResourcePolicy.allows(List.of(allow("\"*\"", "lambda:InvokeFunctionUrl", FN, null)), invoke(FN))).isFalse();
    assertThat(ResourcePolicy.allows(List.of(allow("\"*\"", "lambda:invoke*", FN, null)), invoke(FN))).isTrue();
    // a statement for an alias grants the alias, not the function or another alias
    assertThat(ResourcePolicy.allows(List.of(allow("\"*\"", "lambda:InvokeFunction", FN + ":live", null)), invoke(FN + ":live"))).isTrue();
    assertThat(ResourcePolicy.allows(List.of(allow("\"*\"", "lambda:InvokeFunction", FN + ":live", null)), invoke(FN))).isFalse();
    assertThat(ResourcePolicy.allows(List.of(allow("\"*\"", "lambda:InvokeFunction", FN + ":live", null)), invoke(FN + ":test"))).isFalse();
    assertThat(ResourcePolicy.allows(List.of(allow("\"*\"", "lambda:InvokeFunction", FN + ":*", null)), invoke(FN + ":test"))).isTrue();
    assertThat(ResourcePolicy.allows(List.of(allow("\"*\"", "lambda:InvokeFunction", FN, null)),
        invoke("arn:aws:lambda:us-east-1:000000000000:function:orders-admin"))).isFalse();
  }

  @Test
  void conditionsHoldOnlyWhereTheirValueIsKnown() {
    String viaUrl = "{\"StringEquals\":{\"lambda:FunctionUrlAuthType\":\"AWS_IAM\"}}";
    ResourcePolicy.Request url = new ResourcePolicy.Request(CALLER, "lambda:InvokeFunctionUrl", FN, "AWS_IAM");
    assertThat(ResourcePolicy.allows(List.of(allow("\"*\"", "lambda:InvokeFunctionUrl", FN, viaUrl)), url)).isTrue();
    assertThat(ResourcePolicy.allows(List.of(allow("\"*\"", "lambda:InvokeFunctionUrl", FN,
        "{\"StringEquals\":{\"lambda:FunctionUrlAuthType\":\"NONE\"}}")), url)).isFalse();
    // source ARN and account conditions are about AWS services calling: never shown here, so never granted
    assertThat(ResourcePolicy.allows(List.of(allow("\"*\"", "lambda:InvokeFunction", FN,
        "{\"ArnLike\":{\"AWS:SourceArn\":\"arn:aws:s3:::bucket\"}}")), invoke(FN))).isFalse();
  }

  @Test
  void aDenyWinsAndGarbageAppliesToNothing() {
    String deny = "{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"lambda:*\",\"Resource\":\"*\"}";
    assertThat(ResourcePolicy.allows(List.of(allow("\"*\"", "lambda:InvokeFunction", FN, null), deny), invoke(FN))).isFalse();
    assertThat(ResourcePolicy.allows(List.of("not json", "[]"), invoke(FN))).isFalse();
  }

  @Test
  void globs() {
    assertThat(ResourcePolicy.glob("a*c", "abbbc", false)).isTrue();
    assertThat(ResourcePolicy.glob("a?c", "abc", false)).isTrue();
    assertThat(ResourcePolicy.glob("a?c", "abbc", false)).isFalse();
    assertThat(ResourcePolicy.glob("*", "", false)).isTrue();
    assertThat(ResourcePolicy.glob("LAMBDA:Invoke*", "lambda:invokefunction", true)).isTrue();
  }
}
