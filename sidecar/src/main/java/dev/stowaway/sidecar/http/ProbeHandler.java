package dev.stowaway.sidecar.http;

import dev.stowaway.sidecar.metrics.Metrics;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Methods;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;

/**
 * Liveness ({@code /healthz}), readiness ({@code /readyz}) and {@code /metrics}, none of which reads a
 * secret or needs a signature. Liveness is answered on the I/O thread, so it never waits behind API
 * work; readiness (which may probe a database) and metrics (which count the store) run on a thread of
 * their own, never an API worker. On the probe port ({@code --probe-port}) all three are served; on
 * the API port, metrics only with {@code metrics-on-api-port}.
 */
final class ProbeHandler implements HttpHandler {

  static final String PROBE_PORT_ONLY = "this port serves only GET /healthz, /readyz and /metrics\n";

  private final Readiness readiness;
  private final Metrics metrics;
  private final boolean servesMetrics;
  private final Executor probeThread;

  ProbeHandler(Readiness readiness, Metrics metrics, boolean servesMetrics, Executor probeThread) {
    this.readiness = readiness;
    this.metrics = metrics;
    this.servesMetrics = servesMetrics;
    this.probeThread = probeThread;
  }

  /** Whether {@code exchange} asks for something this handler answers. */
  boolean serves(HttpServerExchange exchange) {
    if (!Methods.GET.equals(exchange.getRequestMethod())) {
      return false;
    }
    String path = exchange.getRequestPath();
    return path.equals("/healthz") || path.equals("/readyz") || servesMetrics && path.equals("/metrics");
  }

  /** On the I/O thread: one of the served paths, or (on the probe port) anything, refused. */
  @Override
  public void handleRequest(HttpServerExchange exchange) {
    if (!serves(exchange)) {
      Reply.text(404, PROBE_PORT_ONLY).send(exchange);
    } else if (exchange.getRequestPath().equals("/healthz")) {
      // alive: restarting would not mend a full disk or a distant database
      Reply.text(200, "ok\n").send(exchange);
    } else {
      exchange.dispatch(probeThread, () -> {
        Reply reply;
        try {
          reply = slowAnswer(exchange);
        } catch (RuntimeException e) {
          reply = Reply.text(500, "failed: " + e.getClass().getSimpleName() + "\n");
        }
        reply.send(exchange);
      });
    }
  }

  private Reply slowAnswer(HttpServerExchange exchange) {
    if (exchange.getRequestPath().equals("/readyz")) {
      String why = readiness.notReadyBecause();
      return why == null ? Reply.text(200, "ready\n") : Reply.text(503, "not ready: " + why + "\n");
    }
    return new Reply(200, "text/plain; version=0.0.4; charset=utf-8", metrics.render().getBytes(StandardCharsets.UTF_8));
  }
}
