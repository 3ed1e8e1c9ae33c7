package dev.stowaway.benchmarks.jmh;

import dev.stowaway.agent.resolve.Fingerprints;
import dev.stowaway.agent.resolve.Resolver;
import dev.stowaway.agent.resolve.SidecarClient;
import dev.stowaway.sidecar.Sidecar;
import dev.stowaway.sidecar.config.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The agent's hot path: resolving a string holding a placeholder whose value is cached (what
 * {@code System.getProperty} of such a property costs the application), against a real sidecar
 * that served the first fetch.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class AgentLookupBenchmark {

  private static final String PLACEHOLDER = "{{resolve:secretsmanager:prod/db:SecretString:password}}";

  private Path dir;
  private Sidecar sidecar;
  private Resolver resolver;

  @Setup
  public void setUp() throws Exception {
    dir = Files.createTempDirectory("stowaway-jmh-agent-");
    sidecar = Sidecar.start(ServerConfig.parse(new String[] {"--data-dir", dir.toString(), "--port", "0",
        "--access-log", "false"}, Map.of()), null, Clock.systemUTC(), new SecureRandom(), Sidecar.Tuning.defaults());
    String token = dev.stowaway.sidecar.localagent.AgentTokens.in(dir).create("admin", new SecureRandom(),
        java.time.Instant.now()).token();
    sidecar.vault().secrets().create(new dev.stowaway.vault.secrets.CreateSecret("prod/db", null, null,
        dev.stowaway.vault.secrets.SecretValue.ofString("{\"password\":\"bench\"}"), null, java.util.List.of()));
    resolver = new Resolver(SidecarClient.withToken(java.net.URI.create(sidecar.endpoint()), token,
        Duration.ofSeconds(2)), Duration.ofHours(1), Duration.ofMinutes(15), dev.stowaway.agent.resolve.Resolver.SYSTEM_TICKER, new Fingerprints());
    if (!"bench".equals(resolver.apply(PLACEHOLDER))) {
      throw new IllegalStateException("the placeholder did not resolve");
    }
  }

  @TearDown
  public void tearDown() throws Exception {
    sidecar.close();
    try (var all = Files.walk(dir)) {
      all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Benchmark
  public String cachedPlaceholderLookup() {
    return resolver.apply(PLACEHOLDER);
  }
}
