package dev.stowaway.agent.resolve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.stowaway.sidecar.testing.RunningSidecar;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/** The resolver, its caches and the polling fallback, against a real sidecar. */
class ResolverIT {

  @TempDir
  static Path dataDir;

  static RunningSidecar sidecar;
  static SecretsManagerClient sm;
  static SidecarClient client;

  private final AtomicLong nanos = new AtomicLong();
  private final LongSupplier ticker = nanos::get;
  private final Resolver resolver = new Resolver(client, Duration.ofMinutes(5), Duration.ofMinutes(15), ticker,
      new Fingerprints(new SecureRandom()));

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

  private static Reference.Secret ref(String id) {
    return new Reference.Secret(id, null, null, null);
  }

  @Test
  void valuesAreCachedForTheirTtl() {
    sm.createSecret(r -> r.name("cache/a").secretString("one"));
    assertEquals("one", resolver.resolve(ref("cache/a")).value());
    sm.putSecretValue(r -> r.secretId("cache/a").secretString("two"));
    assertEquals("one", resolver.resolve(ref("cache/a")).value());
    nanos.addAndGet(Duration.ofMinutes(5).toNanos());
    assertEquals("two", resolver.resolve(ref("cache/a")).value());
  }

  @Test
  void invalidateDropsEveryWayOfNamingTheSecret() {
    String arn = sm.createSecret(r -> r.name("cache/b").secretString("{\"u\":\"x\",\"p\":\"y\"}")).arn();
    resolver.resolve(ref("cache/b"));
    resolver.resolve(new Reference.Secret(arn, "p", null, null));
    resolver.resolve(new Reference.Secret(arn.substring(0, arn.length() - 7), "u", null, null));
    assertEquals(3, resolver.invalidate(arn, "cache/b"));
    assertEquals(Map.of(), resolver.cached());
  }

  @Test
  void fingerprintsNameTheReferenceAValueCameFrom() {
    sm.createSecret(r -> r.name("cache/c").secretString("copied-value"));
    resolver.resolve(ref("cache/c"));
    assertEquals(ref("cache/c"), resolver.referenceOf("copied-value"));
    assertNull(resolver.referenceOf("something-else"));
  }

  @Test
  void wholeStringsWithSeveralPlaceholders() {
    sm.createSecret(r -> r.name("cache/d").secretString("{\"host\":\"db.internal\",\"port\":5432}"));
    assertEquals("jdbc:postgresql://db.internal:5432/app", resolver.apply(
        "jdbc:postgresql://{{resolve:secretsmanager:cache/d:SecretString:host}}:{{resolve:secretsmanager:cache/d:SecretString:port}}/app"));
  }

  @Test
  void jsonKeyThatIsAnObjectIsRefused() {
    sm.createSecret(r -> r.name("cache/e").secretString("{\"nested\":{\"a\":1}}"));
    ResolutionException e = assertThrows(ResolutionException.class,
        () -> resolver.resolve(new Reference.Secret("cache/e", "nested", null, null)));
    assertEquals("{{resolve:secretsmanager:cache/e:SecretString:nested}}: JSON key 'nested' does not hold a string, "
        + "number or boolean", e.getMessage());
  }

  @Test
  void pollingNoticesAMovedLabelWithoutTheFeed() {
    sm.createSecret(r -> r.name("poll/a").secretString("one"));
    ChangeFeedFollower follower = new ChangeFeedFollower(client, resolver, Clock.systemUTC());
    assertEquals("one", resolver.resolve(ref("poll/a")).value());
    assertEquals(0, follower.pollOnce());
    sm.putSecretValue(r -> r.secretId("poll/a").secretString("two"));
    assertEquals(1, follower.pollOnce());
    assertEquals("two", resolver.resolve(ref("poll/a")).value());
  }

  @Test
  void aChangeEventDropsTheSecretsCachedValues() {
    String arn = sm.createSecret(r -> r.name("event/a").secretString("one")).arn();
    resolver.resolve(ref("event/a"));
    sm.putSecretValue(r -> r.secretId("event/a").secretString("two"));
    new ChangeFeedFollower(client, resolver, Clock.systemUTC()).dispatch("change",
        "{\"arn\":\"" + arn + "\",\"name\":\"event/a\",\"operation\":\"PutSecretValue\",\"time\":1.0}");
    assertEquals("two", resolver.resolve(ref("event/a")).value());
  }
}
