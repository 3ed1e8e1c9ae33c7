package dev.stowaway.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stowaway.agent.app.HikariLoopApp;
import dev.stowaway.agent.testing.AgentProcess;
import dev.stowaway.agent.testing.Jdk;
import dev.stowaway.sidecar.testing.ScratchMariaDb;
import dev.stowaway.sidecar.testing.ScramPostgres;
import dev.stowaway.sidecar.testing.RunningSidecar;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/** A running HikariCP application picks up a rotated password without a restart or a failed query. */
class LiveRotationIT {

  @TempDir
  Path dataDir;

  /** On every supported JDK (see Jdk): the representative rotation under a live pool. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.stowaway.agent.testing.Jdk#supported")
  void hikariPoolOnMariaDbCarriesOnThroughARotation(Jdk jdk) throws Exception {
    Path javaHome = jdk.home();
    try (RunningSidecar sidecar = RunningSidecar.in(dataDir);
         SecretsManagerClient sm = sidecar.client();
         ScratchMariaDb db = ScratchMariaDb.createUser("before-Rotation-1")) {
      String secret = "live/" + db.user();
      sm.createSecret(r -> r.name(secret).secretString(json(db.user(), "before-Rotation-1")));
      AgentProcess app = new AgentProcess().javaHome(javaHome)
          .env("AWS_SHARED_CREDENTIALS_FILE", dataDir.resolve("admin-credentials").toString())
          .env("STOWAWAY_ENDPOINT", sidecar.endpoint().toString());
      try (AgentProcess.Running running = app.start(HikariLoopApp.class, ScratchMariaDb.ROOT_URL,
          "{{resolve:secretsmanager:" + secret + ":SecretString:username}}",
          "{{resolve:secretsmanager:" + secret + ":SecretString:password}}")) {
        running.await(l -> l.equals("ready"), 60);

        db.changePassword("after-Rotation-2");
        // Every session open now logged in with the old password; any later one, with the new.
        Set<String> oldPassword = db.sessions();
        long put = System.currentTimeMillis();
        sm.putSecretValue(r -> r.secretId(secret).secretString(json(db.user(), "after-Rotation-2")));
        String lagLine = running.await(l -> l.contains(secret + " changed (PutSecretValue)"), 30);
        awaitNewSession(db::sessions, oldPassword);
        long sawNewSession = System.currentTimeMillis();
        running.await(l -> l.startsWith("progress "), 30); // and it keeps working on the new sessions

        running.send("stop");
        assertEquals(0, running.awaitExit(), running.output());
        Matcher totals = Pattern.compile("queries=(\\d+) failures=(\\d+)").matcher(running.output());
        assertTrue(totals.find(), running.output());
        assertEquals("0", totals.group(2), running.output());
        assertTrue(Long.parseLong(totals.group(1)) > 0);
        Matcher lag = Pattern.compile("\\) (-?\\d+) ms ago").matcher(lagLine);
        assertTrue(lag.find(), lagLine);
        System.out.printf(jdk + ", rotation (MariaDB): PutSecretValue -> agent cache invalidated in %s ms; -> first session with the new password in %d ms; "
            + "%s queries, 0 failed%n", lag.group(1), sawNewSession - put, totals.group(1));
      }
    }
  }

  @Test
  void valuesCopiedOutOfSystemPropertiesAreStillRotated() throws Exception {
    try (RunningSidecar sidecar = RunningSidecar.in(dataDir);
         SecretsManagerClient sm = sidecar.client();
         ScratchMariaDb db = ScratchMariaDb.createUser("copied-Before-1")) {
      String secret = "copied/" + db.user();
      sm.createSecret(r -> r.name(secret).secretString(json(db.user(), "copied-Before-1")));
      AgentProcess app = new AgentProcess()
          .env("AWS_SHARED_CREDENTIALS_FILE", dataDir.resolve("admin-credentials").toString())
          .env("STOWAWAY_ENDPOINT", sidecar.endpoint().toString())
          .sysprop("spring.datasource.username", "{{resolve:secretsmanager:" + secret + ":SecretString:username}}")
          .sysprop("spring.datasource.password", "{{resolve:secretsmanager:" + secret + ":SecretString:password}}");
      try (AgentProcess.Running running = app.start(HikariLoopApp.class, ScratchMariaDb.ROOT_URL,
          "spring.datasource.username", "spring.datasource.password", "copy")) {
        running.await(l -> l.equals("ready"), 60);
        db.changePassword("copied-After-2");
        Set<String> oldPassword = db.sessions();
        sm.putSecretValue(r -> r.secretId(secret).secretString(json(db.user(), "copied-After-2")));
        running.await(l -> l.contains(secret + " changed (PutSecretValue)") && l.contains("refreshed 1 pool(s)"), 30);
        awaitNewSession(db::sessions, oldPassword);
        running.await(l -> l.startsWith("progress "), 30);
        running.send("stop");
        assertEquals(0, running.awaitExit(), running.output());
        Matcher totals = Pattern.compile("queries=(\\d+) failures=(\\d+)").matcher(running.output());
        assertTrue(totals.find(), running.output());
        assertEquals("0", totals.group(2), running.output());
      }
    }
  }

  @Test
  void hikariPoolOnPostgresCarriesOnThroughARotation() throws Exception {
    try (ScramPostgres pg = ScramPostgres.start();
         RunningSidecar sidecar = RunningSidecar.in(dataDir);
         SecretsManagerClient sm = sidecar.client()) {
      pg.createRole("orders_app", "before-Rotation-1");
      sm.createSecret(r -> r.name("live/pg").secretString(pgJson(pg, "before-Rotation-1")));
      AgentProcess app = new AgentProcess()
          .env("AWS_SHARED_CREDENTIALS_FILE", dataDir.resolve("admin-credentials").toString())
          .env("STOWAWAY_ENDPOINT", sidecar.endpoint().toString());
      try (AgentProcess.Running running = app.start(HikariLoopApp.class, pg.url("postgres"),
          "{{resolve:secretsmanager:live/pg:SecretString:username}}",
          "{{resolve:secretsmanager:live/pg:SecretString:password}}")) {
        running.await(l -> l.equals("ready"), 60);

        pg.alterPassword("orders_app", "after-Rotation-2");
        Set<String> oldPassword = pg.sessions("orders_app");
        long put = System.currentTimeMillis();
        sm.putSecretValue(r -> r.secretId("live/pg").secretString(pgJson(pg, "after-Rotation-2")));
        String lagLine = running.await(l -> l.contains("live/pg changed (PutSecretValue)"), 30);
        awaitNewSession(() -> pg.sessions("orders_app"), oldPassword);
        long sawNewSession = System.currentTimeMillis();
        running.await(l -> l.startsWith("progress "), 30);

        running.send("stop");
        assertEquals(0, running.awaitExit(), running.output());
        Matcher totals = Pattern.compile("queries=(\\d+) failures=(\\d+)").matcher(running.output());
        assertTrue(totals.find(), running.output());
        assertEquals("0", totals.group(2), running.output());
        Matcher lag = Pattern.compile("\\) (-?\\d+) ms ago").matcher(lagLine);
        assertTrue(lag.find(), lagLine);
        System.out.printf("rotation (PostgreSQL, scram-sha-256): PutSecretValue -> agent cache invalidated in %s ms; "
            + "-> first session with the new password in %d ms; %s queries, 0 failed%n", lag.group(1), sawNewSession - put, totals.group(1));
      }
    }
  }

  /**
   * The sidecar's own scheduler rotates the secret (alternating users, so the previous credentials
   * keep working), at the next whole minute of a cron schedule, while the app runs queries.
   */
  @Test
  void hikariPoolOnPostgresCarriesOnThroughAScheduledRotation() throws Exception {
    try (ScramPostgres pg = ScramPostgres.start();
         RunningSidecar sidecar = RunningSidecar.in(dataDir, java.time.Clock.systemUTC(),
             dev.stowaway.sidecar.Sidecar.Tuning.defaults().withRotationTick(java.time.Duration.ofSeconds(1)));
         SecretsManagerClient sm = sidecar.client()) {
      pg.createRole("sched_app", "before-Rotation-1");
      String master = sm.createSecret(r -> r.name("live/pg-master").secretString("{\"engine\":\"postgres\","
          + "\"host\":\"127.0.0.1\",\"port\":" + pg.port() + ",\"username\":\"postgres\",\"password\":\""
          + pg.superuserPassword() + "\",\"dbname\":\"postgres\"}")
          .tags(t -> t.key("stowaway:rotation:master-for").value("live/pg-app=sched_app"))).arn();
      sm.createSecret(r -> r.name("live/pg-app").secretString("{\"engine\":\"postgres\",\"host\":\"127.0.0.1\","
          + "\"port\":" + pg.port() + ",\"username\":\"sched_app\",\"password\":\"before-Rotation-1\","
          + "\"dbname\":\"postgres\",\"masterarn\":\"" + master + "\"}"));
      AgentProcess app = new AgentProcess()
          .env("AWS_SHARED_CREDENTIALS_FILE", dataDir.resolve("admin-credentials").toString())
          .env("STOWAWAY_ENDPOINT", sidecar.endpoint().toString());
      try (AgentProcess.Running running = app.start(HikariLoopApp.class, pg.url("postgres"),
          "{{resolve:secretsmanager:live/pg-app:SecretString:username}}",
          "{{resolve:secretsmanager:live/pg-app:SecretString:password}}")) {
        running.await(l -> l.equals("ready"), 60);
        java.time.ZonedDateTime at = java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC)
            .plusSeconds(70).truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
        sm.rotateSecret(r -> r.secretId("live/pg-app").rotateImmediately(false)
            .rotationLambdaARN("arn:aws:lambda:us-east-1:123456789012:function:stowaway-postgresql-alternating-users")
            .rotationRules(rr -> rr.scheduleExpression("cron(" + at.getMinute() + " " + at.getHour() + " * * ? *)")));
        running.await(l -> l.contains("live/pg-app changed (RotationSucceeded)"), 150);
        awaitNewSession(() -> pg.sessions("sched_app_clone"), Set.of());
        running.await(l -> l.startsWith("progress "), 30);

        running.send("stop");
        assertEquals(0, running.awaitExit(), running.output());
        Matcher totals = Pattern.compile("queries=(\\d+) failures=(\\d+)").matcher(running.output());
        assertTrue(totals.find(), running.output());
        assertEquals("0", totals.group(2), running.output());
        assertEquals("sched_app_clone", new com.fasterxml.jackson.databind.ObjectMapper().readTree(
            sm.getSecretValue(r -> r.secretId("live/pg-app")).secretString()).path("username").asText());
        System.out.printf("scheduled rotation (PostgreSQL, alternating users): %s queries, 0 failed%n", totals.group(1));
      }
    }
  }

  private static String pgJson(ScramPostgres pg, String password) {
    return "{\"engine\":\"postgres\",\"host\":\"127.0.0.1\",\"username\":\"orders_app\",\"password\":\""
        + password + "\",\"dbname\":\"postgres\"}";
  }

  interface Sessions {
    Set<String> now() throws Exception;
  }

  /**
   * Waits (polling the server, with a deadline) for a session that was not open when the password
   * changed: the pool made it after the rotation, and the server let it in with the new password.
   */
  private static void awaitNewSession(Sessions sessions, Set<String> oldPassword) throws Exception {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      Set<String> now = new HashSet<>(sessions.now());
      now.removeAll(oldPassword);
      if (!now.isEmpty()) {
        return;
      }
      Thread.sleep(20); // polling the server with a deadline
    }
    throw new AssertionError("no session logged in with the new password within 30 s");
  }

  private static String json(String user, String password) {
    return "{\"engine\":\"mariadb\",\"host\":\"127.0.0.1\",\"port\":3306,\"username\":\"" + user
        + "\",\"password\":\"" + password + "\",\"dbname\":\"test\"}";
  }
}
