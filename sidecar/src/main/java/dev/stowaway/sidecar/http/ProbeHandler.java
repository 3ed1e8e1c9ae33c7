package dev.stowaway.sidecar.http;

import dev.stowaway.sidecar.metrics.Metrics;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Methods;
import java.nio.charset.StandardCharsets;

/**
 * Liveness ({@code /healthz}), readiness ({@code /readyz}) and {@code /metrics}: on the API port,
 * and alone on the probe port ({@code --probe-port}), which an orchestrator can reach while the
 * API stays on loopback. Nothing here reads a secret or needs a signature.
 */
final class ProbeHandler implements HttpHandler {

  private final Readiness readiness;
  private final Metrics metrics;

  ProbeHandler(Readiness readiness, Metrics metrics) {
    this.readiness = readiness;
    this.metrics = metrics;
  }

  /** The answer for a probe path, or null if {@code exchange} asks for something else. */
  Reply answer(HttpServerExchange exchange) {
    if (!Methods.GET.equals(exchange.getRequestMethod())) {
      return null;
    }
    return switch (exchange.getRequestPath()) {
      case "/healthz" -> Reply.text(200, "ok\n"); // alive: restarting would not mend a full disk or a distant database
      case "/readyz" -> {
        String why = readiness.notReadyBecause();
        yield why == null ? Reply.text(200, "ready\n") : Reply.text(503, "not ready: " + why + "\n");
      }
      case "/metrics" -> new Reply(200, "text/plain; version=0.0.4; charset=utf-8",
          metrics.render().getBytes(StandardCharsets.UTF_8));
      default -> null;
    };
  }

  /** The probe port: these three paths and nothing else. */
  @Override
  public void handleRequest(HttpServerExchange exchange) {
    Reply reply = answer(exchange);
    (reply != null ? reply : Reply.text(404, "this port serves only GET /healthz, /readyz and /metrics\n"))
        .send(exchange);
  }
}
