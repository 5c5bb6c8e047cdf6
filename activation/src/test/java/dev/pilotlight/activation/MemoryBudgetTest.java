package dev.pilotlight.activation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The node's one memory owner: instances reserve, the pool is counted, both answer to one limit. */
class MemoryBudgetTest {
  @Test
  void instancesAndThePoolShareOneLimit() {
    AtomicLong pool = new AtomicLong();
    MemoryBudget budget = new MemoryBudget(1024);
    assertThat(budget.fits(1024)).as("nothing counted yet").isTrue();

    budget.countPool(pool::get);
    pool.set(256);

    assertThat(budget.tryReserve(512)).isTrue();
    assertThat(budget.usedMb()).isEqualTo(768);
    assertThat(budget.fits(256)).as("a pool runner that just fits").isTrue();
    assertThat(budget.fits(257)).isFalse();
    assertThat(budget.tryReserve(257)).as("an instance the pool's runners leave no room for").isFalse();
    assertThat(budget.describe()).isEqualTo("768 of 1024 MB in use (instances 512 MB, warm pool 256 MB)");

    pool.set(0); // the pool's runners were taken or stopped
    assertThat(budget.tryReserve(512)).isTrue();
    budget.release(512);
    assertThat(budget.instancesMb()).isEqualTo(512);
  }

  @Test
  void aReservationHoldsBackWhatItsFunctionDoesNotUseFromEveryoneElse() {
    MemoryBudget budget = new MemoryBudget(1024);
    budget.reserveFor("reserved", 512);

    assertThat(budget.tryReserve("other", 512)).isTrue();
    assertThat(budget.tryReserve("other", 256)).as("the reserved function's 512 MB are held back").isFalse();
    assertThat(budget.fits(1)).as("from the warm pool too").isFalse();
    assertThat(budget.tryReserve("reserved", 256)).as("its own launches use it").isTrue();
    assertThat(budget.tryReserve("other", 256)).as("still 256 MB held back for it").isFalse();
    assertThat(budget.tryReserve("reserved", 256)).isTrue();
    budget.release("reserved", 256);
    assertThat(budget.tryReserve("other", 256)).as("an instance of it stopped: its memory is held for it again").isFalse();

    budget.reserveFor("reserved", 0); // DeleteFunctionConcurrency
    assertThat(budget.tryReserve("other", 256)).isTrue();
    assertThat(budget.instancesMb()).isEqualTo(1024);
  }

  @Test
  void releasingTellsTheListenerThatRoomWasMade() {
    MemoryBudget budget = new MemoryBudget(256);
    AtomicLong told = new AtomicLong();
    budget.onRelease(told::incrementAndGet);

    budget.tryReserve(256);
    budget.release(256);

    assertThat(told).hasValue(1);
    assertThat(budget.fits(256)).isTrue();
  }

  @Test
  void thePoolIsCountedOnceAndTheLimitIsPositive() {
    MemoryBudget budget = new MemoryBudget(512, () -> 0);

    assertThatThrownBy(() -> budget.countPool(() -> 1)).isInstanceOf(IllegalStateException.class)
        .hasMessage("the warm pool is counted already");
    assertThatThrownBy(() -> new MemoryBudget(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("memory budget: 0 MB (expected: >= 1)");
    assertThat(MemoryBudget.unlimited().describe()).isEqualTo("0 of unlimited MB in use (instances 0 MB, warm pool 0 MB)");
  }
}
