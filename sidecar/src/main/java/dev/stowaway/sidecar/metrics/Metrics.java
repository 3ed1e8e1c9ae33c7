package dev.stowaway.sidecar.metrics;

import dev.stowaway.sidecar.audit.ApiCall;
import dev.stowaway.vault.audit.AuditLog;
import dev.stowaway.vault.secrets.SecretsService;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * The sidecar's numbers in Prometheus text format ({@code GET /metrics}): requests by API,
 * operation and outcome with latency histograms, audit writes and failures, what is stored,
 * rotations by outcome and event deliveries by outcome. Label values come from a closed set
 * (an unknown operation is counted as "unknown"), so a client cannot grow the series at will.
 */
public final class Metrics {

  private static final double[] LATENCY_BUCKETS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
      1, 2.5, 5, 10};
  private static final Set<String> ROTATION_OUTCOMES = Set.of("RotationSucceeded", "RotationFailed",
      "RotationAbandoned", "RotationStarted");

  private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
  private final Map<String, Histogram> latency = new ConcurrentHashMap<>();
  private final Histogram auditWrites = new Histogram();
  private final LongAdder auditRecords = new LongAdder();
  private final LongAdder auditFailures = new LongAdder();
  private final Map<String, LongAdder> rotations = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> connections = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> connectionsRefused = new ConcurrentHashMap<>();
  private final LongAdder requestsReading = new LongAdder();
  private final LongAdder requestsTimedOut = new LongAdder();
  private final SecretsService secrets;
  private final Supplier<Map<String, Long>> deliveries;
  private final AuditLog audit;

  public Metrics(SecretsService secrets, AuditLog audit, Supplier<Map<String, Long>> deliveries) {
    this.secrets = secrets;
    this.audit = audit;
    this.deliveries = deliveries;
    audit.observe(new AuditLog.Observer() {
      @Override
      public void committed(int records, long nanos) {
        auditRecords.add(records);
        auditWrites.observe(nanos / 1e9);
      }

      @Override
      public void failed(int records) {
        auditFailures.add(Math.max(records, 1));
      }
    });
    audit.subscribe(record -> {
      String name = record.path("eventName").asText();
      if ("AwsServiceEvent".equals(record.path("eventType").asText()) && ROTATION_OUTCOMES.contains(name)) {
        rotations.computeIfAbsent(name.substring("Rotation".length()).toLowerCase(Locale.ROOT),
            k -> new LongAdder()).increment();
      }
    });
  }

  /** Counts one answered request and how long it took, audit write included. */
  public void request(ApiCall call, long nanos) {
    String api = call.eventSource() == null ? "unknown" : call.eventSource().replace(".amazonaws.com", "");
    String operation = call.isOperationKnown() ? call.eventName() : "unknown";
    String outcome = call.errorCode() == null ? "success" : call.errorCode();
    requests.computeIfAbsent(labels("api", api, "operation", operation, "outcome", outcome), k -> new LongAdder())
        .increment();
    latency.computeIfAbsent(labels("api", api, "operation", operation), k -> new Histogram()).observe(nanos / 1e9);
  }

  /** A request refused because the audit log could not be written. */
  public void unaudited(ApiCall call) {
    requests.computeIfAbsent(labels("api", "any", "operation", "any", "outcome", "ServiceUnavailableException"),
        k -> new LongAdder()).increment();
  }

  /** A listener ({@code api}, {@code probe}) that counts its connections from now on. */
  public void listener(String listener) {
    connections.putIfAbsent(labels("listener", listener), new LongAdder());
    for (String limit : List.of("per-address", "total")) {
      connectionsRefused.putIfAbsent(labels("listener", listener, "limit", limit), new LongAdder());
    }
  }

  /** An HTTP connection taken ({@code +1}) or closed ({@code -1}) by {@code listener}. */
  public void connections(String listener, int change) {
    connections.get(labels("listener", listener)).add(change);
  }

  /** A connection refused because its address ({@code per-address}) or the listener ({@code total}) was full. */
  public void connectionRefused(String listener, String limit) {
    connectionsRefused.get(labels("listener", listener, "limit", limit)).increment();
  }

  /** A request whose body began ({@code +1}) or finished ({@code -1}) arriving. */
  public void requestsReading(int change) {
    requestsReading.add(change);
  }

  /** A request that did not arrive within the request-read timeout. */
  public void requestTimedOut() {
    requestsTimedOut.increment();
  }

  public String render() {
    StringBuilder out = new StringBuilder(4096);
    counter(out, "stowaway_requests_total", "API requests answered, by API, operation and outcome (an AWS error "
        + "code, or success).", requests);
    out.append("# HELP stowaway_request_duration_seconds Time to answer an API request, audit write included.\n");
    out.append("# TYPE stowaway_request_duration_seconds histogram\n");
    new TreeMap<>(latency).forEach((labels, h) -> h.render(out, "stowaway_request_duration_seconds", labels));
    out.append("# HELP stowaway_audit_write_seconds Time to write and sync one group of audit records.\n");
    out.append("# TYPE stowaway_audit_write_seconds histogram\n");
    auditWrites.render(out, "stowaway_audit_write_seconds", "");
    single(out, "stowaway_audit_records_total", "counter", "Audit records written durably.", auditRecords.sum());
    single(out, "stowaway_audit_write_failures_total", "counter",
        "Audit records that could not be written (their requests were refused).", auditFailures.sum());
    single(out, "stowaway_audit_log_failing", "gauge", "1 while the audit log cannot be written.",
        audit.isFailing() ? 1 : 0);
    SecretsService.Inventory inventory = secrets.inventory();
    single(out, "stowaway_secrets", "gauge", "Secrets stored, including those scheduled for deletion.",
        inventory.secrets());
    single(out, "stowaway_secret_versions", "gauge", "Secret versions stored.", inventory.versions());
    Map<String, LongAdder> rotationSeries = new TreeMap<>();
    for (String outcome : List.of("started", "succeeded", "failed", "abandoned")) {
      rotationSeries.put(labels("outcome", outcome), rotations.getOrDefault(outcome, new LongAdder()));
    }
    counter(out, "stowaway_rotations_total", "Rotation steps the vault took, by outcome.", rotationSeries);
    out.append("# HELP stowaway_event_deliveries_total Event rule deliveries, by target kind and outcome "
        + "(delivered, failed attempt, dropped).\n");
    out.append("# TYPE stowaway_event_deliveries_total counter\n");
    deliveries.get().forEach((key, count) -> {
      String[] parts = key.split(",", 2);
      out.append("stowaway_event_deliveries_total").append(labels("target", parts[0], "outcome", parts[1]))
          .append(' ').append(count).append('\n');
    });
    out.append("# HELP stowaway_http_connections Open HTTP connections by listener, change-feed streams included.\n");
    out.append("# TYPE stowaway_http_connections gauge\n");
    new TreeMap<>(connections).forEach((labels, n) -> out.append("stowaway_http_connections").append(labels)
        .append(' ').append(n.sum()).append('\n'));
    counter(out, "stowaway_http_connections_refused_total", "Connections refused with 503 because their address or "
        + "the listener held as many as allowed (max-connections-per-address, max-connections).", connectionsRefused);
    single(out, "stowaway_http_requests_reading", "gauge", "Requests whose body is still arriving.",
        requestsReading.sum());
    single(out, "stowaway_http_requests_timed_out_total", "counter", "Requests whose body did not arrive within "
        + "request-read-timeout-seconds after their headers (answered 408, connection closed).", requestsTimedOut.sum());
    return out.toString();
  }

  private static void counter(StringBuilder out, String name, String help, Map<String, LongAdder> series) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(" counter\n");
    new TreeMap<>(series).forEach((labels, count) -> out.append(name).append(labels).append(' ').append(count.sum())
        .append('\n'));
  }

  private static void single(StringBuilder out, String name, String type, String help, long value) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    out.append(name).append(' ').append(value).append('\n');
  }

  /** {@code {a="x",b="y"}}, values escaped as the text format requires. */
  static String labels(String... pairs) {
    StringBuilder out = new StringBuilder("{");
    for (int i = 0; i < pairs.length; i += 2) {
      if (i > 0) {
        out.append(',');
      }
      out.append(pairs[i]).append("=\"").append(pairs[i + 1].replace("\\", "\\\\").replace("\"", "\\\"")
          .replace("\n", "\\n")).append('"');
    }
    return out.append('}').toString();
  }

  /** A cumulative histogram over fixed bucket bounds. */
  private static final class Histogram {
    private final LongAdder[] buckets = new LongAdder[LATENCY_BUCKETS.length];
    private final LongAdder count = new LongAdder();
    private final DoubleAdder sum = new DoubleAdder();

    Histogram() {
      for (int i = 0; i < buckets.length; i++) {
        buckets[i] = new LongAdder();
      }
    }

    void observe(double seconds) {
      for (int i = 0; i < LATENCY_BUCKETS.length; i++) {
        if (seconds <= LATENCY_BUCKETS[i]) {
          buckets[i].increment();
          break;
        }
      }
      count.increment();
      sum.add(seconds);
    }

    void render(StringBuilder out, String name, String labels) {
      String inner = labels.isEmpty() ? "" : labels.substring(1, labels.length() - 1) + ",";
      long cumulative = 0;
      for (int i = 0; i < LATENCY_BUCKETS.length; i++) {
        cumulative += buckets[i].sum();
        out.append(name).append("_bucket{").append(inner).append("le=\"").append(LATENCY_BUCKETS[i]).append("\"} ")
            .append(cumulative).append('\n');
      }
      out.append(name).append("_bucket{").append(inner).append("le=\"+Inf\"} ").append(count.sum()).append('\n');
      out.append(name).append("_sum").append(labels).append(' ').append(sum.sum()).append('\n');
      out.append(name).append("_count").append(labels).append(' ').append(count.sum()).append('\n');
    }
  }
}
