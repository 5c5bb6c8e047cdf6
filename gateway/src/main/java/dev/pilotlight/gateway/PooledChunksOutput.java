package dev.pilotlight.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import java.io.OutputStream;

/**
 * An answer of unknown, possibly large size (a listing of 10,000 functions is about 8 MB) written
 * into buffers of {@value #CHUNK} bytes from the channel's pooled allocator, then sent as one
 * composite buffer. The pool hands back memory it has used before, where one array as large as the
 * answer is new memory each time: with the daemon's serial collector such arrays went to the old
 * generation, which grew to 2.2 GB over a few hundred listings of 10,000 functions
 * (docs/performance.md, the idle footprint). Not thread-safe; {@link #finish} or {@link #release}
 * exactly once.
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
      ByteBuf full = current;
      current = null; // the composite owns it now, whether or not the next chunk can be had
      out.addComponent(true, full);
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
