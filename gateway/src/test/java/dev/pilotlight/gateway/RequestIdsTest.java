package dev.pilotlight.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RequestIdsTest {
  @Test
  void idsAreVersion4UuidsInLambdasFormAndDoNotRepeat() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 100_000; i++) {
      String id = RequestIds.next();
      assertThat(id).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
      UUID u = UUID.fromString(id);
      assertThat(u.version()).isEqualTo(4);
      assertThat(u.variant()).isEqualTo(2);
      assertThat(seen.add(id)).isTrue();
    }
  }

  @Test
  void reportDurationsHaveTwoDecimalsRoundedHalfUp() {
    assertThat(FunctionInvoker.twoDecimals(0)).isEqualTo("0.00");
    assertThat(FunctionInvoker.twoDecimals(3.14159)).isEqualTo("3.14");
    assertThat(FunctionInvoker.twoDecimals(2.005001)).isEqualTo("2.01");
    assertThat(FunctionInvoker.twoDecimals(0.07)).isEqualTo("0.07");
    assertThat(FunctionInvoker.twoDecimals(1234.5)).isEqualTo("1234.50");
    assertThat(FunctionInvoker.twoDecimals(9.999)).isEqualTo("10.00");
  }
}
