package dev.stowaway.sidecar.http;

import dev.stowaway.sidecar.audit.AuditTrail;
import dev.stowaway.sidecar.awsjson.AwsJsonProtocol;
import dev.stowaway.sidecar.config.ServerConfig;
import dev.stowaway.sidecar.events.ChangeStream;
import dev.stowaway.sidecar.iamquery.QueryProtocol;
import dev.stowaway.sidecar.localagent.LocalAgentApi;
import dev.stowaway.sidecar.logging.AccessLog;
import dev.stowaway.sidecar.metrics.Metrics;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.DefaultByteBufferPool;
import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.GracefulShutdownHandler;
import io.undertow.server.protocol.http.HttpOpenListener;
import io.undertow.util.Methods;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;

/**
 * The sidecar's port, and the probe port if asked for. On the API port: graceful shutdown, then the
 * body read on the I/O thread ({@link RequestBodyReader}), then liveness answered there and
 * readiness on a thread of its own, and everything else on a worker (all vault work blocks): the
 * agent API, the change feed, the AWS APIs. Each listener takes connections through its own
 * {@link ConnectionGate}. Bind to port 0 to get a free port, and read it back with {@link #port()}.
 */
public final class UndertowServer implements AutoCloseable {

  /** A 64 KiB secret JSON-escaped can be six times larger; anything past this is refused. */
  public static final int MAX_BODY_BYTES = 1024 * 1024;
  private static final int WORKER_THREADS = 32;

  private final GracefulShutdownHandler shutdown;
  private final ChangeStream changes;
  private final Metrics metrics;
  private final XnioWorker worker;
  private final ExecutorService probeThread;
  private final List<AcceptingChannel<StreamConnection>> listeners = new ArrayList<>();

  public UndertowServer(String bind, int port, AwsJsonProtocol awsJson, QueryProtocol query, ChangeStream changes,
      LocalAgentApi localAgent, AuditTrail audit, Metrics metrics, Readiness readiness, AccessLog accessLog,
      Probes probeListener, ServerConfig.Http http, Clock clock) {
    this.changes = changes;
    this.metrics = metrics;
    this.probeThread = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "stowaway-probes");
      t.setDaemon(true);
      return t;
    });
    ProbeHandler apiPortProbes = new ProbeHandler(readiness, metrics, http.metricsOnApiPort(), probeThread);
    HttpHandler api = new ApiHandler(awsJson, query, audit, metrics, accessLog, clock, MAX_BODY_BYTES);
    HttpHandler onWorker = exchange -> {
      if (LocalAgentApi.serves(exchange)) {
        localAgent.handleRequest(exchange);
      } else if (Methods.GET.equals(exchange.getRequestMethod()) && "/v1/events".equals(exchange.getRequestPath())) {
        changes.handleRequest(exchange); // a long-lived stream: it holds no worker once open
      } else {
        api.handleRequest(exchange);
      }
    };
    HttpHandler routes = exchange -> {
      if (apiPortProbes.serves(exchange)) {
        apiPortProbes.handleRequest(exchange);
      } else {
        exchange.dispatch(onWorker);
      }
    };
    this.shutdown = new GracefulShutdownHandler(new RequestBodyReader(routes, MAX_BODY_BYTES,
        http.requestReadTimeout(), metrics));
    try {
      this.worker = Xnio.getInstance(Undertow.class.getClassLoader()).createWorker(OptionMap.builder()
          .set(Options.WORKER_NAME, "stowaway-http")
          .set(Options.WORKER_IO_THREADS, 2)
          .set(Options.WORKER_TASK_CORE_THREADS, WORKER_THREADS)
          .set(Options.WORKER_TASK_MAX_THREADS, WORKER_THREADS)
          .set(Options.TCP_NODELAY, true)
          .set(Options.CORK, true)
          .getMap());
      OptionMap undertowOptions = OptionMap.builder()
          // ApiHandler refuses a body past MAX_BODY_BYTES with an AWS-shaped 413; Undertow's own refusal
          // would be a bare 400.
          .set(UndertowOptions.MAX_ENTITY_SIZE, Long.MAX_VALUE)
          .set(UndertowOptions.MAX_HEADER_SIZE, 64 * 1024)
          // Headers must be complete this long after their first byte, however slowly they trickle.
          .set(UndertowOptions.REQUEST_PARSE_TIMEOUT, (int) http.requestReadTimeout().toMillis())
          .set(UndertowOptions.NO_REQUEST_TIMEOUT, 60_000) // an idle keep-alive connection
          .set(UndertowOptions.ALWAYS_SET_DATE, true)
          .getMap();
      DefaultByteBufferPool buffers = new DefaultByteBufferPool(true, 16 * 1024, -1, 4);
      listen("api", bind, port, shutdown, undertowOptions, buffers, http, metrics);
      if (probeListener != null) {
        listen("probe", probeListener.bind(), probeListener.port(), new RequestBodyReader(
            new ProbeHandler(readiness, metrics, true, probeThread), MAX_BODY_BYTES, http.requestReadTimeout(), metrics),
            undertowOptions, buffers, http, metrics);
      }
    } catch (IOException | RuntimeException e) {
      close(0);
      throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
    }
  }

  private void listen(String name, String bind, int port, HttpHandler root, OptionMap undertowOptions,
      DefaultByteBufferPool buffers, ServerConfig.Http http, Metrics metrics) throws IOException {
    HttpOpenListener open = new HttpOpenListener(buffers, undertowOptions);
    open.setRootHandler(root);
    ConnectionGate gate = new ConnectionGate(name, open, http.maxConnections(), http.maxConnectionsPerAddress(), metrics);
    InetSocketAddress address = new InetSocketAddress(bind, port);
    OptionMap socketOptions = OptionMap.builder()
            .set(Options.WORKER_IO_THREADS, 2)
            .set(Options.TCP_NODELAY, true)
            .set(Options.REUSE_ADDRESSES, true)
            .set(Options.BALANCING_TOKENS, 1)
            .set(Options.BALANCING_CONNECTIONS, 2)
            .set(Options.BACKLOG, 1000)
            .set(Options.READ_TIMEOUT, 30_000)
            .getMap();
    try {
      listeners.add(worker.createStreamConnectionServer(address, ChannelListeners.openListenerAdapter(gate),
          socketOptions));
    } catch (IOException e) {
      throw new IOException("cannot listen on " + bind + ":" + port + ": " + e.getMessage(), e);
    }
  }

  public void start() {
    listeners.forEach(AcceptingChannel::resumeAccepts);
  }

  public int port() {
    return listeners.get(0).getLocalAddress(InetSocketAddress.class).getPort();
  }

  /** The probe listener's port, or -1 without one. */
  public int probePort() {
    return listeners.size() < 2 ? -1 : listeners.get(1).getLocalAddress(InetSocketAddress.class).getPort();
  }

  /** What {@code GET /metrics} renders. */
  public Metrics metrics() {
    return metrics;
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
    close(5_000);
  }

  private void close(long awaitMillis) {
    listeners.forEach(IoUtils::safeClose);
    probeThread.shutdownNow();
    if (worker != null) {
      worker.shutdownNow();
      try {
        worker.awaitTermination(awaitMillis, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void close() {
    stop(10, TimeUnit.SECONDS);
  }
}
