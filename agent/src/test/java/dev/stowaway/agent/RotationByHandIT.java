package dev.stowaway.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stowaway.agent.app.ConnectLoopApp;
import dev.stowaway.agent.testing.AgentProcess;
import dev.stowaway.sidecar.testing.AuditRecords;
import dev.stowaway.sidecar.testing.RunningSidecar;
import dev.stowaway.sidecar.testing.ScramPostgres;
import dev.stowaway.sidecar.testing.ScratchMariaDb;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * An operator rotates by hand, the way it goes wrong most often: the database first ({@code ALTER
 * USER}), the vault a few seconds later ({@code put-secret-value}). Meanwhile an application without
 * a pool keeps opening connections through every path a driver offers (DriverManager and the
 * driver's own DataSource), each login resolved at connect time. None may fail, the agent must say so
 * in one line, and the application's identity must leave only a handful of audit records, all of
 * them successes.
 */
class RotationByHandIT {

  /** How long the operator takes between the database and the vault. */
  private static final Duration GAP = Duration.ofSeconds(4);
  /** The most audit records the rotation may cost under the application's identity. */
  private static final int HANDFUL = 5;

  @TempDir
  static Path dataDir;

  static RunningSidecar sidecar;
  static SecretsManagerClient sm;

  @BeforeAll
  static void start() {
    sidecar = RunningSidecar.in(dataDir);
    sm = sidecar.client();
  }

  @AfterAll
  static void stop() {
    sm.close();
    sidecar.close();
  }

  @Test
  void everyMariaDbAndMySqlPathConnectsThroughARotationByHand() throws Exception {
    try (ScratchMariaDb db = ScratchMariaDb.createUser("before-Hand-1")) {
      String secret = "hand/" + db.user();
      sm.createSecret(r -> r.name(secret).secretString(json(db.user(), "before-Hand-1")));
      String user = "{{resolve:secretsmanager:" + secret + ":SecretString:username}}";
      String password = "{{resolve:secretsmanager:" + secret + ":SecretString:password}}";
      String mysqlUrl = ScratchMariaDb.ROOT_URL.replace("jdbc:mariadb:", "jdbc:mysql:") + "?sslMode=DISABLED";
      Map<String, Integer> failures = rotate(secret, db.user(), () -> db.changePassword("after-Hand-2"),
          json(db.user(), "after-Hand-2"),
          "mariadb-driver-manager|driver-manager|" + ScratchMariaDb.ROOT_URL + "|" + user + "|" + password,
          "MariaDbDataSource|org.mariadb.jdbc.MariaDbDataSource|" + ScratchMariaDb.ROOT_URL + "|" + user + "|" + password,
          "mysql-driver-manager|driver-manager|" + mysqlUrl + "|" + user + "|" + password,
          "MysqlDataSource|com.mysql.cj.jdbc.MysqlDataSource|" + mysqlUrl + "|" + user + "|" + password);
      assertEquals(Map.of("mariadb-driver-manager", 0, "MariaDbDataSource", 0, "mysql-driver-manager", 0,
          "MysqlDataSource", 0), failures);
    }
  }

  @Test
  void everyPostgresPathConnectsThroughARotationByHand() throws Exception {
    try (ScramPostgres pg = ScramPostgres.start()) {
      pg.createRole("hand_app", "before-Hand-1");
      String secret = "hand/pg";
      sm.createSecret(r -> r.name(secret).secretString(json("hand_app", "before-Hand-1")));
      String user = "{{resolve:secretsmanager:" + secret + ":SecretString:username}}";
      String password = "{{resolve:secretsmanager:" + secret + ":SecretString:password}}";
      Map<String, Integer> failures = rotate(secret, "hand_app", () -> pg.alterPassword("hand_app", "after-Hand-2"),
          json("hand_app", "after-Hand-2"),
          "pg-driver-manager|driver-manager|" + pg.url("postgres") + "|" + user + "|" + password,
          "PGSimpleDataSource|org.postgresql.ds.PGSimpleDataSource|" + pg.url("postgres") + "|" + user + "|" + password);
      assertEquals(Map.of("pg-driver-manager", 0, "PGSimpleDataSource", 0), failures);
    }
  }

  interface DatabaseChange {
    void run() throws Exception;
  }

  /**
   * Starts the loop as an application with an identity of its own, rotates by hand, and returns the
   * failed queries per path; checks the agent's log line and the audit records on the way.
   */
  private static Map<String, Integer> rotate(String secret, String dbUser, DatabaseChange alterUser, String newJson,
      String... paths) throws Exception {
    String[] key = appIdentity(dbUser);
    AgentProcess app = new AgentProcess()
        .env("AWS_ACCESS_KEY_ID", key[0]).env("AWS_SECRET_ACCESS_KEY", key[1])
        .env("STOWAWAY_ENDPOINT", sidecar.endpoint().toString());
    try (AgentProcess.Running running = app.start(ConnectLoopApp.class, paths)) {
      running.await(l -> l.equals("ready"), 60);
      int auditBefore = AuditRecords.in(dataDir).size();
      alterUser.run();
      Thread.sleep(GAP.toMillis()); // the operator's own pace between the database and the vault: the scenario itself
      sm.putSecretValue(r -> r.secretId(secret).secretString(newJson));
      running.await(l -> l.contains(secret + " changed (PutSecretValue)"), 30);
      awaitProgressOnEveryPath(running, paths); // and each goes on with the new password
      running.send("stop");
      assertEquals(0, running.awaitExit(), running.output());
      String output = running.output();
      Map<String, Integer> failures = new LinkedHashMap<>();
      Matcher totals = Pattern.compile("totals (\\S+) queries=(\\d+) failures=(\\d+)").matcher(output);
      while (totals.find()) {
        failures.put(totals.group(1), Integer.parseInt(totals.group(3)));
        System.out.printf("rotation by hand, %s gap: %s: %s queries, %s failed%n", GAP, totals.group(1),
            totals.group(2), totals.group(3));
      }
      assertEquals(paths.length, failures.size(), output);

      List<JsonNode> records = AuditRecords.in(dataDir).subList(auditBefore, AuditRecords.in(dataDir).size()).stream()
          .filter(r -> r.path("userIdentity").path("userName").asText().equals(key[2])).toList();
      System.out.printf("rotation by hand: %d audit record(s) under the application's identity: %s%n", records.size(),
          records.stream().map(r -> r.path("eventName").asText() + (r.hasNonNull("errorCode")
              ? " " + r.path("errorCode").asText() : "")).toList());
      assertTrue(records.size() <= HANDFUL, records.toString());
      assertTrue(records.stream().noneMatch(r -> r.hasNonNull("errorCode")), records.toString());
      List<String> episodeLines = output.lines()
          .filter(l -> l.contains("stowaway-agent: " + secret + ": the database refused")).toList();
      assertEquals(1, episodeLines.size(), output);
      System.out.println("the agent's one line: " + episodeLines.get(0));
      assertFalse(output.contains("Hand-1") || output.contains("Hand-2"), "no password may be printed");
      return failures;
    }
  }

  /** Waits until every path has made 20 more queries. */
  private static void awaitProgressOnEveryPath(AgentProcess.Running running, String... paths) throws Exception {
    Map<String, Integer> lines = new java.util.HashMap<>();
    for (String p : paths) {
      lines.put(p.substring(0, p.indexOf('|')), 0);
    }
    running.await(l -> {
      if (l.startsWith("progress ")) {
        lines.computeIfPresent(l.split(" ")[1], (k, n) -> n + 1);
      }
      return lines.values().stream().allMatch(n -> n >= 2);
    }, 60);
  }

  /** An IAM user of the application's own, allowed to read secrets and follow their changes; its key and name. */
  private static String[] appIdentity(String name) {
    var iam = sidecar.sidecar().vault().identity();
    String userName = "app-" + name.replace('_', '-');
    iam.createUser(userName, null);
    iam.putUserPolicy(userName, "read", "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":"
        + "[\"secretsmanager:GetSecretValue\",\"secretsmanager:DescribeSecret\"],\"Resource\":\"*\"}}");
    var key = iam.createAccessKey(userName);
    return new String[] {key.accessKeyId(), key.secretAccessKey(), userName};
  }

  private static String json(String user, String password) {
    return "{\"username\":\"" + user + "\",\"password\":\"" + password + "\"}";
  }
}
