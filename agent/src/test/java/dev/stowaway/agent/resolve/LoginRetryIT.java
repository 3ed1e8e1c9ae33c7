package dev.stowaway.agent.resolve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stowaway.sidecar.testing.AuditRecords;
import dev.stowaway.sidecar.testing.RunningSidecar;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The retry loop's timing and its questions to a real sidecar, with a login that a test decides
 * (the real databases are in RotationByHandIT and AgentIT).
 */
class LoginRetryIT {

  @TempDir
  static Path dataDir;

  static RunningSidecar sidecar;
  static SecretsManagerClient sm;
  static SidecarClient client;

  private final Resolver resolver = new Resolver(client, Duration.ofMinutes(5), Duration.ofMinutes(15),
      Resolver.SYSTEM_TICKER, new Fingerprints(new SecureRandom()));

  @BeforeAll
  static void start() {
    sidecar = RunningSidecar.in(dataDir);
    sm = sidecar.client();
    String[] admin = sidecar.adminKey();
    client = new SidecarClient(sidecar.endpoint(), new AwsCredentials(admin[0], admin[1], null), "us-east-1",
        Clock.systemUTC(), Duration.ofSeconds(2));
  }

  @AfterAll
  static void stop() {
    sm.close();
    sidecar.close();
  }

  private static final SQLException REFUSED = new SQLException("Access denied", "28000", 1045);

  @Test
  void aLoginRefusedThroughoutIsLetGoAtTheEndOfTheWindowAfterBackingOff() {
    sm.createSecret(r -> r.name("retry/refused").secretString("wrong"));
    Reference ref = new Reference.Secret("retry/refused", null, null, null);
    resolver.resolve(ref);
    List<Long> attempts = new ArrayList<>();
    LoginRetry retry = new LoginRetry(resolver, Duration.ofSeconds(1), Resolver.SYSTEM_TICKER);
    long start = System.nanoTime();
    Object connection = retry.retry(Set.of(ref), REFUSED, values -> {
      attempts.add(System.nanoTime() - start);
      throw REFUSED;
    });
    long took = Duration.ofNanos(System.nanoTime() - start).toMillis();
    assertNull(connection);
    assertTrue(took >= 1000 && took < 1800, "held the thread " + took + " ms for a 1 s window");
    // 100, 200, 400 ms pauses, then the window ends: four attempts, not one every few milliseconds
    assertTrue(attempts.size() >= 3 && attempts.size() <= 5, attempts.toString());
  }

  @Test
  void noVersionIsAskedForThatTheSidecarDidNotSayExists() {
    String arn = sm.createSecret(r -> r.name("retry/quiet").secretString("wrong")).arn();
    Reference ref = new Reference.Secret("retry/quiet", null, null, null);
    resolver.resolve(ref);
    int before = AuditRecords.in(dataDir).size();
    new LoginRetry(resolver, Duration.ofMillis(500), Resolver.SYSTEM_TICKER).retry(Set.of(ref), REFUSED, values -> {
      throw REFUSED;
    });
    List<JsonNode> asked = AuditRecords.in(dataDir).subList(before, AuditRecords.in(dataDir).size());
    assertTrue(asked.stream().noneMatch(r -> r.hasNonNull("errorCode")), asked.toString());
    assertTrue(asked.stream().allMatch(r -> r.path("eventName").asText().equals("DescribeSecret")
        && r.path("requestParameters").path("secretId").asText().equals(arn)), asked.toString());
  }

  @Test
  void aPendingVersionIsTriedOnceTheSidecarSaysItExists() throws Exception {
    sm.createSecret(r -> r.name("retry/pending").secretString("current"));
    sm.putSecretValue(r -> r.secretId("retry/pending").secretString("pending").versionStages("AWSPENDING"));
    Reference ref = new Reference.Secret("retry/pending", null, null, null);
    resolver.resolve(ref);
    List<String> tried = new ArrayList<>();
    Object connection = new LoginRetry(resolver, Duration.ofSeconds(5), Resolver.SYSTEM_TICKER).retry(Set.of(ref),
        REFUSED, values -> {
          tried.add(values.get(ref));
          if (!values.get(ref).equals("pending")) {
            throw REFUSED;
          }
          return "connection";
        });
    assertEquals("connection", connection);
    assertEquals(List.of("current", "pending"), tried);
  }
}
