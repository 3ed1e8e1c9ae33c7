package dev.stowaway.benchmarks;

import dev.stowaway.sidecar.Sidecar;
import dev.stowaway.sidecar.config.DataDirectory;
import dev.stowaway.sidecar.config.ServerConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The agent's start-up cost on a real application: the Spring Boot sample (Boot 3.5, JDBC on
 * HikariCP, H2) started without the agent, with the agent and nothing to resolve, and with the
 * agent resolving the sample's own datasource placeholders from a sidecar in this process. Runs
 * are interleaved; wall time is from launching the JVM to the application's first query answer
 * ({@code shipments: …}), peak RSS and CPU come from {@code /usr/bin/time}, classes loaded from
 * one extra {@code -Xlog:class+load} run per mode. Prints a markdown table on stdout, progress on
 * stderr. {@code -Druns=N} (default 10); {@code -Dprofile=true} adds classes loaded by package.
 */
public final class StartupFigures {

  private static final String USER = "bench";
  private static final String PASSWORD = "Bench-pw-1";
  /** In memory, so every run starts from the same empty database; the first login creates the user. */
  private static final String DB_URL = "jdbc:h2:mem:shipments;INIT=CREATE TABLE IF NOT EXISTS shipments(id INT)";
  private static final String READY = "shipments: ";

  enum Mode {
    NO_AGENT("without the agent"),
    AGENT_IDLE("agent, nothing to resolve"),
    AGENT_RESOLVING("agent, resolving the datasource placeholders");

    final String label;

    Mode(String label) {
      this.label = label;
    }
  }

  /** One start: wall ms to the first answer, peak RSS in KiB, user+system CPU ms. */
  record Run(long wallMs, long peakRssKib, long cpuMs) {}

  private StartupFigures() {}

  public static void main(String[] args) throws Exception {
    Path agentJar = existing("stowaway.agent.jar");
    Path appJar = existing("stowaway.sample.jar");
    int runs = Integer.getInteger("runs", 10);
    Path dir = Files.createTempDirectory("stowaway-startup");
    Path work = Files.createTempDirectory("stowaway-startup-app");
    ServerConfig config = ServerConfig.parse(new String[] {"--data-dir", dir.toString(), "--port", "0",
        "--access-log", "false"}, Map.of());
    try (Sidecar sidecar = Sidecar.start(config, null, Clock.systemUTC(), new SecureRandom(), Duration.ofHours(1));
         SecretsManagerClient sm = AgentFigures.client(sidecar, dir)) {
      // The name the sample's application.properties refers to.
      sm.createSecret(r -> r.name("prod/shipments-db")
          .secretString("{\"username\":\"" + USER + "\",\"password\":\"" + PASSWORD + "\"}"));
      Map<String, String> env = Map.of(
          "AWS_SHARED_CREDENTIALS_FILE", dir.resolve(DataDirectory.ADMIN_CREDENTIALS).toString(),
          "STOWAWAY_ENDPOINT", sidecar.endpoint(),
          "SHIPMENTS_DB_URL", DB_URL);
      Launcher launcher = new Launcher(agentJar, appJar, work, env);

      System.err.println("run-startup: one warm-up round (page cache, JIT of nothing), then " + runs
          + " interleaved rounds...");
      for (Mode m : Mode.values()) {
        launcher.timed(m);
      }
      Map<Mode, List<Run>> results = new EnumMap<>(Mode.class);
      for (int i = 0; i < runs; i++) {
        for (Mode m : Mode.values()) {
          results.computeIfAbsent(m, k -> new ArrayList<>()).add(launcher.timed(m));
        }
        System.err.println("  round " + (i + 1) + "/" + runs);
      }
      Map<Mode, List<String>> classes = new EnumMap<>(Mode.class);
      for (Mode m : Mode.values()) {
        classes.put(m, launcher.classesLoaded(m));
      }
      print(runs, results, classes);
      if (Boolean.getBoolean("profile")) {
        printPackages(classes);
      }
    }
  }

  private static void print(int runs, Map<Mode, List<Run>> results, Map<Mode, List<String>> classes) {
    Run base = medians(results.get(Mode.NO_AGENT));
    int baseClasses = classes.get(Mode.NO_AGENT).size();
    System.out.println();
    System.out.printf("Spring Boot sample (JDBC, HikariCP, H2), JVM launch to first query answer, medians of %d "
        + "interleaved runs:%n%n", runs);
    System.out.println("| run | wall time | extra wall | extra CPU | peak RSS | extra peak RSS | classes loaded |");
    System.out.println("|---|---|---|---|---|---|---|");
    for (Mode m : Mode.values()) {
      Run r = medians(results.get(m));
      int n = classes.get(m).size();
      boolean b = m == Mode.NO_AGENT;
      System.out.printf("| %s | %d ms | %s | %s | %.1f MiB | %s | %,d%s |%n", m.label, r.wallMs(),
          b ? "" : String.format("%+d ms", r.wallMs() - base.wallMs()),
          b ? "" : String.format("%+d ms", r.cpuMs() - base.cpuMs()),
          r.peakRssKib() / 1024.0,
          b ? "" : String.format("%+.1f MiB", (r.peakRssKib() - base.peakRssKib()) / 1024.0),
          n, b ? "" : String.format(" (%+,d)", n - baseClasses));
    }
    System.out.printf("%nWall times (ms), in run order: %s%n", results.entrySet().stream()
        .map(e -> e.getKey().name().toLowerCase() + " " + e.getValue().stream().map(r -> String.valueOf(r.wallMs()))
            .collect(Collectors.joining(",")))
        .collect(Collectors.joining("; ")));
    System.out.printf("Machine: %d cores, %s %s, Java %s%n", Runtime.getRuntime().availableProcessors(),
        System.getProperty("os.name"), System.getProperty("os.arch"), System.getProperty("java.version"));
  }

  /** The classes the agent adds, by package (two or three levels), largest first. */
  private static void printPackages(Map<Mode, List<String>> classes) {
    for (Mode m : List.of(Mode.AGENT_IDLE, Mode.AGENT_RESOLVING)) {
      Map<String, Integer> extra = new TreeMap<>();
      List<String> base = new ArrayList<>(classes.get(Mode.NO_AGENT));
      Map<String, Long> baseCount = base.stream().collect(Collectors.groupingBy(c -> c, Collectors.counting()));
      for (String c : classes.get(m)) {
        Long left = baseCount.get(c);
        if (left != null && left > 0) {
          baseCount.put(c, left - 1);
        } else {
          extra.merge(packageOf(c), 1, Integer::sum);
        }
      }
      System.out.printf("%nClasses loaded only with %s, by package:%n%n| package | classes |%n|---|---|%n", m.label);
      extra.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(25)
          .forEach(e -> System.out.printf("| %s | %d |%n", e.getKey(), e.getValue()));
    }
  }

  private static String packageOf(String className) {
    String[] parts = className.split("\\.");
    int depth = className.startsWith("dev.stowaway.agent.shaded.") ? 7 : 3;
    return String.join(".", java.util.Arrays.copyOf(parts, Math.min(depth, parts.length - 1)));
  }

  private static Run medians(List<Run> runs) {
    return new Run(median(runs.stream().map(Run::wallMs).toList()), median(runs.stream().map(Run::peakRssKib).toList()),
        median(runs.stream().map(Run::cpuMs).toList()));
  }

  private static long median(List<Long> values) {
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static Path existing(String property) {
    Path p = Path.of(System.getProperty(property)).toAbsolutePath().normalize();
    if (!Files.isRegularFile(p)) {
      throw new IllegalStateException(p + " is missing: build it first (benchmarks/run-startup does)");
    }
    return p;
  }

  /** Starts the sample one way and waits for its answer. */
  private record Launcher(Path agentJar, Path appJar, Path work, Map<String, String> env) {

    Run timed(Mode mode) throws Exception {
      List<String> command = new ArrayList<>(List.of("/usr/bin/time", "-f", "stowaway-time %e %U %S %M"));
      command.addAll(java(mode, List.of()));
      long start = System.nanoTime();
      Process p = start(command);
      long wall = -1;
      long rss = -1;
      long cpu = -1;
      List<String> output = new ArrayList<>();
      try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          output.add(line);
          if (wall < 0 && line.startsWith(READY)) {
            wall = Duration.ofNanos(System.nanoTime() - start).toMillis();
            check(mode, line, output);
          } else if (line.startsWith("stowaway-time ")) {
            String[] f = line.split(" ");
            cpu = Math.round((Double.parseDouble(f[2]) + Double.parseDouble(f[3])) * 1000);
            rss = Long.parseLong(f[4]);
          }
        }
      }
      awaitSuccess(p, output);
      if (wall < 0 || rss < 0) {
        throw new IllegalStateException(mode + ": no answer or no figures\n" + String.join("\n", output));
      }
      return new Run(wall, rss, cpu);
    }

    /** The classes one start loads, in order, from {@code -Xlog:class+load}. */
    List<String> classesLoaded(Mode mode) throws Exception {
      Path log = work.resolve("classes-" + mode.name().toLowerCase() + ".log");
      Files.deleteIfExists(log);
      Process p = start(java(mode, List.of("-Xlog:class+load=info:file=" + log + ":none")));
      List<String> output;
      try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        output = in.lines().toList();
      }
      awaitSuccess(p, output);
      try (Stream<String> lines = Files.lines(log)) {
        // Hidden classes (lambdas, proxies) carry an address in their names: counted by kind only.
        return lines.map(l -> l.split(" ", 2)[0]).filter(s -> !s.isEmpty())
            .map(s -> s.replaceAll("/0x[0-9a-f]+$", "").replaceAll("\\$\\$Lambda\\$\\d+$", "\\$\\$Lambda")
                .replaceAll("\\$Proxy\\d+$", "\\$Proxy"))
            .toList();
      }
    }

    private List<String> java(Mode mode, List<String> jvmOptions) {
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      if (mode != Mode.NO_AGENT) {
        command.add("-javaagent:" + agentJar);
      }
      command.addAll(jvmOptions);
      command.addAll(List.of("-jar", appJar.toString()));
      if (mode != Mode.AGENT_RESOLVING) {
        // The same credentials given plainly, so that nothing is left for the agent to resolve.
        command.add("--spring.datasource.username=" + USER);
        command.add("--spring.datasource.password=" + PASSWORD);
      }
      return command;
    }

    private Process start(List<String> command) throws IOException {
      ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true).directory(work.toFile());
      b.environment().keySet().removeIf(k -> k.startsWith("STOWAWAY_") || k.startsWith("AWS_"));
      b.environment().putAll(env);
      Process p = b.start();
      p.getOutputStream().close();
      return p;
    }

    /** The answer must come from a login as the vault's user: a placeholder left as it was would not be. */
    private static void check(Mode mode, String line, List<String> output) {
      if (!line.endsWith("logged in as " + USER.toUpperCase())) {
        throw new IllegalStateException(mode + ": unexpected answer '" + line + "'\n" + String.join("\n", output));
      }
    }

    private static void awaitSuccess(Process p, List<String> output) throws InterruptedException {
      if (!p.waitFor(2, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IllegalStateException("the sample did not exit");
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException("the sample failed (exit " + p.exitValue() + ")\n" + String.join("\n", output));
      }
    }
  }
}
