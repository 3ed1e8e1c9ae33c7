package dev.stowaway.sidecar.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stowaway.sidecar.localagent.AgentTokens;
import dev.stowaway.sidecar.testing.AuditRecords;
import dev.stowaway.sidecar.testing.RunningSidecar;
import dev.stowaway.sidecar.testing.SseReader;
import dev.stowaway.vault.Vault;
import dev.stowaway.vault.identity.NewAccessKey;
import dev.stowaway.vault.identity.NewSession;
import dev.stowaway.vault.identity.Principal;
import dev.stowaway.vault.secrets.CreateSecret;
import dev.stowaway.vault.secrets.SecretValue;
import dev.stowaway.vault.secrets.Tag;
import dev.stowaway.vault.testing.MutableClock;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The change feed decides who hears of a secret exactly as GetSecretValue does (tags, resource
 * policies and all), and a stream lives no longer than the credential it was opened with.
 */
class ChangeStreamAuthorizationIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicInteger NAMES = new AtomicInteger();

  @TempDir
  static Path dataDir;

  static RunningSidecar sidecar;
  static Vault vault;

  @BeforeAll
  static void start() {
    sidecar = RunningSidecar.in(dataDir);
    vault = sidecar.sidecar().vault();
  }

  @AfterAll
  static void stop() {
    sidecar.close();
  }

  @Test
  void aTagConditionedDenySilencesTheFeedForThatSecret() throws Exception {
    NewAccessKey key = user("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"secretsmanager:GetSecretValue\","
        + "\"Resource\":\"*\"},{\"Effect\":\"Deny\",\"Action\":\"secretsmanager:GetSecretValue\",\"Resource\":\"*\","
        + "\"Condition\":{\"StringEquals\":{\"secretsmanager:ResourceTag/team\":\"payments\"}}}]}");
    try (SseReader feed = new SseReader(sidecar.endpoint(), key.accessKeyId(), key.secretAccessKey(), null)) {
      assertEquals("reset", feed.next().event());
      String hidden = create(new Tag("team", "payments"));
      String visible = create(new Tag("team", "search"));
      SseReader.Event first = feed.next();
      assertEquals(visible, JSON.readTree(first.data()).get("name").asText(), "heard of " + hidden + " first");
    }
  }

  @Test
  void aTagConditionedAllowLetsTheSubscriberHear() throws Exception {
    NewAccessKey key = user("{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"secretsmanager:GetSecretValue\","
        + "\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"aws:ResourceTag/team\":\"payments\"}}}}");
    try (SseReader feed = new SseReader(sidecar.endpoint(), key.accessKeyId(), key.secretAccessKey(), null)) {
      assertEquals("reset", feed.next().event());
      create(new Tag("team", "search"));
      String tagged = create(new Tag("team", "payments"));
      assertEquals(tagged, JSON.readTree(feed.next().data()).get("name").asText());
    }
  }

  @Test
  void aRevokedTokenClosesItsStreamAtTheNextChange() throws Exception {
    String user = "token-" + NAMES.incrementAndGet();
    vault.identity().createUser(user, null);
    vault.identity().putUserPolicy(user, "read", READ_ALL);
    AgentTokens tokens = AgentTokens.in(dataDir);
    AgentTokens.Issued issued = tokens.create(user, new SecureRandom(), Instant.now());
    try (SseReader feed = SseReader.withToken(sidecar.endpoint(), issued.token())) {
      assertEquals("reset", feed.next().event());
      tokens.revoke(issued.id(), null);
      create();
      assertClosed(feed, "The agent token was revoked.");
    }
  }

  @Test
  void aDeactivatedAccessKeyClosesItsStreamAtTheNextChange() throws Exception {
    NewAccessKey key = user(READ_ALL);
    try (SseReader feed = new SseReader(sidecar.endpoint(), key.accessKeyId(), key.secretAccessKey(), null)) {
      assertEquals("reset", feed.next().event());
      vault.identity().updateAccessKey(key.userName(), key.accessKeyId(), "Inactive");
      create();
      assertClosed(feed, "The access key " + key.accessKeyId() + " is inactive.");
    }
  }

  @Test
  void aDeletedAccessKeyClosesItsStreamAtTheNextChange() throws Exception {
    NewAccessKey key = user(READ_ALL);
    try (SseReader feed = new SseReader(sidecar.endpoint(), key.accessKeyId(), key.secretAccessKey(), null)) {
      assertEquals("reset", feed.next().event());
      vault.identity().deleteAccessKey(key.userName(), key.accessKeyId());
      create();
      assertClosed(feed, "The access key " + key.accessKeyId() + " no longer exists.");
    }
  }

  @Test
  void aTokenStreamKeepsHearingAfterItsFirstUseBoundTheToken() throws Exception {
    String user = "token-" + NAMES.incrementAndGet();
    vault.identity().createUser(user, null);
    vault.identity().putUserPolicy(user, "read", READ_ALL);
    AgentTokens tokens = AgentTokens.in(dataDir);
    AgentTokens.Issued issued = tokens.create(user, new SecureRandom(), Instant.now());
    try (SseReader feed = SseReader.withToken(sidecar.endpoint(), issued.token())) {
      assertEquals("reset", feed.next().event());
      // Opening the stream bound the token to the user's unique id, which rewrote its entry in the file.
      assertTrue(java.nio.file.Files.readString(dataDir.resolve("agent-tokens")).contains("AIDA"));
      sidecar.sidecar().changeStream().recheckCredentials();
      String name = create();
      SseReader.Event next = feed.next();
      assertEquals("change", next.event(), next.toString());
      assertEquals(name, JSON.readTree(next.data()).get("name").asText());
    }
  }

  @Test
  void aRevokedTokenClosesItsStreamEvenWithoutChanges() throws Exception {
    String user = "quiet-" + NAMES.incrementAndGet();
    vault.identity().createUser(user, null);
    AgentTokens tokens = AgentTokens.in(dataDir);
    AgentTokens.Issued issued = tokens.create(user, new SecureRandom(), Instant.now());
    try (SseReader feed = SseReader.withToken(sidecar.endpoint(), issued.token())) {
      assertEquals("reset", feed.next().event());
      tokens.revoke(issued.id(), null);
      sidecar.sidecar().changeStream().recheckCredentials(); // what its timer does every 15 s
      assertClosed(feed, "The agent token was revoked.");
    }
  }

  @Test
  void closingAStreamForItsCredentialIsAudited() throws Exception {
    NewAccessKey key = user(READ_ALL);
    try (SseReader feed = new SseReader(sidecar.endpoint(), key.accessKeyId(), key.secretAccessKey(), null)) {
      assertEquals("reset", feed.next().event());
      vault.identity().updateAccessKey(key.userName(), key.accessKeyId(), "Inactive");
      sidecar.sidecar().changeStream().recheckCredentials();
      assertClosed(feed, "The access key " + key.accessKeyId() + " is inactive.");
    }
    JsonNode record = AuditRecords.in(dataDir).stream()
        .filter(r -> r.path("eventName").asText().equals(ChangeStream.CLOSED_AUDIT_EVENT_NAME)).reduce((a, b) -> b)
        .orElseThrow();
    assertEquals("AwsServiceEvent", record.path("eventType").asText());
    assertEquals(key.accessKeyId(), record.path("serviceEventDetails").path("accessKeyId").asText());
    assertEquals("The access key " + key.accessKeyId() + " is inactive.",
        record.path("serviceEventDetails").path("reason").asText());
  }

  @Test
  void anExpiredSessionClosesItsStreamAtTheNextChange(@TempDir Path ownDir) throws Exception {
    MutableClock clock = new MutableClock(Instant.now());
    try (RunningSidecar timed = RunningSidecar.in(ownDir, clock)) {
      Vault v = timed.sidecar().vault();
      v.identity().createUser("session-user", null);
      v.identity().putUserPolicy("session-user", "read", READ_ALL);
      NewAccessKey key = v.identity().createAccessKey("session-user");
      NewSession session = v.sessions().getSessionToken(v.identity().callerFor(
          new Principal("session-user", v.identity().userArn("session-user"), key.accessKeyId()), "127.0.0.1", false),
          900, null, null);
      try (SseReader feed = SseReader.withSession(timed.endpoint(), session.accessKeyId(), session.secretAccessKey(),
          session.sessionToken(), clock)) {
        assertEquals(200, feed.status(), feed.errorBody());
        assertEquals("reset", feed.next().event());
        clock.advance(Duration.ofSeconds(901));
        v.secrets().create(new CreateSecret("late/one", null, null, SecretValue.ofString("x"), null, List.of()));
        assertClosed(feed, "The session credentials expired.");
      }
    }
  }

  private static final String READ_ALL = "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":"
      + "\"secretsmanager:GetSecretValue\",\"Resource\":\"*\"}}";

  private static void assertClosed(SseReader feed, String reason) throws Exception {
    SseReader.Event last = feed.next();
    assertEquals("closed", last.event(), last.toString());
    assertEquals(reason, JSON.readTree(last.data()).get("reason").asText());
    assertTrue(feed.endedByServer(), "the stream stays open");
  }

  /** A new user with this policy and an access key. */
  private static NewAccessKey user(String policy) {
    String name = "listener-" + NAMES.incrementAndGet();
    vault.identity().createUser(name, null);
    vault.identity().putUserPolicy(name, "feed", policy);
    return vault.identity().createAccessKey(name);
  }

  /** Creates a secret with these tags, as the vault itself; returns its name. */
  private static String create(Tag... tags) {
    String name = "feed/s" + NAMES.incrementAndGet();
    vault.secrets().create(new CreateSecret(name, null, null, SecretValue.ofString("v"), null, List.of(tags)));
    return name;
  }
}
