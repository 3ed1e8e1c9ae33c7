package dev.stowaway.benchmarks;

import dev.stowaway.benchmarks.apps.HelloApp;
import dev.stowaway.benchmarks.apps.LookupLoopApp;
import dev.stowaway.benchmarks.apps.WatchApp;
import dev.stowaway.sidecar.Sidecar;
import dev.stowaway.sidecar.config.DataDirectory;
import dev.stowaway.sidecar.config.ServerConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The agent's three figures for the README: start-up overhead on a hello-world app, the cost of a
 * cached lookup, and how long a rotation takes to reach a running application. Prints a markdown
 * table. Run: {@code mvn -q -B -DskipTests install && mvn -q -pl benchmarks exec:exec}.
 */
public final class AgentFigures {

  private static final String PLACEHOLDER = "{{resolve:secretsmanager:bench/db:SecretString:password}}";

  private AgentFigures() {}

  public static void main(String[] args) throws Exception {
    Path agentJar = Path.of(System.getProperty("stowaway.agent.jar")).toAbsolutePath().normalize();
    if (!Files.exists(agentJar)) {
      throw new IllegalStateException("build the agent first: " + agentJar + " is missing");
    }
    int startRuns = Integer.getInteger("runs", 9);
    int rotations = Integer.getInteger("rotations", 10);
    Path dir = Files.createTempDirectory("stowaway-bench");
    ServerConfig config = ServerConfig.parse(new String[] {"--data-dir", dir.toString(), "--port", "0", "--access-log", "false"},
        Map.of());
    try (Sidecar sidecar = Sidecar.start(config, null, Clock.systemUTC(), new SecureRandom(), Duration.ofHours(1));
         SecretsManagerClient sm = client(sidecar, dir)) {
      sm.createSecret(r -> r.name("bench/db").secretString("{\"password\":\"p-0\"}"));
      Map<String, String> env = Map.of(
          "AWS_SHARED_CREDENTIALS_FILE", dir.resolve(DataDirectory.ADMIN_CREDENTIALS).toString(),
          "STOWAWAY_ENDPOINT", sidecar.endpoint());

      System.err.println("start-up: " + startRuns + " runs each, with and without the agent...");
      List<Long> without = new ArrayList<>();
      List<Long> withAgent = new ArrayList<>();
      List<Long> with = new ArrayList<>();
      for (int i = 0; i < startRuns; i++) {
        without.add(timeRun(null, List.of("-Ddb.password=plain"), env));
        withAgent.add(timeRun(agentJar, List.of("-Ddb.password=plain"), env));
        with.add(timeRun(agentJar, List.of("-Ddb.password=" + PLACEHOLDER), env));
      }

      System.err.println("cached lookups...");
      double[] agentLookup = lookups(agentJar, env);
      double[] plainLookup = lookups(null, env);

      System.err.println("rotation propagation: " + rotations + " rotations...");
      List<Long> lags = new ArrayList<>();
      try (ChildJvm watch = ChildJvm.start(agentJar, "ttl=300s", List.of("-Ddb.password=" + PLACEHOLDER), env,
          WatchApp.class, String.valueOf(rotations))) {
        watch.awaitLine("ready");
        for (int i = 1; i <= rotations; i++) {
          String value = "{\"password\":\"p-" + i + "\"}";
          long put = System.currentTimeMillis();
          sm.putSecretValue(r -> r.secretId("bench/db").secretString(value));
          long seen = Long.parseLong(watch.awaitLine("changed ").substring(8));
          lags.add(seen - put);
        }
      }

      long withoutMedian = median(without);
      long withAgentMedian = median(withAgent);
      long withMedian = median(with);
      System.out.println();
      System.out.println("| figure | result | target |");
      System.out.println("|---|---|---|");
      System.out.printf("| start-up, hello world without agent (median of %d) | %d ms | |%n", startRuns, withoutMedian);
      System.out.printf("| start-up, hello world with the agent (median of %d) | %d ms | |%n", startRuns, withAgentMedian);
      System.out.printf("| **start-up overhead of the agent** | **%d ms** | < 150 ms |%n", withAgentMedian - withoutMedian);
      System.out.printf("| start-up, hello world resolving one placeholder at start (median of %d) | %d ms | |%n",
          startRuns, withMedian);
      System.out.printf("| start-up overhead with the first secret fetched before `main` | %d ms | |%n",
          withMedian - withoutMedian);
      System.out.printf("| **cached lookup**, `System.getProperty` of a placeholder property | **%.0f ns** | < 1 µs |%n",
          agentLookup[0]);
      System.out.printf("| `System.getProperty` of a plain property, with agent / without | %.0f ns / %.0f ns | |%n",
          agentLookup[1], plainLookup[1]);
      System.out.printf("| **rotation propagation**, PutSecretValue to the app reading the new value (median / max of %d) "
          + "| **%d ms** / %d ms | < 1 s |%n", rotations, median(lags), Collections.max(lags));
      System.out.printf("%nMachine: %d cores, %s %s, Java %s%n", Runtime.getRuntime().availableProcessors(),
          System.getProperty("os.name"), System.getProperty("os.arch"), System.getProperty("java.version"));
    }
  }

  private static long timeRun(Path agentJar, List<String> jvmArgs, Map<String, String> env) throws Exception {
    long start = System.nanoTime();
    try (ChildJvm app = ChildJvm.start(agentJar, null, jvmArgs, env, HelloApp.class)) {
      app.awaitLine("hello");
      if (app.awaitExit() != 0) {
        throw new IllegalStateException("hello app failed");
      }
    }
    return Duration.ofNanos(System.nanoTime() - start).toMillis();
  }

  /** ns per System.getProperty: [placeholder property, plain property]. */
  private static double[] lookups(Path agentJar, Map<String, String> env) throws Exception {
    List<String> jvmArgs = List.of("-Ddb.password=" + (agentJar == null ? "plain" : PLACEHOLDER), "-Dplain.setting=x");
    try (ChildJvm app = ChildJvm.start(agentJar, null, jvmArgs, env, LookupLoopApp.class)) {
      double placeholder = Double.parseDouble(app.awaitLine("db.password ").substring(12));
      double plain = Double.parseDouble(app.awaitLine("plain.setting ").substring(14));
      app.awaitExit();
      return new double[] {placeholder, plain};
    }
  }

  private static long median(List<Long> values) {
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }

  /** The bootstrap administrator's SDK client for a sidecar on {@code dir}. */
  static SecretsManagerClient client(Sidecar sidecar, Path dir) {
    ProfileFile profile = ProfileFile.builder().content(dir.resolve(DataDirectory.ADMIN_CREDENTIALS))
        .type(ProfileFile.Type.CREDENTIALS).build();
    return SecretsManagerClient.builder().endpointOverride(URI.create(sidecar.endpoint())).region(Region.US_EAST_1)
        .credentialsProvider(ProfileCredentialsProvider.builder().profileFile(profile).profileName("default").build())
        .httpClient(UrlConnectionHttpClient.create()).build();
  }
}
