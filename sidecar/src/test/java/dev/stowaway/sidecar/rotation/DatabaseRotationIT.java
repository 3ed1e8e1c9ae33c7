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
import dev.stowaway.sidecar.testing.ScratchPostgres;
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

  /** The cluster's superuser as a master secret, with the operator's consent for {@code consent} (SECRET=USER). */
  private String pgMaster(String consent) {
    return sm.createSecret(r -> r.name("pg/master").secretString(postgresSecret("postgres",
        postgres.superuserPassword(), null)).tags(t -> t.key("stowaway:rotation:master-for").value(consent))).arn();
  }

  private String mariaMaster(String user, String consent) {
    return sm.createSecret(r -> r.name("maria/master").secretString(mariaDbSecret(user, "master-pw-1", null))
        .tags(t -> t.key("stowaway:rotation:master-for").value(consent))).arn();
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
    String master = pgMaster("pg/app=" + user);
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
    String master = pgMaster("pg/app=" + user);
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

  @Test
  void postgresPasswordsReachTheServerOnlyAsScramVerifiers() throws Exception {
    String single = role();
    String alternating = role();
    postgres.createRole(single, "before-1");
    postgres.createRole(alternating, "before-2");
    String master = pgMaster("pg/app=" + alternating);
    sm.createSecret(r -> r.name("pg/single").secretString(postgresSecret(single, "before-1", null)));
    sm.createSecret(r -> r.name("pg/app").secretString(postgresSecret(alternating, "before-2", master)));
    rotate("pg/single", "stowaway-postgresql-single-user");
    rotate("pg/app", "stowaway-postgresql-alternating-users");

    String singlePassword = stage("pg/single", "AWSCURRENT").path("password").asText();
    String clonePassword = stage("pg/app", "AWSCURRENT").path("password").asText();
    assertTrue(postgres.logsIn(single, singlePassword) && postgres.logsIn(alternating + "_clone", clonePassword));
    String log = postgres.log();
    assertTrue(log.contains("ALTER USER \"" + single + "\" PASSWORD 'SCRAM-SHA-256$"), "the server logged statements");
    assertFalse(log.contains(singlePassword), "ALTER ROLE's password is not in the server's statement log");
    assertFalse(log.contains(clonePassword), "CREATE ROLE's password is not in the server's statement log");
    assertTrue(postgres.storedPassword(alternating + "_clone").startsWith("SCRAM-SHA-256$4096:"));
  }

  @Test
  void aDatabaseThatTrustsEveryLoginIsNotRotated() throws Exception {
    String user = role();
    // The machine's own PostgreSQL trusts every login from 127.0.0.1: a login proves nothing there.
    try (ScratchPostgres trusting = ScratchPostgres.create()) {
      trusting.execute("CREATE ROLE " + user + " LOGIN PASSWORD 'before-1'");
      try {
        String stored = trustingStoredPassword(trusting, user);
        sm.createSecret(r -> r.name("pg/trusting").secretString("{\"engine\":\"postgres\",\"host\":\"127.0.0.1\","
            + "\"port\":5432,\"username\":\"" + user + "\",\"password\":\"before-1\",\"dbname\":\"postgres\"}"));
        rotate("pg/trusting", "stowaway-postgresql-single-user");

        assertEquals(List.of("RotationStarted", "RotationFailed"), serviceEvents());
        assertEquals("this database accepts any password for " + user + " (trust authentication); rotating would "
            + "prove nothing", failureReason());
        assertEquals("before-1", stage("pg/trusting", "AWSCURRENT").path("password").asText());
        assertEquals(stored, trustingStoredPassword(trusting, user), "the role's password was not touched");
      } finally {
        trusting.execute("DROP ROLE IF EXISTS " + user);
      }
    }
  }

  private static String trustingStoredPassword(ScratchPostgres db, String role) throws SQLException {
    try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password());
         java.sql.PreparedStatement s = c.prepareStatement("SELECT rolpassword FROM pg_authid WHERE rolname = ?")) {
      s.setString(1, role);
      try (java.sql.ResultSet r = s.executeQuery()) {
        r.next();
        return r.getString(1);
      }
    }
  }

  private String failureReason() {
    return AuditRecords.in(dataDir).stream().filter(r -> r.path("eventName").asText().equals("RotationFailed"))
        .findFirst().orElseThrow().path("serviceEventDetails").path("reason").asText();
  }

  @Test
  void aMasterSecretIsUsedOnlyForTheUsersItsOperatorListed() throws Exception {
    String mine = role();
    String theirs = role();
    postgres.createRole(mine, "mine-1");
    postgres.createRole(theirs, "theirs-1");
    String master = pgMaster("pg/app=" + mine);
    // app/db's writer names another team's user: the master would set its password and store it in pg/app.
    sm.createSecret(r -> r.name("pg/app").secretString(postgresSecret(theirs + "_clone", "anything", master)));
    rotate("pg/app", "stowaway-postgresql-alternating-users");

    assertEquals("setSecret: the master secret " + master + " does not let pg/app change the password of " + theirs
        + ": an operator allows it by tagging the master secret stowaway:rotation:master-for with pg/app=" + theirs,
        failureReason());
    assertTrue(postgres.logsIn(theirs, "theirs-1"), "the other user's password is unchanged");
  }

  @Test
  void aPendingValueNamingAnotherUserIsNotApplied() throws Exception {
    String mine = role();
    String theirs = role();
    postgres.createRole(mine, "mine-1");
    postgres.createRole(theirs, "theirs-1");
    String master = pgMaster("pg/app=" + mine);
    sm.createSecret(r -> r.name("pg/app").secretString(postgresSecret(mine, "mine-1", master)));
    rotate("pg/app", "stowaway-postgresql-alternating-users");
    assertEquals(List.of("RotationStarted", "RotationSucceeded"), serviceEvents());
    // The consent names mine; a value put as AWSPENDING names theirs, and the next tick resumes it.
    sm.putSecretValue(r -> r.secretId("pg/app").secretString(postgresSecret(theirs, "chosen-by-me", master))
        .versionStages("AWSPENDING"));
    sidecar.sidecar().rotations().runDue();
    sidecar.sidecar().rotations().awaitIdle();

    assertEquals("the pending value's username is " + theirs + ", but this rotation may only set the password of "
        + mine, failureReason());
    assertTrue(postgres.logsIn(theirs, "theirs-1"), "the other user's password is unchanged");
    assertFalse(postgres.logsIn(theirs, "chosen-by-me"));
  }

  @Test
  void theAlternatingStrategyNeverSetsThePasswordOfAMemberOfAnAdministrativeRole() throws Exception {
    String admin = role();
    postgres.execute("CREATE ROLE " + admin + " LOGIN PASSWORD 'admin-pw-1'");
    postgres.execute("GRANT pg_execute_server_program TO " + admin);
    String master = pgMaster("pg/app=" + admin);
    sm.createSecret(r -> r.name("pg/app").secretString(postgresSecret(admin + "_clone", "anything", master)));
    rotate("pg/app", "stowaway-postgresql-alternating-users");

    assertEquals("setSecret: refusing to set the password of " + admin + " as postgres: it is the master user or an "
        + "administrative user; the alternating strategy rotates only application users", failureReason());
    assertTrue(postgres.logsIn(admin, "admin-pw-1"));
  }

  @Test
  void theAlternatingStrategyNeverSetsTheSuperusersPassword() throws Exception {
    String master = pgMaster("pg/app=" + "postgres");
    // Whoever may put app/db's value names the user: postgres_clone makes the other user postgres.
    sm.createSecret(r -> r.name("pg/app").secretString(postgresSecret("postgres_clone", "anything", master)));
    rotate("pg/app", "stowaway-postgresql-alternating-users");

    assertEquals("setSecret: refusing to set the password of postgres as postgres: it is the master user or an "
        + "administrative user; the alternating strategy rotates only application users", failureReason());
    assertTrue(postgres.logsIn("postgres", postgres.superuserPassword()), "the superuser's password is unchanged");
  }

  @Test
  void theAlternatingStrategyNeverSetsAnAdministrativeRolesPassword() throws Exception {
    String admin = role();
    postgres.execute("CREATE ROLE " + admin + " LOGIN CREATEROLE PASSWORD 'admin-pw-1'");
    String master = pgMaster("pg/app=" + admin);
    sm.createSecret(r -> r.name("pg/app").secretString(postgresSecret(admin + "_clone", "anything", master)));
    rotate("pg/app", "stowaway-postgresql-alternating-users");

    assertEquals("setSecret: refusing to set the password of " + admin + " as postgres: it is the master user or an "
        + "administrative user; the alternating strategy rotates only application users", failureReason());
    assertTrue(postgres.logsIn(admin, "admin-pw-1"));
  }

  @Test
  void driverPropertiesInTheSecretNeverReachTheDriver() throws Exception {
    String user = role();
    postgres.createRole(user, "before-1");
    String value = json.readTree(postgresSecret(user, "before-1", null)).deepCopy() instanceof
        com.fasterxml.jackson.databind.node.ObjectNode node ? node.put("socketFactory", MarkerSocketFactory.class
        .getName()).put("sslfactory", MarkerSocketFactory.class.getName()).put("loggerFile", dataDir.resolve("pg.log")
        .toString()).put("loggerLevel", "TRACE").toString() : null;
    sm.createSecret(r -> r.name("pg/single").secretString(value));
    rotate("pg/single", "stowaway-postgresql-single-user");

    assertEquals(List.of("RotationStarted", "RotationSucceeded"), serviceEvents());
    assertFalse(MarkerSocketFactory.made, "no socket factory the secret named was made");
    assertFalse(java.nio.file.Files.exists(dataDir.resolve("pg.log")), "no driver log file the secret named");
    JsonNode current = stage("pg/single", "AWSCURRENT");
    assertEquals(MarkerSocketFactory.class.getName(), current.path("socketFactory").asText(),
        "the application's members are kept as they were");
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
      String masterArn = mariaMaster(master, "maria/app=" + db.user());
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

  @Test
  void mariaDbPasswordsReachTheServerOnlyAsHashes() throws Exception {
    try (ScratchMariaDb db = ScratchMariaDb.createUser("before-1")) {
      sm.createSecret(r -> r.name("maria/single").secretString(mariaDbSecret(db.user(), "before-1", null)));
      String logged;
      String output;
      try (Connection c = ScratchMariaDb.root(); Statement s = c.createStatement();
           java.sql.ResultSet r = s.executeQuery("SELECT @@global.general_log, @@global.log_output")) {
        r.next();
        logged = r.getString(1);
        output = r.getString(2);
      }
      asRoot("SET GLOBAL log_output = 'TABLE'");
      asRoot("SET GLOBAL general_log = 1");
      String password;
      List<String> statements = new java.util.ArrayList<>();
      try {
        rotate("maria/single", "stowaway-mariadb-single-user");
        password = stage("maria/single", "AWSCURRENT").path("password").asText();
      } finally {
        asRoot("SET GLOBAL general_log = " + logged);
        asRoot("SET GLOBAL log_output = '" + output + "'");
        try (Connection c = ScratchMariaDb.root(); Statement s = c.createStatement();
             java.sql.ResultSet r = s.executeQuery("SELECT CONVERT(argument USING utf8mb4) FROM mysql.general_log")) {
          while (r.next()) {
            statements.add(r.getString(1));
          }
        }
        asRoot("TRUNCATE mysql.general_log");
      }
      assertTrue(mariaDbLogsIn(db.user(), password), "the new password logs in");
      assertTrue(statements.stream().anyMatch(st -> st.startsWith("SET PASSWORD = '*")), statements.toString());
      assertFalse(statements.stream().anyMatch(st -> st.contains(password)), "the password is not in the general log");
    }
  }

  @Test
  void mariaDbAlternatingStrategyNeverSetsAnAdministratorsPassword() throws Exception {
    String master = "stw_master_" + UUID.randomUUID().toString().substring(0, 8);
    String admin = "stw_admin_" + UUID.randomUUID().toString().substring(0, 8);
    try {
      asRoot("CREATE USER '" + master + "'@'%' IDENTIFIED BY 'master-pw-1'");
      asRoot("GRANT ALL PRIVILEGES ON *.* TO '" + master + "'@'%' WITH GRANT OPTION");
      asRoot("CREATE USER '" + admin + "'@'%' IDENTIFIED BY 'admin-pw-1'");
      asRoot("GRANT ALL PRIVILEGES ON *.* TO '" + admin + "'@'%'");
      String masterArn = mariaMaster(master, "maria/app=" + admin);
      sm.createSecret(r -> r.name("maria/app").secretString(mariaDbSecret(admin + "_clone", "anything", masterArn)));
      rotate("maria/app", "stowaway-mariadb-alternating-users");

      assertEquals("setSecret: refusing to set the password of " + admin + " as " + master + ": it is the master user "
          + "or an administrative user; the alternating strategy rotates only application users", failureReason());
      assertTrue(mariaDbLogsIn(admin, "admin-pw-1"), "the administrator's password is unchanged");
    } finally {
      asRoot("DROP USER IF EXISTS '" + master + "'@'%'");
      asRoot("DROP USER IF EXISTS '" + admin + "'@'%'");
    }
  }
}
