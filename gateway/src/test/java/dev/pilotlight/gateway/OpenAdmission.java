package dev.pilotlight.gateway;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import java.util.Optional;

/** Lets every request through: for tests of what lies behind the gatekeeper. */
final class OpenAdmission implements GatewayHandler.Admission {
  @Override
  public Optional<FullHttpResponse> controlApi(FullHttpRequest req, String path) {
    return Optional.empty();
  }

  @Override
  public Optional<FullHttpResponse> lambdaApi(FullHttpRequest req, String path) {
    return Optional.empty();
  }

  @Override
  public Optional<FullHttpResponse> metrics(FullHttpRequest req) {
    return Optional.empty();
  }

  @Override
  public Optional<FullHttpResponse> functionUrl(io.netty.handler.codec.http.HttpRequest req, String function) {
    return Optional.empty();
  }
}
