package dev.stowaway.sidecar.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stowaway.sidecar.testing.AuditRecords;
import dev.stowaway.sidecar.testing.RunningSidecar;
import dev.stowaway.sidecar.testing.SseReader;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/** The agents' change feed over a real connection. */
class ChangeStreamIT {

  @TempDir
  static Path dataDir;

  static RunningSidecar sidecar;
  static SecretsManagerClient sm;
  static String keyId;
  static String secret;
  static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void start() {
    sidecar = RunningSidecar.in(dataDir);
    sm = sidecar.client();
    keyId = sidecar.adminKey()[0];
    secret = sidecar.adminKey()[1];
  }

  @AfterAll
  static void stop() {
    sm.close();
    sidecar.close();
  }

  @Test
  void aNewSubscriberStartsWithAResetThenSeesEachCommittedChange() throws Exception {
    try (SseReader feed = new SseReader(sidecar.endpoint(), keyId, secret, null)) {
      assertEquals(200, feed.status());
      assertEquals("reset", feed.next().event());
      String arn = sm.createSecret(r -> r.name("feed/a").secretString("one")).arn();
      String v2 = sm.putSecretValue(r -> r.secretId("feed/a").secretString("two")).versionId();
      SseReader.Event created = feed.next();
      assertEquals("change", created.event());
      SseReader.Event put = feed.next();
      JsonNode data = JSON.readTree(put.data());
      assertEquals(arn, data.get("arn").asText());
      assertEquals("feed/a", data.get("name").asText());
      assertEquals("PutSecretValue", data.get("operation").asText());
      assertEquals("AWSCURRENT", data.get("versionIdsToStages").get(v2).get(0).asText());
      assertTrue(put.id().matches("[0-9a-f]{8}:\\d+"), put.id());
    }
  }

  @Test
  void aSubscriberThatComesBackIsGivenWhatItMissed() throws Exception {
    String resumeFrom;
    try (SseReader feed = new SseReader(sidecar.endpoint(), keyId, secret, null)) {
      feed.next(); // reset
      sm.createSecret(r -> r.name("feed/b").secretString("one"));
      resumeFrom = feed.next().id();
    }
    sm.putSecretValue(r -> r.secretId("feed/b").secretString("two"));
    sm.putSecretValue(r -> r.secretId("feed/b").secretString("three"));
    try (SseReader feed = new SseReader(sidecar.endpoint(), keyId, secret, resumeFrom)) {
      SseReader.Event first = feed.next();
      SseReader.Event second = feed.next();
      assertEquals("change", first.event());
      assertEquals("feed/b", JSON.readTree(first.data()).get("name").asText());
      long from = Long.parseLong(resumeFrom.split(":")[1]);
      assertEquals(from + 1, Long.parseLong(first.id().split(":")[1]));
      assertEquals(from + 2, Long.parseLong(second.id().split(":")[1]));
    }
  }

  @Test
  void anIdFromAnotherRunOfTheSidecarGetsAReset() throws Exception {
    try (SseReader feed = new SseReader(sidecar.endpoint(), keyId, secret, "00000000:12")) {
      assertEquals("reset", feed.next().event());
    }
  }

  @Test
  void aSubscriberHearsOnlyOfSecretsItMayRead() throws Exception {
    var iam = sidecar.sidecar().vault().identity();
    iam.createUser("listener", null);
    iam.putUserPolicy("listener", "read-prod", "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":"
        + "\"secretsmanager:GetSecretValue\",\"Resource\":\"arn:aws:secretsmanager:*:*:secret:visible/*\"}}");
    var key = iam.createAccessKey("listener");
    try (SseReader feed = new SseReader(sidecar.endpoint(), key.accessKeyId(), key.secretAccessKey(), null)) {
      assertEquals("reset", feed.next().event());
      sm.createSecret(r -> r.name("hidden/x").secretString("h"));
      sm.createSecret(r -> r.name("visible/y").secretString("v"));
      SseReader.Event first = feed.next();
      assertEquals("visible/y", JSON.readTree(first.data()).get("name").asText());
    }
  }

  @Test
  void anUnknownKeyIsRefusedBeforeAnyStreamStarts() {
    try (SseReader feed = new SseReader(sidecar.endpoint(), "AKIAUNKNOWNUNKNOWN00", "x", null)) {
      assertEquals(400, feed.status());
      assertTrue(feed.errorBody().contains("UnrecognizedClientException"), feed.errorBody());
    }
    JsonNode record = AuditRecords.last(dataDir);
    assertEquals("SubscribeToChangeFeed", record.path("eventName").asText());
    assertEquals("UnrecognizedClientException", record.path("errorCode").asText());
    assertEquals("AKIAUNKNOWNUNKNOWN00", record.path("userIdentity").path("accessKeyId").asText());
  }

  @Test
  void subscribingIsAudited() throws Exception {
    try (SseReader feed = new SseReader(sidecar.endpoint(), keyId, secret, null)) {
      assertEquals("reset", feed.next().event());
      JsonNode record = AuditRecords.last(dataDir);
      assertEquals("SubscribeToChangeFeed", record.path("eventName").asText());
      assertEquals("secretsmanager.amazonaws.com", record.path("eventSource").asText());
      assertEquals("admin", record.path("userIdentity").path("userName").asText());
      assertTrue(record.path("errorCode").isMissingNode());
    }
  }
}
