package dev.pilotlight.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RuntimeTest {

  @ParameterizedTest
  @CsvSource({
      "java, JAVA", "java8.al2, JAVA", "java11, JAVA", "java17, JAVA", "java21, JAVA", "JAVA25, JAVA",
      "python, PYTHON", "python3, PYTHON", "python3.8, PYTHON", "python3.12, PYTHON", "python3.13, PYTHON", "python3.14, PYTHON",
      "node, NODE", "nodejs, NODE", "nodejs18.x, NODE", "nodejs20.x, NODE", "nodejs22.x, NODE", "nodejs24.x, NODE",
      "provided, PROVIDED", "provided.al2, PROVIDED", "' provided.al2023 ', PROVIDED",
      "http, HTTP"})
  void parsesIdsAndAwsAliases(String value, Runtime expected) {
    assertThat(Runtime.parse(value)).isEqualTo(expected);
  }

  @Test
  void everyRuntimeExceptHttpSpeaksTheRuntimeApi() {
    assertThat(Runtime.JAVA.lambdaStyle()).isTrue();
    assertThat(Runtime.PYTHON.lambdaStyle()).isTrue();
    assertThat(Runtime.NODE.lambdaStyle()).isTrue();
    assertThat(Runtime.PROVIDED.lambdaStyle()).isTrue();
    assertThat(Runtime.HTTP.lambdaStyle()).isFalse();
  }

  @Test
  void unknownRuntimesAreRefusedWithEveryAcceptedValue() {
    assertThatThrownBy(() -> Runtime.parse("python2.7"))
        .isInstanceOf(Failure.InvalidInput.class)
        .hasMessageStartingWith("runtime: 'python2.7' is not supported (expected one of: java, java8.al2, java11, java17")
        .hasMessageContaining("python3.12")
        .hasMessageContaining("nodejs20.x")
        .hasMessageContaining("provided.al2023")
        .hasMessageEndingWith("http)");
    assertThatThrownBy(() -> Runtime.parse(" ")).hasMessageStartingWith("runtime is missing (expected one of: ");
  }

  @Test
  void acceptedListsIdsFollowedByTheirAliases() {
    assertThat(Runtime.accepted()).isEqualTo("java, java8.al2, java11, java17, java21, java25, "
        + "python, python3, python3.8, python3.9, python3.10, python3.11, python3.12, python3.13, python3.14, "
        + "node, nodejs, nodejs18.x, nodejs20.x, nodejs22.x, nodejs24.x, provided, provided.al2, provided.al2023, http");
  }

  @Test
  void awsIdentifiersAreTheLambdaNamesOfEachFamily() {
    assertThat(Runtime.JAVA.awsIdentifiers()).containsExactly("java8.al2", "java11", "java17", "java21", "java25");
    assertThat(Runtime.NODE.awsIdentifiers()).containsExactly("nodejs18.x", "nodejs20.x", "nodejs22.x", "nodejs24.x");
    assertThat(Runtime.PYTHON.awsIdentifiers()).doesNotContain("python3").contains("python3.9", "python3.14");
    assertThat(Runtime.PROVIDED.awsIdentifiers()).containsExactly("provided", "provided.al2", "provided.al2023");
    assertThat(Runtime.HTTP.awsIdentifiers()).isEmpty();
  }
}
