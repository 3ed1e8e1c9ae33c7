package dev.stowaway.benchmarks;

import dev.stowaway.sidecar.auth.SigV4Signer;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.Stream;

/**
 * The load harness: a sidecar in a child process on a temporary data directory, driven from this
 * process by 1, 16 and 64 keep-alive connections, each request signed with SigV4; beside it, in the
 * same run, a bare Undertow handler answering a fixed body of the same size (the ceiling). Prints a
 * markdown table: throughput, p50/p99/p99.9 latency, and each throughput as a share of the
 * ceiling's at the same concurrency. {@code --scale} adds 100,000 secrets: the sidecar's RSS, p99,
 * and how its start-up time grows with the store.
 *
 * <pre>mvn -q -B -DskipTests install &amp;&amp; benchmarks/run-load [--scale]</pre>
 */
public final class LoadHarness {

  private static final int[] CONCURRENCY = {1, 16, 64};
  private static final long WARM_UP_MILLIS = Long.getLong("load.warmup.ms", 2_000);
  private static final long MEASURE_MILLIS = Long.getLong("load.measure.ms", 5_000);
  /** {@code LOAD_ONLY=Put} measures only the scenarios whose name contains it (and the ceiling). */
  private static final String ONLY = System.getenv().getOrDefault("LOAD_ONLY", "");

  private final URI endpoint;
  private final String keyId;
  private final byte[] secretKey;

  private LoadHarness(URI endpoint, String keyId, byte[] secretKey) {
    this.endpoint = endpoint;
    this.keyId = keyId;
    this.secretKey = secretKey;
  }

  /** One row: a scenario at one concurrency. */
  record Result(String scenario, int concurrency, double perSecond, double p50, double p99, double p999, long errors) {}

  public static void main(String[] args) throws Exception {
    boolean scale = Arrays.asList(args).contains("--scale");
    Path jar = Path.of(System.getProperty("stowaway.sidecar.jar", "sidecar/target/stowaway-sidecar.jar"));
    Path dir = Files.createTempDirectory("stowaway-load-");
    System.err.println("load: sidecar data in " + dir);
    try (Child sidecar = Child.sidecar(jar, dir)) {
      Properties credentials = new Properties();
      try (InputStream in = Files.newInputStream(dir.resolve("admin-credentials"))) {
        credentials.load(in);
      }
      LoadHarness load = new LoadHarness(sidecar.endpoint, credentials.getProperty("aws_access_key_id"),
          credentials.getProperty("aws_secret_access_key").getBytes(StandardCharsets.UTF_8));
      load.populate("load/one-", 1);
      load.populate("load/hundred-", 100);
      load.populate("load/many-", 10_000);
      byte[] sample = load.send(load.connect(), load.get("load/one-0")).body();
      List<Result> results = new ArrayList<>();
      try (Child bare = Child.bareUndertow(sample.length)) {
        LoadHarness ceiling = new LoadHarness(bare.endpoint, load.keyId, load.secretKey);
        for (int c : CONCURRENCY) {
          results.add(ceiling.measure("bare Undertow, fixed " + sample.length + "-byte JSON (ceiling)", c,
              r -> ceiling.get("load/one-0")));
        }
      }
      Random random = new Random(1);
      for (int c : CONCURRENCY) {
        results.add(load.measure("GetSecretValue, 1 secret", c, r -> load.get("load/one-0")));
      }
      for (int c : CONCURRENCY) {
        results.add(load.measure("GetSecretValue, 100 secrets", c, r -> load.get("load/hundred-" + r % 100)));
      }
      for (int c : CONCURRENCY) {
        results.add(load.measure("GetSecretValue, 10,000 secrets", c, r -> load.get("load/many-" + r % 10_000)));
      }
      for (int c : CONCURRENCY) {
        results.add(load.measure("PutSecretValue (durable)", c, r -> load.put("load/many-" + r % 10_000)));
      }
      for (int c : CONCURRENCY) {
        results.add(load.measure("90% Get / 10% Put, 10,000 secrets", c,
            r -> r % 10 == 0 ? load.put("load/many-" + r % 10_000) : load.get("load/many-" + (r * 7) % 10_000)));
      }
      results.removeIf(java.util.Objects::isNull);
      System.out.println(table(results));
      if (scale) {
        System.out.println(load.scale(sidecar, jar, dir));
      }
    } finally {
      try (Stream<Path> all = Files.walk(dir)) {
        all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  // ---- requests ------------------------------------------------------------------------------------

  private byte[] get(String name) {
    return request("secretsmanager.GetSecretValue", "{\"SecretId\":\"" + name + "\"}");
  }

  private byte[] put(String name) {
    return request("secretsmanager.PutSecretValue", "{\"SecretId\":\"" + name + "\",\"SecretString\":\"{\\\"password\\\":\\\""
        + UUID.randomUUID() + "\\\"}\"}");
  }

  /** A whole signed request, as bytes on the wire. */
  private byte[] request(String target, String json) {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/x-amz-json-1.1");
    headers.put("X-Amz-Target", target);
    Map<String, String> signed = SigV4Signer.sign("POST", endpoint.getAuthority(), "/", headers, body, keyId, secretKey,
        "us-east-1", "secretsmanager", Instant.now());
    StringBuilder head = new StringBuilder("POST / HTTP/1.1\r\nHost: ").append(endpoint.getAuthority()).append("\r\n");
    signed.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
    head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
    byte[] h = head.toString().getBytes(StandardCharsets.ISO_8859_1);
    byte[] all = Arrays.copyOf(h, h.length + body.length);
    System.arraycopy(body, 0, all, h.length, body.length);
    return all;
  }

  private void populate(String prefix, int count) throws Exception {
    create(prefix, count);
    // The first read of a secret each day records LastAccessedDate, a durable write (as AWS keeps it, to
    // the day); read each once so the GetSecretValue rows measure reads.
    forEach("read once", prefix, count, i -> get(prefix + i));
  }

  private void create(String prefix, int count) throws Exception {
    forEach("created", prefix, count, i -> request("secretsmanager.CreateSecret", "{\"Name\":\"" + prefix + i
        + "\",\"SecretString\":\"{\\\"username\\\":\\\"app\\\",\\\"password\\\":\\\"" + UUID.randomUUID()
        + "\\\"}\"}"));
  }

  /** Sends {@code request(i)} for every i below count over 16 connections; every answer must be 200. */
  private void forEach(String done, String prefix, int count, IntFunction<byte[]> request) throws Exception {
    long started = System.nanoTime();
    int threads = Math.min(16, count);
    CountDownLatch finished = new CountDownLatch(threads);
    List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    for (int t = 0; t < threads; t++) {
      int first = t;
      Thread worker = new Thread(() -> {
        try (Connection c = connect()) {
          for (int i = first; i < count; i += threads) {
            Answer a = send(c, request.apply(i));
            if (a.status() != 200) {
              throw new IllegalStateException("answered " + a.status() + ": " + new String(a.body(), StandardCharsets.UTF_8));
            }
          }
        } catch (Throwable e) {
          failures.add(e);
        } finally {
          finished.countDown();
        }
      });
      worker.start();
    }
    finished.await();
    if (!failures.isEmpty()) {
      throw new IllegalStateException(done + " failed", failures.get(0));
    }
    System.err.printf("load: %s %d secrets %s* in %.1f s%n", done, count, prefix, (System.nanoTime() - started) / 1e9);
  }

  /** {@code concurrency} connections for the warm-up and then the measured time; every latency kept. */
  private Result measure(String scenario, int concurrency, IntFunction<byte[]> next) throws Exception {
    if (!scenario.contains(ONLY) && !scenario.endsWith("(ceiling)")) {
      return null;
    }
    long warmUpEnd = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WARM_UP_MILLIS);
    long end = warmUpEnd + TimeUnit.MILLISECONDS.toNanos(MEASURE_MILLIS);
    long[][] latencies = new long[concurrency][];
    long[] errors = new long[concurrency];
    CountDownLatch done = new CountDownLatch(concurrency);
    for (int t = 0; t < concurrency; t++) {
      int thread = t;
      Thread worker = new Thread(() -> {
        long[] own = new long[1 << 16];
        int n = 0;
        try (Connection c = connect()) {
          for (int r = thread; ; r += concurrency) {
            byte[] request = next.apply(r);
            long start = System.nanoTime();
            if (start > end) {
              break;
            }
            Answer a = send(c, request);
            long took = System.nanoTime() - start;
            if (start >= warmUpEnd) {
              if (a.status() != 200) {
                errors[thread]++;
              }
              if (n == own.length) {
                own = Arrays.copyOf(own, n * 2);
              }
              own[n++] = took;
            }
          }
        } catch (IOException e) {
          errors[thread]++;
        } finally {
          latencies[thread] = Arrays.copyOf(own, n);
          done.countDown();
        }
      });
      worker.start();
    }
    done.await();
    long[] all = Arrays.stream(latencies).flatMapToLong(Arrays::stream).sorted().toArray();
    Result result = new Result(scenario, concurrency, all.length / (MEASURE_MILLIS / 1000.0), percentile(all, 0.50),
        percentile(all, 0.99), percentile(all, 0.999), Arrays.stream(errors).sum());
    System.err.printf("load: %-45s c=%-3d %8.0f/s p50 %.2f ms p99 %.2f ms%n", scenario, concurrency, result.perSecond(),
        result.p50(), result.p99());
    return result;
  }

  private static double percentile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
  }

  static String table(List<Result> results) {
    Map<Integer, Double> ceiling = new LinkedHashMap<>();
    results.stream().filter(r -> r.scenario().endsWith("(ceiling)")).forEach(r -> ceiling.put(r.concurrency(),
        r.perSecond()));
    StringBuilder out = new StringBuilder();
    out.append("| scenario | connections | requests/s | p50 ms | p99 ms | p99.9 ms | of ceiling | errors |\n");
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Result r : results) {
      out.append(String.format(Locale.ROOT, "| %s | %d | %,.0f | %.2f | %.2f | %.2f | %s | %d |%n", r.scenario(),
          r.concurrency(), r.perSecond(), r.p50(), r.p99(), r.p999(), r.scenario().endsWith("(ceiling)") ? "100%"
              : String.format(Locale.ROOT, "%.0f%%", 100 * r.perSecond() / ceiling.get(r.concurrency())), r.errors()));
    }
    return out.toString();
  }

  // ---- scale ------------------------------------------------------------------------------------------

  /**
   * Grows the store to 100,101 secrets; at each size restarts the sidecar (timing start-up to serving),
   * then reads the 10,000 {@code load/many-} secrets over 16 connections twice: straight after start
   * (cold JIT, empty record cache) and again (warm), and takes the RSS after both.
   */
  private String scale(Child sidecar, Path jar, Path dir) throws Exception {
    StringBuilder out = new StringBuilder("\n| store size | start-up to serving | GetSecretValue p99, 16 connections, "
        + "first pass after start | same, warm | requests/s warm | sidecar RSS |\n|---:|---:|---:|---:|---:|---:|\n");
    Child running = sidecar;
    int have = 10_101; // 1 + 100 + 10,000 from the main run
    try {
      for (int target : new int[] {10_101, 100_101}) {
        if (target > have) {
          new LoadHarness(running.endpoint, keyId, secretKey).create("load/scale-" + target + "-", target - have);
          have = target;
        }
        // The Put rows gave most of them new versions, whose first read would be a durable write.
        LoadHarness current = new LoadHarness(running.endpoint, keyId, secretKey);
        current.forEach("read once", "load/many-", 10_000, i -> current.get("load/many-" + i));
        running.close();
        long started = System.nanoTime();
        running = Child.sidecar(jar, dir);
        double startUp = (System.nanoTime() - started) / 1e9;
        LoadHarness reopened = new LoadHarness(running.endpoint, keyId, secretKey);
        Result cold = reopened.measure("GetSecretValue at scale, first pass", 16, i -> reopened.get("load/many-" + i % 10_000));
        Result warm = reopened.measure("GetSecretValue at scale, warm", 16, i -> reopened.get("load/many-" + i % 10_000));
        out.append(String.format(Locale.ROOT, "| %,d secrets | %.1f s | %.2f ms | %.2f ms | %,.0f | %d MiB |%n", have,
            startUp, cold.p99(), warm.p99(), warm.perSecond(), running.rssKib() / 1024));
      }
    } finally {
      running.close();
    }
    return out.toString();
  }

  // ---- a lean keep-alive HTTP/1.1 client --------------------------------------------------------------

  record Answer(int status, byte[] body) {}

  static final class Connection implements AutoCloseable {
    final Socket socket;
    final InputStream in;
    final OutputStream out;

    Connection(URI endpoint) throws IOException {
      socket = new Socket(endpoint.getHost(), endpoint.getPort());
      socket.setTcpNoDelay(true);
      in = new java.io.BufferedInputStream(socket.getInputStream(), 16 * 1024);
      out = socket.getOutputStream();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  private Connection connect() throws IOException {
    return new Connection(endpoint);
  }

  private Answer send(Connection c, byte[] request) throws IOException {
    c.out.write(request);
    c.out.flush();
    String status = line(c.in);
    int code = Integer.parseInt(status.substring(9, 12));
    int length = 0;
    for (String h = line(c.in); !h.isEmpty(); h = line(c.in)) {
      if (h.regionMatches(true, 0, "content-length:", 0, 15)) {
        length = Integer.parseInt(h.substring(15).trim());
      }
    }
    return new Answer(code, c.in.readNBytes(length));
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream(64);
    for (int ch = in.read(); ch != '\n'; ch = in.read()) {
      if (ch < 0) {
        throw new IOException("connection closed");
      }
      if (ch != '\r') {
        b.write(ch);
      }
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }

  // ---- child processes ----------------------------------------------------------------------------------

  static final class Child implements AutoCloseable {
    final Process process;
    final URI endpoint;

    private Child(Process process, URI endpoint) {
      this.process = process;
      this.endpoint = endpoint;
    }

    static Child sidecar(Path jar, Path dir) throws Exception {
      List<String> command = new ArrayList<>(List.of(java()));
      // e.g. LOAD_SIDECAR_JVM_ARGS=-XX:StartFlightRecording=filename=/tmp/sidecar.jfr to profile the sidecar
      String jvmArgs = System.getenv().getOrDefault("LOAD_SIDECAR_JVM_ARGS", "").trim();
      if (!jvmArgs.isEmpty()) {
        command.addAll(List.of(jvmArgs.split("\\s+")));
      }
      command.addAll(List.of("-jar", jar.toString(), "server", "--data-dir", dir.toString(), "--port", "0",
          "--access-log", "false"));
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String line = await(p, "serving the AWS Secrets Manager API at ");
      String url = line.substring(line.indexOf("http://")).split(" ")[0];
      return new Child(p, URI.create(url));
    }

    static Child bareUndertow(int size) throws Exception {
      Process p = new ProcessBuilder(java(), "-cp", System.getProperty("java.class.path"),
          BareUndertow.class.getName(), String.valueOf(size)).redirectErrorStream(true).start();
      String line = await(p, "listening ");
      return new Child(p, URI.create("http://127.0.0.1:" + line.substring("listening ".length()).trim()));
    }

    long rssKib() throws IOException {
      for (String l : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
        if (l.startsWith("VmRSS:")) {
          return Long.parseLong(l.replaceAll("[^0-9]", ""));
        }
      }
      return -1;
    }

    private static String java() {
      return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String await(Process p, String marker) throws Exception {
      BlockingQueue<String> lines = new LinkedBlockingQueue<>();
      Thread reader = new Thread(() -> {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
          for (String l = in.readLine(); l != null; l = in.readLine()) {
            lines.add(l);
          }
        } catch (IOException ignored) {
          // ended
        }
      });
      reader.setDaemon(true);
      reader.start();
      while (true) {
        String l = lines.poll(120, TimeUnit.SECONDS);
        if (l == null) {
          throw new IllegalStateException("no '" + marker + "' within 120 s");
        }
        if (l.contains(marker)) {
          return l;
        }
      }
    }

    @Override
    public void close() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }
}
