package dev.pilotlight.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pilotlight.model.auth.Role;
import io.netty.handler.codec.http.HttpMethod;
import java.util.List;
import org.junit.jupiter.api.Test;

class AccessRuleTest {
  @Test
  void credentialsNeedAdmin() {
    assertThat(AccessRule.controlApi(HttpMethod.GET, "/tokens")).isEqualTo(Role.ADMIN);
    assertThat(AccessRule.controlApi(HttpMethod.POST, "/keys")).isEqualTo(Role.ADMIN);
    assertThat(AccessRule.controlApi(HttpMethod.DELETE, "/keys/PLAKX")).isEqualTo(Role.ADMIN);
  }

  @Test
  void secretsNeedDeployWhateverTheMethod() {
    for (HttpMethod m : new HttpMethod[] {HttpMethod.GET, HttpMethod.PUT, HttpMethod.POST, HttpMethod.DELETE}) {
      assertThat(AccessRule.controlApi(m, "/secrets")).isEqualTo(Role.DEPLOY);
      assertThat(AccessRule.controlApi(m, "/secrets/invoke")).isEqualTo(Role.DEPLOY);
    }
  }

  @Test
  void invokingNeedsInvokeAndTheRestDeploy() {
    assertThat(AccessRule.controlApi(HttpMethod.POST, "/functions/f/invoke")).isEqualTo(Role.INVOKE);
    assertThat(AccessRule.controlApi(HttpMethod.GET, "/functions/f/invoke")).isEqualTo(Role.DEPLOY);
    assertThat(AccessRule.controlApi(HttpMethod.PUT, "/functions/f")).isEqualTo(Role.DEPLOY);
    assertThat(AccessRule.controlApi(HttpMethod.GET, "/functions/f/logs")).isEqualTo(Role.DEPLOY);
    assertThat(AccessRule.controlApi(HttpMethod.POST, "/functions/f/schedules")).isEqualTo(Role.DEPLOY);
    assertThat(AccessRule.controlApi(HttpMethod.DELETE, "/functions/f/schedules/s")).isEqualTo(Role.DEPLOY);
    assertThat(AccessRule.controlApi(HttpMethod.POST, "/functions/f/event-sources")).isEqualTo(Role.DEPLOY);
    assertThat(AccessRule.controlApi(HttpMethod.POST, "/functions/f/event-sources/u/pause")).isEqualTo(Role.DEPLOY);
    assertThat(AccessRule.controlApi(HttpMethod.PATCH, "/functions/f/event-sources/u")).isEqualTo(Role.DEPLOY);
    assertThat(AccessRule.lambdaApi(HttpMethod.POST, "/functions/f/invocations")).isEqualTo(Role.INVOKE);
    assertThat(AccessRule.lambdaApi(HttpMethod.POST, "/functions")).isEqualTo(Role.DEPLOY);
    assertThat(AccessRule.lambdaApi(HttpMethod.GET, "/functions/f")).isEqualTo(Role.DEPLOY);
    assertThat(AccessRule.lambdaApi(HttpMethod.PUT, "/2019-09-25/functions/f/event-invoke-config")).isEqualTo(Role.DEPLOY);
    assertThat(AccessRule.lambdaApi(HttpMethod.GET, "/2019-09-25/functions/f/event-invoke-config/list")).isEqualTo(Role.DEPLOY);
    for (String path : List.of("/2017-03-31/tags/arn:aws:lambda:us-east-1:000000000000:function:f", "/2017-10-31/functions/f/concurrency",
        "/2019-09-30/functions/f/concurrency", "/2016-08-19/account-settings/", "/2018-10-31/layers", "/functions/f/policy",
        "/functions/f/policy/sid", "/2020-04-22/code-signing-configs/")) {
      for (HttpMethod m : List.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.DELETE)) {
        assertThat(AccessRule.lambdaApi(m, path)).as(m + " " + path).isEqualTo(Role.DEPLOY);
      }
    }
    assertThat(AccessRule.metrics()).isEqualTo(Role.DEPLOY);
  }

  @Test
  void rolesIncludeTheOnesBelow() {
    assertThat(Role.ADMIN.allows(Role.DEPLOY)).isTrue();
    assertThat(Role.DEPLOY.allows(Role.INVOKE)).isTrue();
    assertThat(Role.INVOKE.allows(Role.DEPLOY)).isFalse();
    assertThat(Role.DEPLOY.allows(Role.ADMIN)).isFalse();
  }
}
