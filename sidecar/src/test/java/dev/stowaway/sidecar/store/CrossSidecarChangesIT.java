package dev.stowaway.sidecar.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stowaway.sidecar.testing.RunningSidecar;
import dev.stowaway.sidecar.testing.ScratchPostgres;
import dev.stowaway.sidecar.testing.SseReader;
import dev.stowaway.vault.identity.Caller;
import dev.stowaway.vault.identity.NewAccessKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.SecretsManagerException;

/** Two sidecars on one PostgreSQL store hear each other's changes, and catch up after losing the connection. */
class CrossSidecarChangesIT {

  @TempDir Path first;
  @TempDir Path second;
  private ScratchPostgres db;
  private RunningSidecar a;
  private RunningSidecar b;
  private String[] admin;

  @BeforeEach
  void start() throws Exception {
    db = ScratchPostgres.create();
    Map<String, String> env = Map.of("STOWAWAY_STORE", "postgresql", "STOWAWAY_STORE_URL", db.url(),
        "STOWAWAY_STORE_USER", db.user());
    a = RunningSidecar.on(first, env);
    Files.copy(first.resolve("root.key"), second.resolve("root.key"));
    b = RunningSidecar.on(second, env);
    admin = a.adminKey();
  }

  @AfterEach
  void stop() {
    b.close();
    a.close();
    db.close();
  }

  private static SseReader.Event nextChange(SseReader feed) throws InterruptedException {
    while (true) {
      SseReader.Event event = feed.next();
      if (event == null || event.event().equals("change")) {
        return event;
      }
    }
  }

  @Test
  void anAgentOnOneSidecarHearsOfAChangeMadeThroughAnother() throws Exception {
    try (SecretsManagerClient viaA = a.client(admin[0], admin[1]);
         SseReader feedOnB = new SseReader(b.endpoint(), admin[0], admin[1], null)) {
      assertEquals("reset", feedOnB.next().event());
      long put = System.nanoTime();
      String arn = viaA.createSecret(r -> r.name("prod/db").secretString("v1")).arn();
      SseReader.Event change = nextChange(feedOnB);
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - put);
      var data = new ObjectMapper().readTree(change.data());
      assertEquals(arn, data.path("arn").asText());
      assertEquals("prod/db", data.path("name").asText());
      System.out.println("change through sidecar A reached an agent on sidecar B in " + millis + " ms");
    }
  }

  @Test
  void aPolicyChangedThroughOneSidecarBindsTheOtherAtOnce() throws Exception {
    var iam = a.sidecar().vault().identity().as(Caller.SYSTEM);
    iam.createUser("app", null);
    iam.putUserPolicy("app", "read", "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"secretsmanager:GetSecretValue\","
        + "\"Resource\":\"*\"}}");
    NewAccessKey key = iam.createAccessKey("app");
    try (SecretsManagerClient viaA = a.client(admin[0], admin[1]);
         SecretsManagerClient appOnB = b.client(key.accessKeyId(), key.secretAccessKey())) {
      viaA.createSecret(r -> r.name("prod/db").secretString("v1"));
      assertEquals("v1", appOnB.getSecretValue(r -> r.secretId("prod/db")).secretString());
      iam.putUserPolicy("app", "deny", "{\"Statement\":{\"Effect\":\"Deny\",\"Action\":\"secretsmanager:*\","
          + "\"Resource\":\"*\"}}");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (true) {
        try {
          appOnB.getSecretValue(r -> r.secretId("prod/db"));
        } catch (SecretsManagerException denied) {
          assertEquals("AccessDeniedException", denied.awsErrorDetails().errorCode());
          break;
        }
        assertTrue(System.nanoTime() < deadline, "sidecar B still allows what A's change denies");
      }
    }
  }

  @Test
  void lookupEventsThroughOneSidecarFindsWhatAnotherServed() throws Exception {
    try (SecretsManagerClient viaA = a.client(admin[0], admin[1]);
         SecretsManagerClient viaB = b.client(admin[0], admin[1]);
         var trailViaA = software.amazon.awssdk.services.cloudtrail.CloudTrailClient.builder()
             .endpointOverride(a.endpoint()).region(software.amazon.awssdk.regions.Region.US_EAST_1)
             .credentialsProvider(a.adminCredentials())
             .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create()).build()) {
      viaA.createSecret(r -> r.name("prod/db").secretString("v1"));
      String readThroughB = viaB.getSecretValue(r -> r.secretId("prod/db")).responseMetadata().requestId();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (true) {
        var events = trailViaA.lookupEvents(r -> r.lookupAttributes(l -> l.attributeKey("ResourceName")
            .attributeValue("prod/db"))).events();
        boolean found = events.stream().anyMatch(e -> e.cloudTrailEvent().contains(readThroughB));
        if (found) {
          // Both sidecars' records, A's create and B's read (within one second their order is CloudTrail's: any).
          assertTrue(events.stream().anyMatch(e -> e.eventName().equals("CreateSecret")));
          assertEquals(2, events.size(), events.toString());
          break;
        }
        assertTrue(System.nanoTime() < deadline, "B's read never reached the shared index");
      }
    }
  }

  @Test
  void droppedDatabaseConnectionsUnderLoadLoseNoAcknowledgedWrite() throws Exception {
    try (SecretsManagerClient viaA = a.client(admin[0], admin[1]);
         SecretsManagerClient viaB = b.client(admin[0], admin[1])) {
      viaA.createSecret(r -> r.name("busy/db").secretString("v0"));
      java.util.Set<String> acknowledged = java.util.concurrent.ConcurrentHashMap.newKeySet();
      java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
      java.util.concurrent.ExecutorService load = java.util.concurrent.Executors.newFixedThreadPool(4);
      java.util.concurrent.atomic.AtomicBoolean go = new java.util.concurrent.atomic.AtomicBoolean(true);
      for (int t = 0; t < 4; t++) {
        SecretsManagerClient client = t % 2 == 0 ? viaA : viaB;
        load.execute(() -> {
          while (go.get() && acknowledged.size() < 90) { // under 100 versions, so none is pruned
            try {
              acknowledged.add(client.putSecretValue(r -> r.secretId("busy/db").secretString("x")).versionId());
            } catch (SecretsManagerException e) {
              refused.incrementAndGet(); // not acknowledged: the client would retry
            }
          }
        });
      }
      long warmUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (acknowledged.size() < 10 && System.nanoTime() < warmUp) {
        Thread.onSpinWait();
      }
      db.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
          + "AND pid <> pg_backend_pid()");
      int before = acknowledged.size();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (acknowledged.size() < Math.min(before + 20, 90) && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      go.set(false);
      load.shutdown();
      assertTrue(load.awaitTermination(30, TimeUnit.SECONDS));
      assertTrue(acknowledged.size() >= Math.min(before + 20, 90), "writes go on after the connections were dropped");
      java.util.Set<String> stored = new java.util.HashSet<>();
      String token = null;
      do {
        var page = a.sidecar().vault().secrets().listVersionIds("busy/db", true, 100, token);
        page.versions().forEach(v -> stored.add(v.versionId()));
        token = page.nextToken();
      } while (token != null);
      assertTrue(stored.containsAll(acknowledged), "an acknowledged write was lost");
      System.out.println("dropped connections under load: " + acknowledged.size() + " writes acknowledged, "
          + refused.get() + " refused while reconnecting, none lost");
    }
  }

  @Test
  void aSidecarThatLostItsConnectionCatchesUpWithoutMissingAChange() throws Exception {
    try (SecretsManagerClient viaA = a.client(admin[0], admin[1]);
         SseReader feedOnB = new SseReader(b.endpoint(), admin[0], admin[1], null)) {
      assertEquals("reset", feedOnB.next().event());
      db.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'stowaway-changes' "
          + "AND pid <> pg_backend_pid()");
      String arn = viaA.createSecret(r -> r.name("while/away").secretString("v1")).arn();
      viaA.putSecretValue(r -> r.secretId("while/away").secretString("v2"));
      assertEquals(arn, new ObjectMapper().readTree(nextChange(feedOnB).data()).path("arn").asText());
      assertEquals(arn, new ObjectMapper().readTree(nextChange(feedOnB).data()).path("arn").asText(),
          "both changes made while B was away arrive");
    }
  }
}
