package dev.stowaway.sidecar.testing;

import dev.stowaway.sidecar.Sidecar;
import dev.stowaway.sidecar.config.DataDirectory;
import dev.stowaway.sidecar.config.ServerConfig;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * A sidecar running in this JVM on a free port over a temp data directory, and real AWS SDK v2
 * clients pointed at it with the bootstrap administrator's credentials from the file it wrote.
 */
public final class RunningSidecar implements AutoCloseable {

  private final Path dataDir;
  private final Clock clock;
  private final Sidecar.Tuning tuning;
  private final Map<String, String> env;
  private final String[] settings;
  private Sidecar sidecar;
  private int lastPort;

  private RunningSidecar(Path dataDir, Clock clock, Sidecar.Tuning tuning, Map<String, String> env,
      String... settings) {
    this.dataDir = dataDir;
    this.clock = clock;
    this.tuning = tuning;
    this.env = env;
    this.settings = settings;
    this.sidecar = start();
  }

  public static RunningSidecar in(Path dataDir) {
    return in(dataDir, Clock.systemUTC());
  }

  public static RunningSidecar in(Path dataDir, Clock clock) {
    return in(dataDir, clock, Sidecar.Tuning.defaults().withSweepInterval(Duration.ofHours(1)));
  }

  /** With settings the command line does not have: short retry delays, small audit files. */
  public static RunningSidecar in(Path dataDir, Clock clock, Sidecar.Tuning tuning) {
    return new RunningSidecar(dataDir, clock, tuning, Map.of());
  }

  /** With command-line settings, such as {@code "--rotation-targets", "h2:/tmp/x/*"}. */
  public static RunningSidecar with(Path dataDir, String... settings) {
    return new RunningSidecar(dataDir, Clock.systemUTC(),
        Sidecar.Tuning.defaults().withSweepInterval(Duration.ofHours(1)), Map.of(), settings);
  }

  /** On the store the {@code STOWAWAY_STORE*} variables in {@code env} name (a shared PostgreSQL database). */
  public static RunningSidecar on(Path dataDir, Map<String, String> env) {
    return new RunningSidecar(dataDir, Clock.systemUTC(),
        Sidecar.Tuning.defaults().withSweepInterval(Duration.ofHours(1)), env);
  }

  private Sidecar start() {
    return start(0);
  }

  private Sidecar start(int port) {
    String[] args = java.util.stream.Stream.concat(java.util.stream.Stream.of("--data-dir", dataDir.toString(),
        "--port", String.valueOf(port), "--access-log", "false"), java.util.Arrays.stream(settings))
        .toArray(String[]::new);
    ServerConfig config = ServerConfig.parse(args, env);
    return Sidecar.start(config, null, clock, new SecureRandom(), tuning);
  }

  /** Stops serving (as a crash or an upgrade would) until {@link #startAgainOnSamePort()}. */
  public void stop() {
    lastPort = sidecar.port();
    sidecar.close();
  }

  /** Comes back where clients expect it: same data, same port. */
  public void startAgainOnSamePort() {
    sidecar = start(lastPort);
  }

  /** Stops and starts again on the same data directory (and a new port). */
  public void restart() {
    sidecar.close();
    sidecar = start();
  }

  public URI endpoint() {
    return URI.create(sidecar.endpoint());
  }

  public Sidecar sidecar() {
    return sidecar;
  }

  public Path dataDir() {
    return dataDir;
  }

  /** The administrator, read through the SDK's own profile parser from admin-credentials. */
  public AwsCredentialsProvider adminCredentials() {
    ProfileFile file = ProfileFile.builder()
        .content(dataDir.resolve(DataDirectory.ADMIN_CREDENTIALS))
        .type(ProfileFile.Type.CREDENTIALS)
        .build();
    return ProfileCredentialsProvider.builder().profileFile(file).profileName("default").build();
  }

  /** The administrator's access key id and secret, as written in admin-credentials. */
  public String[] adminKey() {
    java.util.Properties p = new java.util.Properties();
    try (var in = java.nio.file.Files.newInputStream(dataDir.resolve(DataDirectory.ADMIN_CREDENTIALS))) {
      p.load(in);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return new String[] {p.getProperty("aws_access_key_id"), p.getProperty("aws_secret_access_key")};
  }

  public SecretsManagerClient client() {
    return client(adminCredentials());
  }

  public SecretsManagerClient client(String accessKeyId, String secretAccessKey) {
    return client(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKeyId, secretAccessKey)));
  }

  public SecretsManagerClient client(AwsCredentialsProvider credentials) {
    RetryStrategy noRetries = AwsRetryStrategy.doNotRetry();
    return SecretsManagerClient.builder()
        .endpointOverride(endpoint())
        .region(Region.US_EAST_1)
        .credentialsProvider(credentials)
        .httpClient(UrlConnectionHttpClient.create())
        .overrideConfiguration(c -> c.retryStrategy(noRetries))
        .build();
  }

  @Override
  public void close() {
    sidecar.close();
  }
}
