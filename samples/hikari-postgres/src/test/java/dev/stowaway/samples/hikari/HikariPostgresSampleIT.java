package dev.stowaway.samples.hikari;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stowaway.sidecar.testing.RunningSidecar;
import dev.stowaway.sidecar.testing.ScramPostgres;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The sample service on a private PostgreSQL cluster that checks passwords (scram-sha-256): its
 * password rotates while it queries, and not one query fails.
 */
class HikariPostgresSampleIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dataDir;

  private static Path jar(String property) {
    Path jar = Path.of(System.getProperty(property));
    assertTrue(Files.isRegularFile(jar), jar + " is missing: run mvn verify, which builds it first");
    return jar;
  }

  @Test
  void thePoolCarriesOnThroughARotationAndLogsInWithTheNewPassword() throws Exception {
    try (ScramPostgres pg = ScramPostgres.start();
         RunningSidecar sidecar = RunningSidecar.in(dataDir);
         SecretsManagerClient sm = sidecar.client()) {
      pg.createRole("inventory", "first-Passw0rd");
      String secret = JSON.createObjectNode().put("engine", "postgres").put("host", "127.0.0.1").put("port", pg.port())
          .put("username", "inventory").put("password", "first-Passw0rd").put("dbname", "postgres").toString();
      sm.createSecret(r -> r.name("prod/inventory-db").secretString(secret));

      ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-javaagent:" + jar("stowaway.agent.jar"), "-jar", jar("stowaway.sample.jar").toString())
          .redirectErrorStream(true);
      builder.environment().keySet().removeIf(k -> k.startsWith("STOWAWAY_") || k.startsWith("AWS_"));
      builder.environment().put("STOWAWAY_ENDPOINT", sidecar.endpoint().toString());
      builder.environment().put("AWS_SHARED_CREDENTIALS_FILE", dataDir.resolve("admin-credentials").toString());
      builder.environment().put("DB_URL", pg.url("postgres"));
      builder.environment().put("DB_USER", "{{resolve:secretsmanager:prod/inventory-db:SecretString:username}}");
      builder.environment().put("DB_PASSWORD", "{{resolve:secretsmanager:prod/inventory-db:SecretString:password}}");
      builder.environment().put("QUERY_INTERVAL_MS", "20");
      Process service = builder.start();
      BlockingQueue<String> lines = new LinkedBlockingQueue<>();
      StringBuilder all = new StringBuilder();
      Thread reader = new Thread(() -> {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(service.getInputStream(),
            StandardCharsets.UTF_8))) {
          for (String line = in.readLine(); line != null; line = in.readLine()) {
            lines.add(line);
            synchronized (all) {
              all.append(line).append('\n');
            }
          }
        } catch (java.io.IOException e) {
          // ended
        }
      });
      reader.setDaemon(true);
      reader.start();
      try {
        await(lines, l -> l.startsWith("new session ") && l.contains(" as inventory"), all);
        assertFalse(pg.sessions("inventory").isEmpty(), "the pool is connected");
        sm.rotateSecret(r -> r.secretId("prod/inventory-db")
            .rotationLambdaARN("arn:aws:lambda:us-east-1:123456789012:function:stowaway-postgresql-single-user"));
        sidecar.sidecar().rotations().awaitIdle();
        String rotated = JSON.readTree(sm.getSecretValue(r -> r.secretId("prod/inventory-db")).secretString())
            .path("password").asText();
        assertTrue(pg.logsIn("inventory", rotated));
        assertFalse(pg.logsIn("inventory", "first-Passw0rd"));
        // The agent hears of the rotation and soft-evicts the pool: the next sessions log in anew.
        // (A single-threaded service keeps reusing one pooled connection: a new session is the eviction's.)
        await(lines, l -> l.startsWith("new session ") && l.contains(" as inventory"), all);
      } finally {
        service.getOutputStream().close();
        assertTrue(service.waitFor(30, TimeUnit.SECONDS));
      }
      reader.join(10_000);
      String output;
      synchronized (all) {
        output = all.toString();
      }
      assertTrue(output.matches("(?s).*queries=\\d+ failures=0 sessions=\\d+.*"), output);
      assertFalse(output.contains("query failed"), output);
      assertTrue(output.matches("(?s).*prod/inventory-db changed \\(RotationSucceeded\\).*refreshed 1 pool.*"), output);
      assertFalse(output.contains(rotatedOrNothing(sm)), "no password in the service's output");
    }
  }

  private static String rotatedOrNothing(SecretsManagerClient sm) throws Exception {
    return JSON.readTree(sm.getSecretValue(r -> r.secretId("prod/inventory-db")).secretString()).path("password")
        .asText();
  }

  private static void await(BlockingQueue<String> lines, java.util.function.Predicate<String> wanted,
      StringBuilder all) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      String line = lines.poll(1, TimeUnit.SECONDS);
      if (line != null && wanted.test(line)) {
        return;
      }
    }
    synchronized (all) {
      throw new AssertionError("not seen within 60 s; the service said:\n" + all);
    }
  }
}
