package dev.stowaway.benchmarks;

import dev.stowaway.sidecar.Sidecar;
import dev.stowaway.sidecar.config.ServerConfig;
import dev.stowaway.vault.audit.AuditLog;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * GetSecretValue throughput through the real SDK with the audit trail on, synced as served
 * (every answer waits for its record's fsync, shared by whatever else is waiting) and, for
 * comparison only, unsynced: the difference is what durability costs. Prints a table for the
 * README. Run: {@code mvn -q -B -DskipTests install && mvn -q -pl benchmarks exec:exec
 * -Dbench.main=dev.stowaway.benchmarks.AuditFigures}.
 */
public final class AuditFigures {

  private static final long WARM_UP_MILLIS = 2_000;
  private static final long MEASURE_MILLIS = 5_000;
  private static final int[] CLIENTS = {1, 4, 16};

  private AuditFigures() {}

  private record Row(String audit, int clients, double perSecond, double p50Millis, double p99Millis,
      double recordsPerSync) {}

  public static void main(String[] args) throws Exception {
    List<Row> rows = new ArrayList<>();
    for (boolean sync : new boolean[] {true, false}) {
      Path dir = Files.createTempDirectory("stowaway-audit-bench");
      ServerConfig config = ServerConfig.parse(new String[] {"--data-dir", dir.toString(), "--port", "0", "--access-log", "false"},
        Map.of());
      AuditLog.Settings audit = sync ? AuditLog.Settings.defaults() : AuditLog.Settings.defaults().unsynced();
      try (Sidecar sidecar = Sidecar.start(config, null, Clock.systemUTC(), new SecureRandom(),
          Sidecar.Tuning.defaults().withAudit(audit))) {
        try (SecretsManagerClient client = client(sidecar, dir)) {
          client.createSecret(r -> r.name("bench/db").secretString("{\"username\":\"app\",\"password\":\"x\"}"));
        }
        for (int clients : CLIENTS) {
          rows.add(measure(sidecar, dir, sync ? "fsync per group commit" : "no fsync (comparison only)", clients));
        }
      }
    }
    System.out.println();
    System.out.println("GetSecretValue through AWS SDK v2, audit record durable before each answer ("
        + Runtime.getRuntime().availableProcessors() + " cores, " + MEASURE_MILLIS / 1000 + " s per row)");
    System.out.printf("%-28s %8s %12s %9s %9s %16s%n", "audit log", "clients", "requests/s", "p50 ms", "p99 ms",
        "records/fsync");
    for (Row row : rows) {
      System.out.printf("%-28s %8d %12.0f %9.2f %9.2f %16.1f%n", row.audit(), row.clients(), row.perSecond(),
          row.p50Millis(), row.p99Millis(), row.recordsPerSync());
    }
  }

  private static Row measure(Sidecar sidecar, Path dir, String audit, int clients) throws Exception {
    List<SecretsManagerClient> sdk = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      sdk.add(client(sidecar, dir));
    }
    run(sdk, WARM_UP_MILLIS);
    double[] before = auditCounters(sidecar);
    List<long[]> latencies = run(sdk, MEASURE_MILLIS);
    double[] after = auditCounters(sidecar);
    sdk.forEach(SecretsManagerClient::close);
    long[] all = latencies.stream().flatMapToLong(Arrays::stream).toArray();
    Arrays.sort(all);
    double syncs = after[1] - before[1];
    return new Row(audit, clients, all.length * 1000.0 / MEASURE_MILLIS, all[all.length / 2] / 1e6,
        all[(int) (all.length * 0.99)] / 1e6, syncs == 0 ? 0 : (after[0] - before[0]) / syncs);
  }

  /** Each client calls in a loop for {@code millis}; returns each call's latency in nanoseconds. */
  private static List<long[]> run(List<SecretsManagerClient> clients, long millis) throws InterruptedException {
    List<long[]> results = new ArrayList<>();
    CountDownLatch done = new CountDownLatch(clients.size());
    long end = System.nanoTime() + millis * 1_000_000;
    List<Thread> threads = new ArrayList<>();
    for (SecretsManagerClient client : clients) {
      long[][] slot = new long[1][];
      results.add(null);
      int index = results.size() - 1;
      Thread t = new Thread(() -> {
        long[] samples = new long[1 << 16];
        int n = 0;
        while (System.nanoTime() < end) {
          long start = System.nanoTime();
          client.getSecretValue(r -> r.secretId("bench/db"));
          if (n == samples.length) {
            samples = Arrays.copyOf(samples, n * 2);
          }
          samples[n++] = System.nanoTime() - start;
        }
        slot[0] = Arrays.copyOf(samples, n);
        synchronized (results) {
          results.set(index, slot[0]);
        }
        done.countDown();
      });
      threads.add(t);
    }
    threads.forEach(Thread::start);
    done.await();
    return results;
  }

  /** Audit records written and group commits so far, from the sidecar's own metrics. */
  private static double[] auditCounters(Sidecar sidecar) throws IOException, InterruptedException {
    String metrics = sidecar.metrics().render();
    return new double[] {value(metrics, "stowaway_audit_records_total"), value(metrics, "stowaway_audit_write_seconds_count")};
  }

  private static double value(String metrics, String name) {
    Matcher m = Pattern.compile("^" + Pattern.quote(name) + " (\\S+)$", Pattern.MULTILINE).matcher(metrics);
    if (!m.find()) {
      throw new IllegalStateException(name + " is not in the metrics");
    }
    return Double.parseDouble(m.group(1));
  }

  private static SecretsManagerClient client(Sidecar sidecar, Path dir) {
    ProfileFile credentials = ProfileFile.builder().content(dir.resolve("admin-credentials"))
        .type(ProfileFile.Type.CREDENTIALS).build();
    return SecretsManagerClient.builder().endpointOverride(URI.create(sidecar.endpoint())).region(Region.US_EAST_1)
        .credentialsProvider(ProfileCredentialsProvider.builder().profileFile(credentials).profileName("default").build())
        .httpClient(UrlConnectionHttpClient.create()).build();
  }
}
