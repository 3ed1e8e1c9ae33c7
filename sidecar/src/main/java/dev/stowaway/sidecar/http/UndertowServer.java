package dev.stowaway.sidecar.http;

import dev.stowaway.sidecar.audit.AuditTrail;
import dev.stowaway.sidecar.metrics.Metrics;
import dev.stowaway.sidecar.awsjson.AwsJsonProtocol;
import java.time.Clock;
import dev.stowaway.sidecar.events.ChangeStream;
import dev.stowaway.sidecar.iamquery.QueryProtocol;
import dev.stowaway.sidecar.localagent.LocalAgentApi;
import dev.stowaway.sidecar.logging.AccessLog;
import io.undertow.server.HttpHandler;
import io.undertow.util.Methods;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.handlers.BlockingHandler;
import io.undertow.server.handlers.GracefulShutdownHandler;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.xnio.Options;

/**
 * The sidecar's one port. Chain: graceful shutdown, then the change feed or, for everything else,
 * a blocking worker dispatch and the router. Bind to port 0 to get a free port, and read it back with {@link #port()}.
 */
public final class UndertowServer implements AutoCloseable {

  /** A 64 KiB secret JSON-escaped can be six times larger; anything past this is refused. */
  public static final int MAX_BODY_BYTES = 1024 * 1024;

  private final Undertow undertow;
  private final GracefulShutdownHandler shutdown;
  private final ChangeStream changes;

  public UndertowServer(String bind, int port, AwsJsonProtocol awsJson, QueryProtocol query, ChangeStream changes,
      LocalAgentApi localAgent, AuditTrail audit, Metrics metrics, Readiness readiness, AccessLog accessLog,
      Probes probeListener, Clock clock) {
    this.changes = changes;
    ProbeHandler probes = new ProbeHandler(readiness, metrics);
    HttpHandler api = new BlockingHandler(new ApiHandler(awsJson, query, audit, metrics, probes, accessLog, clock,
        MAX_BODY_BYTES));
    HttpHandler agentApi = new BlockingHandler(localAgent);
    // The change feed is a long-lived stream; it stays off the blocking path the API calls take.
    HttpHandler routes = exchange -> {
      if (LocalAgentApi.serves(exchange)) {
        agentApi.handleRequest(exchange);
      } else if (Methods.GET.equals(exchange.getRequestMethod()) && "/v1/events".equals(exchange.getRequestPath())) {
        changes.handleRequest(exchange);
      } else {
        api.handleRequest(exchange);
      }
    };
    this.shutdown = new GracefulShutdownHandler(routes);
    Undertow.Builder builder = Undertow.builder().addHttpListener(port, bind);
    if (probeListener != null) {
      builder.addListener(new Undertow.ListenerBuilder().setType(Undertow.ListenerType.HTTP)
          .setHost(probeListener.bind()).setPort(probeListener.port())
          .setRootHandler(new BlockingHandler(probes)));
    }
    this.undertow = builder
        .setIoThreads(2)
        .setWorkerThreads(32)
        // ApiHandler refuses a body past MAX_BODY_BYTES with an AWS-shaped 413, from its Content-Length before
        // reading it, or after MAX_BODY_BYTES + 1 bytes; Undertow's own refusal would be a bare 400.
        .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, Long.MAX_VALUE)
        .setServerOption(UndertowOptions.MAX_HEADER_SIZE, 64 * 1024)
        .setServerOption(UndertowOptions.REQUEST_PARSE_TIMEOUT, 10_000)
        .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, 60_000)
        .setServerOption(UndertowOptions.ALWAYS_SET_DATE, true)
        .setSocketOption(Options.READ_TIMEOUT, 30_000)
        .setHandler(shutdown)
        .build();
  }

  public void start() {
    undertow.start();
  }

  public int port() {
    return ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
  }

  /** The probe listener's port, or -1 without one. */
  public int probePort() {
    return undertow.getListenerInfo().size() < 2 ? -1
        : ((InetSocketAddress) undertow.getListenerInfo().get(1).getAddress()).getPort();
  }

  /** Where the probe-only listener binds ({@code --probe-port}, {@code --probe-bind}). */
  public record Probes(String bind, int port) {}

  /** Stops taking requests, lets those in flight finish (up to the timeout), then closes. */
  public void stop(long timeout, TimeUnit unit) {
    shutdown.shutdown();
    changes.closeAll();
    try {
      shutdown.awaitShutdown(unit.toMillis(timeout));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    undertow.stop();
  }

  @Override
  public void close() {
    stop(10, TimeUnit.SECONDS);
  }
}
