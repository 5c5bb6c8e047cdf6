package dev.pilotlight.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeConcurrencyTest {
  private static FunctionSpec fn(String name, int memoryMb, Integer reserved) {
    return FunctionSpec.builder().name(name).runtime(Runtime.NODE).handler("index.handler").memoryMb(memoryMb).maxInstances(1000)
        .reservedConcurrency(reserved).build();
  }

  @Test
  void totalIsTheBudgetInDefaultSizedExecutions() {
    assertThat(new NodeConcurrency(4096).total()).isEqualTo(32);
    assertThat(new NodeConcurrency(100).total()).isEqualTo(1);
    assertThat(new NodeConcurrency(Long.MAX_VALUE).total()).isEqualTo(Integer.MAX_VALUE);
    assertThat(new NodeConcurrency(4096).minimumUnreserved()).isEqualTo(3);
  }

  @Test
  void unreservedCountsEachReservationsMemory() {
    NodeConcurrency node = new NodeConcurrency(4096); // 32 units
    assertThat(node.unreserved(List.of(fn("a", 128, 4), fn("b", 256, 2), fn("c", 128, null)))).isEqualTo(32 - 4 - 4);
  }

  @Test
  void aReservationThatLeavesTooLittleUnreservedIsRefusedAsLambdaRefusesIt() {
    NodeConcurrency node = new NodeConcurrency(4096); // 32 units, 3 kept unreserved
    List<FunctionSpec> others = List.of(fn("a", 128, 20), fn("b", 128, 5));
    node.checkReservation(fn("b", 128, 9), others); // b's own earlier reservation does not count: 20 + 9 leaves 3
    assertThatThrownBy(() -> node.checkReservation(fn("b", 128, 10), others))
        .isInstanceOf(Failure.InvalidInput.class)
        .hasMessageStartingWith("Specified ReservedConcurrentExecutions for function decreases account's "
            + "UnreservedConcurrentExecution below its minimum value of [3]");
    node.checkReservation(fn("c", 128, null), others); // no reservation: nothing to check
  }

  @Test
  void reservedConcurrencyCapsInstancesAndGuaranteesThem() {
    FunctionSpec s = FunctionSpec.builder().name("f").runtime(Runtime.NODE).handler("index.handler").concurrency(2).minInstances(1)
        .maxInstances(10).reservedConcurrency(5).build();
    assertThat(s.reservedInstances()).isEqualTo(3);
    assertThat(s.instanceCap()).isEqualTo(3);
    assertThat(s.guaranteedInstances()).isEqualTo(3);
    assertThat(s.reservedMemoryMb()).isEqualTo(3L * s.memoryMb());
    FunctionSpec none = s.toBuilder().reservedConcurrency(null).build();
    assertThat(none.instanceCap()).isEqualTo(10);
    assertThat(none.guaranteedInstances()).isEqualTo(1);
    FunctionSpec zero = s.toBuilder().minInstances(0).reservedConcurrency(0).build();
    assertThat(zero.instanceCap()).as("reserved 0 stops the function, as on Lambda").isZero();
  }

  @Test
  void awsRuntimeMustBelongToTheFamilyAndTagsAreChecked() {
    FunctionSpec s = FunctionSpec.builder().name("f").runtime(Runtime.NODE).handler("index.handler").awsRuntime("nodejs22.x")
        .tags(Map.of("team", "core")).build();
    assertThat(s.awsRuntime()).isEqualTo("nodejs22.x");
    assertThatThrownBy(() -> s.toBuilder().awsRuntime("python3.14").build())
        .hasMessageStartingWith("awsRuntime: 'python3.14' is not a runtime of family node");
    assertThatThrownBy(() -> s.toBuilder().tags(Map.of("aws:x", "1")).build()).hasMessageContaining("reserved");
    assertThat(s.toBuilder().awsRuntime("NODEJS24.X").build().awsRuntime()).isEqualTo("nodejs24.x");
    assertThat(s.toBuilder().awsRuntime("node").build().awsRuntime()).as("a family name is no Lambda identifier").isNull();
  }
}
