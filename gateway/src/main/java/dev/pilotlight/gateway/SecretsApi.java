package dev.pilotlight.gateway;

import dev.pilotlight.model.Failure;
import dev.pilotlight.model.Secrets;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * {@code /api/v1/secrets}: {@code PUT /secrets/NAME} sets a value (the request body, bytes as
 * they are), {@code GET /secrets} and {@code GET /secrets/NAME} list them with their versions and
 * the functions that use them, {@code DELETE /secrets/NAME} removes one that no function uses.
 * No answer ever carries a value. Store work runs on the blocking executor.
 */
final class SecretsApi {
  private final SecretControl secrets;
  private final Executor blocking;

  SecretsApi(SecretControl secrets, Executor blocking) {
    this.secrets = secrets;
    this.blocking = blocking;
  }

  /** Handles {@code parts} ({@code "", "secrets", name?}); takes ownership of {@code req}. */
  void handle(ChannelHandlerContext ctx, FullHttpRequest req, String[] parts) {
    HttpMethod m = req.method();
    boolean collection = parts.length == 2 || (parts.length == 3 && parts[2].isEmpty());
    if (collection) {
      if (m.equals(HttpMethod.GET)) {
        blocking(ctx, req, () -> ErrorResponses.json(HttpResponseStatus.OK,
            Map.of("secrets", secrets.list().stream().map(SecretsApi::view).toList())));
      } else {
        methodNotAllowed(ctx, req);
      }
      return;
    }
    if (parts.length != 3) {
      reply(ctx, req, ErrorResponses.json(HttpResponseStatus.NOT_FOUND,
          Map.of("error", "NotFound", "message", "no such API path: /api/v1/" + String.join("/", parts).substring(1))));
      return;
    }
    String name = QueryStringDecoder.decodeComponent(parts[2]);
    if (m.equals(HttpMethod.PUT)) {
      byte[] value = ByteBufUtil.getBytes(req.content());
      blocking(ctx, req, () -> {
        try {
          SecretControl.Set set = secrets.set(name, value);
          Map<String, Object> v = view(set.secret());
          v.put("replacing", set.replacing());
          return ErrorResponses.json(set.created() ? HttpResponseStatus.CREATED : HttpResponseStatus.OK, v);
        } finally {
          Arrays.fill(value, (byte) 0);
        }
      });
    } else if (m.equals(HttpMethod.GET)) {
      blocking(ctx, req, () -> ErrorResponses.json(HttpResponseStatus.OK, view(secrets.find(Secrets.checkName(name))
          .orElseThrow(() -> new Failure.NotFound("secret '" + name + "' does not exist")))));
    } else if (m.equals(HttpMethod.DELETE)) {
      blocking(ctx, req, () -> {
        secrets.delete(Secrets.checkName(name));
        return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
      });
    } else {
      methodNotAllowed(ctx, req);
    }
  }

  static Map<String, Object> view(SecretControl.View s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", s.name());
    m.put("version", s.version());
    m.put("created", s.created().toString());
    m.put("updated", s.updated().toString());
    m.put("usedBy", List.copyOf(s.usedBy()));
    return m;
  }

  private void blocking(ChannelHandlerContext ctx, FullHttpRequest req, BlockingWork.Work work) {
    BlockingWork.answer(blocking, ctx, req, work);
  }

  private static void reply(ChannelHandlerContext ctx, FullHttpRequest req, FullHttpResponse res) {
    BlockingWork.reply(ctx, req, res);
  }

  private static void methodNotAllowed(ChannelHandlerContext ctx, FullHttpRequest req) {
    BlockingWork.methodNotAllowed(ctx, req);
  }
}
