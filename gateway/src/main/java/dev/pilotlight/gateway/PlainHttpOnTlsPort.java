package dev.pilotlight.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Sits before the TLS handler of a port that speaks HTTPS and looks at a connection's first byte.
 * A TLS record (or anything else that is not a letter) passes on untouched, and this handler leaves
 * the pipeline. A request in plain HTTP (it starts with a method: a letter) gets a {@code 400} in
 * plain HTTP that says to use {@code https://}, and the connection is closed: without it the client
 * saw its connection reset by the TLS handler and no reason (nginx answers the same case with a
 * {@code 400} too).
 */
final class PlainHttpOnTlsPort extends ByteToMessageDecoder {
  private static final byte[] ANSWER;

  static {
    byte[] body = ("{\"error\":\"InvalidInput\",\"message\":\"this port speaks HTTPS (TLS) and a plain HTTP request was sent: "
        + "use https://\"}").getBytes(StandardCharsets.UTF_8);
    byte[] head = ("HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: " + body.length
        + "\r\nconnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    ANSWER = new byte[head.length + body.length];
    System.arraycopy(head, 0, ANSWER, 0, head.length);
    System.arraycopy(body, 0, ANSWER, head.length, body.length);
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (!in.isReadable()) {
      return;
    }
    byte first = in.getByte(in.readerIndex());
    if ((first >= 'A' && first <= 'Z') || (first >= 'a' && first <= 'z')) {
      in.skipBytes(in.readableBytes());
      ctx.channel().config().setAutoRead(false); // nothing more of it is read
      ctx.writeAndFlush(Unpooled.wrappedBuffer(ANSWER)).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    ctx.pipeline().remove(this); // what was read goes on to the TLS handler
  }
}
