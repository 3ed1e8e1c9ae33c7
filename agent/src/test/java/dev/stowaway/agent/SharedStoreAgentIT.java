package dev.stowaway.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stowaway.agent.app.CommandApp;
import dev.stowaway.agent.testing.AgentProcess;
import dev.stowaway.sidecar.testing.RunningSidecar;
import dev.stowaway.sidecar.testing.ScratchPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * Three sidecars on one PostgreSQL store act as one vault: a secret rotated through the first
 * reaches an application whose agent talks to the third.
 */
class SharedStoreAgentIT {

  @TempDir Path one;
  @TempDir Path two;
  @TempDir Path three;

  /** The agent's subscription to the change feed is in that sidecar's audit trail once it is made. */
  private static void awaitSubscription(Path dataDir) {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
    while (dev.stowaway.sidecar.testing.AuditRecords.in(dataDir).stream()
        .noneMatch(r -> r.path("eventName").asText().equals("SubscribeToChangeFeed"))) {
      assertTrue(System.nanoTime() < deadline, "the agent never subscribed to the change feed");
    }
  }

  @Test
  void aRotationThroughOneSidecarReachesAnAgentOnAnother() throws Exception {
    try (ScratchPostgres db = ScratchPostgres.create()) {
      Map<String, String> env = Map.of("STOWAWAY_STORE", "postgresql", "STOWAWAY_STORE_URL", db.url(),
          "STOWAWAY_STORE_USER", db.user());
      try (RunningSidecar a = RunningSidecar.on(one, env)) {
        Files.copy(one.resolve("root.key"), two.resolve("root.key"));
        Files.copy(one.resolve("root.key"), three.resolve("root.key"));
        try (RunningSidecar b = RunningSidecar.on(two, env);
             RunningSidecar c = RunningSidecar.on(three, env);
             SecretsManagerClient viaA = a.client()) {
          viaA.createSecret(r -> r.name("shared/db").secretString("{\"password\":\"before\"}"));
          try (SecretsManagerClient viaB = b.client(a.adminKey()[0], a.adminKey()[1])) {
            assertEquals("{\"password\":\"before\"}", viaB.getSecretValue(r -> r.secretId("shared/db")).secretString());
          }
          try (AgentProcess.Running app = new AgentProcess()
              .env("AWS_SHARED_CREDENTIALS_FILE", one.resolve("admin-credentials").toString())
              .env("STOWAWAY_ENDPOINT", c.endpoint().toString())
              .agentArgs("ttl=1h")
            .sysprop("db.password", "{{resolve:secretsmanager:shared/db:SecretString:password}}")
              .start(CommandApp.class)) {
            app.await(l -> l.equals("ready"), 60);
            awaitSubscription(three); // the agent follows C's change feed from here on
            app.send("prop db.password");
            assertEquals("db.password=before", app.await(l -> l.startsWith("db.password="), 30));
            long rotated = System.nanoTime();
            viaA.rotateSecret(r -> r.secretId("shared/db")
                .rotationLambdaARN("arn:aws:lambda:us-east-1:123456789012:function:stowaway-random-password"));
            a.sidecar().rotations().awaitIdle();
            // With a one-hour TTL, only the change feed can make the agent read the value again.
            String after;
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
            do {
              app.send("prop db.password");
              after = app.await(l -> l.startsWith("db.password="), 30);
              assertTrue(System.nanoTime() < deadline, "the agent on C never saw the rotation through A");
            } while (after.equals("db.password=before"));
            long millis = (System.nanoTime() - rotated) / 1_000_000;
            assertTrue(after.length() > "db.password=".length() + 20, after);
            System.out.println("rotation through sidecar A reached the agent on sidecar C in " + millis + " ms");
            app.send("exit");
          }
        }
      }
    }
  }
}
