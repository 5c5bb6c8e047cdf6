package dev.pilotlight.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import java.io.OutputStream;

/**
 * An answer of unknown, possibly large size (a listing of 10,000 functions is about 8 MB) written
 * into buffers of {@value #CHUNK} bytes from the channel's pooled allocator, then sent as one
 * composite buffer. The pool hands back memory it has used before, where one buffer as large as the
 * answer would be fresh memory each time (on this project's VMs, first-touch page faults were
 * most of a large listing's time; docs/performance.md, the idle footprint) and a growing one would
 * be copied as it grows. Not thread-safe; {@link #finish} or {@link #release} exactly once.
 */
final class PooledChunksOutput extends OutputStream {
  static final int CHUNK = 64 * 1024;

  private final ByteBufAllocator alloc;
  private final CompositeByteBuf out;
  private ByteBuf current;

  PooledChunksOutput(ByteBufAllocator alloc) {
    this.alloc = alloc;
    this.out = alloc.compositeDirectBuffer(Integer.MAX_VALUE);
  }

  @Override
  public void write(int b) {
    room().writeByte(b);
  }

  @Override
  public void write(byte[] b, int off, int len) {
    while (len > 0) {
      ByteBuf into = room();
      int n = Math.min(len, into.writableBytes());
      into.writeBytes(b, off, n);
      off += n;
      len -= n;
    }
  }

  /** The chunk being written, with room for at least one byte; a full one goes into the composite. */
  private ByteBuf room() {
    if (current != null && current.isWritable()) {
      return current;
    }
    if (current != null) {
      out.addComponent(true, current);
    }
    current = alloc.directBuffer(CHUNK, CHUNK);
    return current;
  }

  /** Everything written, as one buffer the caller owns. */
  ByteBuf finish() {
    if (current != null) {
      out.addComponent(true, current);
      current = null;
    }
    return out;
  }

  /** Gives every chunk back (a write failed and nothing will be sent). */
  void release() {
    if (current != null) {
      current.release();
      current = null;
    }
    out.release();
  }
}
