package dev.stowaway.sidecar.rotation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stowaway.sidecar.testing.AuditRecords;
import dev.stowaway.sidecar.testing.ByteSearch;
import dev.stowaway.sidecar.testing.RunningSidecar;
import dev.stowaway.sidecar.testing.ScramPostgres;
import dev.stowaway.sidecar.testing.ScratchMariaDb;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The database rotators against real servers that check passwords: a private PostgreSQL cluster
 * with scram-sha-256 (the machine's own trusts every local login) and the machine's MariaDB.
 * Each test makes its own roles and users and drops them.
 */
class DatabaseRotationIT {

  private static final String FN = RotateSecretIT.ACCOUNT_PREFIX;
  private static ScramPostgres postgres;

  @TempDir Path dataDir;
  private final ObjectMapper json = new ObjectMapper();
  private RunningSidecar sidecar;
  private SecretsManagerClient sm;

  @BeforeAll
  static void cluster() throws Exception {
    postgres = ScramPostgres.start();
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (postgres != null) {
      postgres.close();
    }
  }

  @BeforeEach
  void start() {
    sidecar = RunningSidecar.in(dataDir);
    sm = sidecar.client();
  }

  @AfterEach
  void stop() {
    sm.close();
    sidecar.close();
  }

  private static String role() {
    return "app_" + UUID.randomUUID().toString().substring(0, 8);
  }

  private String postgresSecret(String user, String password, String masterArn) {
    return "{\"engine\":\"postgres\",\"host\":\"127.0.0.1\",\"port\":" + postgres.port() + ",\"username\":\"" + user
        + "\",\"password\":\"" + password + "\",\"dbname\":\"postgres\"" + (masterArn == null ? "" : ",\"masterarn\":\""
        + masterArn + "\"") + "}";
  }

  private JsonNode stage(String id, String stage) throws Exception {
    return json.readTree(sm.getSecretValue(r -> r.secretId(id).versionStage(stage)).secretString());
  }

  private void rotate(String id, String rotator) {
    sm.rotateSecret(r -> r.secretId(id).rotationLambdaARN(FN + rotator).rotationRules(rr -> rr.automaticallyAfterDays(30L)));
    sidecar.sidecar().rotations().awaitIdle();
  }

  private List<String> serviceEvents() {
    return AuditRecords.in(dataDir).stream().filter(r -> r.path("eventType").asText().equals("AwsServiceEvent"))
        .map(r -> r.path("eventName").asText()).toList();
  }

  @Test
  void postgresSingleUserRotationChangesThePasswordForReal() throws Exception {
    String user = role();
    postgres.createRole(user, "before-1");
    sm.createSecret(r -> r.name("pg/single").secretString(postgresSecret(user, "before-1", null)));
    rotate("pg/single", "stowaway-postgresql-single-user");

    JsonNode current = stage("pg/single", "AWSCURRENT");
    assertEquals(user, current.path("username").asText());
    assertTrue(postgres.logsIn(user, current.path("password").asText()), "the new password logs in");
    assertFalse(postgres.logsIn(user, "before-1"), "the old one no longer does");
    assertEquals("before-1", stage("pg/single", "AWSPREVIOUS").path("password").asText());
    assertEquals(List.of("RotationStarted", "RotationSucceeded"), serviceEvents());
  }

  @Test
  void postgresAlternatingUsersKeepThePreviousCredentialsWorking() throws Exception {
    String user = role();
    postgres.createRole(user, "before-1");
    String master = sm.createSecret(r -> r.name("pg/master").secretString(postgresSecret("postgres",
        postgres.superuserPassword(), null))).arn();
    sm.createSecret(r -> r.name("pg/app").secretString(postgresSecret(user, "before-1", master)));

    rotate("pg/app", "stowaway-postgresql-alternating-users");
    JsonNode first = stage("pg/app", "AWSCURRENT");
    assertEquals(user + "_clone", first.path("username").asText());
    assertTrue(postgres.logsIn(user + "_clone", first.path("password").asText()));
    assertTrue(postgres.logsIn(user, "before-1"), "the previous credentials still work for this period");

    rotate("pg/app", "stowaway-postgresql-alternating-users");
    JsonNode second = stage("pg/app", "AWSCURRENT");
    assertEquals(user, second.path("username").asText());
    assertNotEquals("before-1", second.path("password").asText());
    assertTrue(postgres.logsIn(user, second.path("password").asText()));
    assertFalse(postgres.logsIn(user, "before-1"));
    assertTrue(postgres.logsIn(user + "_clone", first.path("password").asText()), "AWSPREVIOUS still logs in");
    assertEquals(first, stage("pg/app", "AWSPREVIOUS"));
  }

  @Test
  void aFailedTestLeavesTheCurrentCredentialsWorking() throws Exception {
    String user = role();
    postgres.createRole(user, "before-1");
    // The clone exists but may not log in: setSecret sets its password, testSecret is refused by the server.
    postgres.execute("CREATE ROLE " + user + "_clone NOLOGIN");
    String master = sm.createSecret(r -> r.name("pg/master").secretString(postgresSecret("postgres",
        postgres.superuserPassword(), null))).arn();
    sm.createSecret(r -> r.name("pg/app").secretString(postgresSecret(user, "before-1", master)));
    String token = UUID.randomUUID().toString();
    sm.rotateSecret(r -> r.secretId("pg/app").clientRequestToken(token).rotationLambdaARN(FN
        + "stowaway-postgresql-alternating-users").rotationRules(rr -> rr.automaticallyAfterDays(30L)));
    sidecar.sidecar().rotations().awaitIdle();

    JsonNode current = stage("pg/app", "AWSCURRENT");
    assertEquals(user, current.path("username").asText());
    assertEquals("before-1", current.path("password").asText());
    assertTrue(postgres.logsIn(user, "before-1"), "AWSCURRENT still works");
    Map<String, List<String>> stages = sm.describeSecret(r -> r.secretId("pg/app")).versionIdsToStages();
    assertFalse(stages.values().stream().anyMatch(l -> l.contains("AWSPENDING")), "AWSPENDING was cleaned up: " + stages);
    assertEquals(List.of("RotationStarted", "RotationFailed"), serviceEvents());
    JsonNode failed = AuditRecords.in(dataDir).stream().filter(r -> r.path("eventName").asText().equals("RotationFailed"))
        .findFirst().orElseThrow();
    assertTrue(failed.path("serviceEventDetails").path("reason").asText().startsWith("testSecret: " + user
        + "_clone cannot log in to PostgreSQL"), failed.toString());
    String tried = sm.getSecretValue(r -> r.secretId("pg/app").versionId(token)).secretString();
    String password = json.readTree(tried).path("password").asText();
    assertEquals(-1, ByteSearch.indexOf(AuditRecords.allBytes(dataDir), password.getBytes(StandardCharsets.UTF_8)),
        "the failed password is not in the audit trail");
  }

  private static String mariaDbSecret(String user, String password, String masterArn) {
    return "{\"engine\":\"mariadb\",\"host\":\"127.0.0.1\",\"port\":3306,\"username\":\"" + user + "\",\"password\":\""
        + password + "\",\"dbname\":\"test\"" + (masterArn == null ? "" : ",\"masterarn\":\"" + masterArn + "\"") + "}";
  }

  private static boolean mariaDbLogsIn(String user, String password) {
    try (Connection c = DriverManager.getConnection(ScratchMariaDb.ROOT_URL, user, password)) {
      return c.isValid(5);
    } catch (SQLException e) {
      return false;
    }
  }

  private static void asRoot(String sql) throws SQLException {
    try (Connection c = ScratchMariaDb.root(); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  @Test
  void mariaDbSingleUserRotationChangesThePasswordForReal() throws Exception {
    try (ScratchMariaDb db = ScratchMariaDb.createUser("before-1")) {
      sm.createSecret(r -> r.name("maria/single").secretString(mariaDbSecret(db.user(), "before-1", null)));
      rotate("maria/single", "stowaway-mariadb-single-user");
      JsonNode current = stage("maria/single", "AWSCURRENT");
      assertTrue(mariaDbLogsIn(db.user(), current.path("password").asText()), "the new password logs in");
      assertFalse(mariaDbLogsIn(db.user(), "before-1"), "the old one no longer does");
      assertEquals("before-1", stage("maria/single", "AWSPREVIOUS").path("password").asText());
    }
  }

  @Test
  void mariaDbAlternatingUsersCloneTheUserWithItsGrants() throws Exception {
    String master = "stw_master_" + UUID.randomUUID().toString().substring(0, 8);
    ScratchMariaDb db = ScratchMariaDb.createUser("before-1");
    try {
      asRoot("CREATE USER '" + master + "'@'%' IDENTIFIED BY 'master-pw-1'");
      asRoot("GRANT ALL PRIVILEGES ON *.* TO '" + master + "'@'%' WITH GRANT OPTION");
      String masterArn = sm.createSecret(r -> r.name("maria/master").secretString(mariaDbSecret(master, "master-pw-1",
          null))).arn();
      sm.createSecret(r -> r.name("maria/app").secretString(mariaDbSecret(db.user(), "before-1", masterArn)));
      rotate("maria/app", "stowaway-mariadb-alternating-users");

      JsonNode current = stage("maria/app", "AWSCURRENT");
      assertEquals(db.user() + "_clone", current.path("username").asText());
      assertTrue(mariaDbLogsIn(db.user() + "_clone", current.path("password").asText()));
      assertTrue(mariaDbLogsIn(db.user(), "before-1"), "the previous credentials still work for this period");
      try (Connection c = DriverManager.getConnection(ScratchMariaDb.ROOT_URL, db.user() + "_clone",
          current.path("password").asText()); Statement s = c.createStatement()) {
        s.executeQuery("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'test'").close();
      }
    } finally {
      asRoot("DROP USER IF EXISTS '" + master + "'@'%'");
      asRoot("DROP USER IF EXISTS '" + db.user() + "_clone'@'%'");
      db.close();
    }
  }
}
