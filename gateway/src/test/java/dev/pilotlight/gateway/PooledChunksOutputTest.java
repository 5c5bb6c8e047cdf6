package dev.pilotlight.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Bytes written in pieces of every size come out whole and in order, across chunk boundaries; every chunk is given back. */
class PooledChunksOutputTest {
  final PooledByteBufAllocator alloc = new PooledByteBufAllocator(true);

  @Test
  void whatIsWrittenComesOutWholeAndInOrder() {
    Random random = new Random(7);
    PooledChunksOutput out = new PooledChunksOutput(alloc);
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    int written = 0;
    while (written < 3 * PooledChunksOutput.CHUNK + 123) {
      int len = random.nextInt(3) == 0 ? 1 : random.nextInt(9_000); // Jackson writes up to 8,000 at a time, single bytes too
      byte[] piece = new byte[len];
      random.nextBytes(piece);
      if (len == 1) {
        out.write(piece[0]);
      } else {
        out.write(piece, 0, len);
      }
      expected.write(piece, 0, len);
      written += len;
    }
    out.write(new byte[PooledChunksOutput.CHUNK * 2 + 5], 0, PooledChunksOutput.CHUNK * 2 + 5); // one write larger than a chunk
    expected.write(new byte[PooledChunksOutput.CHUNK * 2 + 5], 0, PooledChunksOutput.CHUNK * 2 + 5);

    ByteBuf all = out.finish();
    assertThat(ByteBufUtil.getBytes(all)).isEqualTo(expected.toByteArray());
    assertThat(all.release()).isTrue();
  }

  @Test
  void nothingWrittenIsAnEmptyBufferAndAReleaseGivesEveryChunkBack() {
    ByteBuf none = new PooledChunksOutput(alloc).finish();
    assertThat(none.readableBytes()).isZero();
    assertThat(none.release()).isTrue();

    UnpooledByteBufAllocator counted = new UnpooledByteBufAllocator(true); // its metric counts the direct memory not yet released
    PooledChunksOutput abandoned = new PooledChunksOutput(counted);
    abandoned.write(new byte[PooledChunksOutput.CHUNK + 10], 0, PooledChunksOutput.CHUNK + 10);
    assertThat(counted.metric().usedDirectMemory()).isEqualTo(2L * PooledChunksOutput.CHUNK);
    abandoned.release();
    assertThat(counted.metric().usedDirectMemory()).isZero();
  }

  @Test
  void aChunkThatCannotBeHadLeavesNothingHeldAndNothingReleasedTwice() {
    List<ByteBuf> made = new ArrayList<>();
    ByteBufAllocator failsThird = new AbstractByteBufAllocator(true) {
      @Override
      protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        throw new UnsupportedOperationException();
      }

      @Override
      protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        if (made.size() == 2) {
          throw new OutOfMemoryError("no direct memory for a third chunk");
        }
        ByteBuf b = Unpooled.directBuffer(initialCapacity, maxCapacity);
        made.add(b);
        return b;
      }

      @Override
      public boolean isDirectBufferPooled() {
        return false;
      }
    };
    PooledChunksOutput out = new PooledChunksOutput(failsThird);
    byte[] piece = new byte[PooledChunksOutput.CHUNK];
    out.write(piece, 0, piece.length);
    out.write(piece, 0, piece.length);
    assertThatThrownBy(() -> out.write(1)).isInstanceOf(OutOfMemoryError.class);
    out.release(); // as the listing does when a write fails: once; a second release of a chunk would throw here
    assertThat(made).hasSize(2).allSatisfy(b -> assertThat(b.refCnt()).isZero());
  }
}
