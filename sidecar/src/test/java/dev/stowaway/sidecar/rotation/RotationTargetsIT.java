package dev.stowaway.sidecar.rotation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stowaway.sidecar.testing.AuditRecords;
import dev.stowaway.sidecar.testing.RunningSidecar;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AccessKey;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * A narrow user, allowed only CreateSecret, PutSecretValue, RotateSecret, DescribeSecret and
 * GetSecretValue on {@code secret:app/*}, tries to make a rotator run what its secret says or go
 * where the operator did not allow. Each attack must end in RotationFailed, with nothing run,
 * written or reached.
 */
class RotationTargetsIT {

  private static final String H2_ROTATOR = RotateSecretIT.ACCOUNT_PREFIX + "stowaway-h2-single-user";
  private static final String NARROW_POLICY = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
      + "\"Action\":[\"secretsmanager:CreateSecret\",\"secretsmanager:PutSecretValue\",\"secretsmanager:RotateSecret\","
      + "\"secretsmanager:DescribeSecret\",\"secretsmanager:GetSecretValue\"],"
      + "\"Resource\":\"arn:aws:secretsmanager:*:*:secret:app/*\"}]}";

  @TempDir Path dataDir;
  @TempDir Path elsewhere;
  private final ObjectMapper json = new ObjectMapper();
  private RunningSidecar sidecar;
  private SecretsManagerClient attacker;

  @AfterEach
  void stop() {
    if (attacker != null) {
      attacker.close();
    }
    if (sidecar != null) {
      sidecar.close();
    }
  }

  /** A sidecar whose operator allows H2 anywhere: only the rotator's own rules stand between the attacker and H2. */
  private void startAllowingEveryH2File() {
    sidecar = RunningSidecar.with(dataDir, "--rotation-targets", "h2:/**," + dev.stowaway.sidecar.config.Destinations
        .LOOPBACK);
    attacker = narrowUser();
  }

  private SecretsManagerClient narrowUser() {
    try (IamClient iam = IamClient.builder().endpointOverride(sidecar.endpoint()).region(Region.AWS_GLOBAL)
        .credentialsProvider(sidecar.adminCredentials()).httpClient(UrlConnectionHttpClient.create()).build()) {
      iam.createUser(r -> r.userName("narrow"));
      iam.putUserPolicy(r -> r.userName("narrow").policyName("app-only").policyDocument(NARROW_POLICY));
      AccessKey key = iam.createAccessKey(r -> r.userName("narrow")).accessKey();
      return sidecar.client(StaticCredentialsProvider.create(AwsBasicCredentials.create(key.accessKeyId(),
          key.secretAccessKey())));
    }
  }

  /** Creates and rotates app/db with {@code value} as the attacker; answers the RotationFailed reason. */
  private String rotateAndFail(String value, String rotator) {
    attacker.createSecret(r -> r.name("app/db").secretString(value));
    attacker.rotateSecret(r -> r.secretId("app/db").rotationLambdaARN(rotator));
    sidecar.sidecar().rotations().awaitIdle();
    List<JsonNode> events = AuditRecords.in(dataDir).stream()
        .filter(r -> r.path("eventType").asText().equals("AwsServiceEvent")).toList();
    assertEquals(List.of("RotationStarted", "RotationFailed"), events.stream().map(e -> e.path("eventName").asText())
        .toList());
    assertEquals(value, attacker.getSecretValue(r -> r.secretId("app/db")).secretString(), "AWSCURRENT is unchanged");
    return events.get(1).path("serviceEventDetails").path("reason").asText();
  }

  private String h2Secret(String member, String location) {
    return json.createObjectNode().put("engine", "h2").put(member, location).put("username", "app")
        .put("password", "first-pw").toString();
  }

  @Test
  void anInitSettingThatCopiesTheRootKeyIsRefusedBeforeH2Opens() {
    startAllowingEveryH2File();
    Path loot = elsewhere.resolve("loot");
    String url = "jdbc:h2:mem:x;INIT=CALL FILE_WRITE(FILE_READ('" + dataDir.resolve("root.key") + "'), '" + loot + "')";
    String reason = rotateAndFail(h2Secret("jdbcUrl", url), H2_ROTATOR);
    assertEquals("the current value's jdbcUrl is not jdbc:h2:file:/ABSOLUTE/PATH (at most with ;AUTO_SERVER=TRUE); "
        + "rotators never take settings such as INIT from a secret: give path instead", reason);
    assertFalse(Files.exists(loot), "the root key was not copied");
  }

  @Test
  void anInitSettingThatOverwritesTheAgentTokensIsRefused() throws Exception {
    startAllowingEveryH2File();
    Path tokens = dataDir.resolve("agent-tokens");
    byte[] before = Files.exists(tokens) ? Files.readAllBytes(tokens) : null;
    String url = "jdbc:h2:file:" + elsewhere.resolve("db") + ";INIT=CALL FILE_WRITE('evil-token admin', '" + tokens
        + "')";
    String reason = rotateAndFail(h2Secret("jdbcUrl", url), H2_ROTATOR);
    assertTrue(reason.startsWith("the current value's jdbcUrl is not jdbc:h2:file:/ABSOLUTE/PATH"), reason);
    assertEquals(before == null, !Files.exists(tokens), "agent-tokens neither made nor removed");
    if (before != null) {
      assertEquals(new String(before), Files.readString(tokens));
    }
  }

  @Test
  void aCreateAliasThatLoadsCodeIsRefused() {
    startAllowingEveryH2File();
    Path marker = elsewhere.resolve("ran");
    String url = "jdbc:h2:mem:x;INIT=CREATE ALIAS LOAD FOR 'java.lang.System.load'\\;CALL LOAD('" + marker + "')";
    String reason = rotateAndFail(h2Secret("jdbcUrl", url), H2_ROTATOR);
    assertTrue(reason.startsWith("the current value's jdbcUrl is not jdbc:h2:file:/ABSOLUTE/PATH"), reason);
    assertFalse(Files.exists(marker));
  }

  @Test
  void settingsSmuggledIntoThePathAreRefused() {
    startAllowingEveryH2File();
    Path loot = elsewhere.resolve("loot");
    String path = elsewhere.resolve("db") + ";INIT=CALL FILE_WRITE(FILE_READ('" + dataDir.resolve("root.key") + "'), '"
        + loot + "')";
    String reason = rotateAndFail(h2Secret("path", path), H2_ROTATOR);
    assertEquals("the current value's H2 path is not a plain absolute path (no ';', '..' or control characters)",
        reason);
    assertFalse(Files.exists(loot));
  }

  @Test
  void aPathIntoTheDataDirectoryIsRefusedEvenWhenEveryFileIsAllowed() {
    startAllowingEveryH2File();
    String reason = rotateAndFail(h2Secret("path", dataDir.resolve("vault").toString()), H2_ROTATOR);
    assertEquals("the H2 path " + dataDir.resolve("vault") + " lies in the sidecar's data directory, which no rotator "
        + "may open", reason);
  }

  @Test
  void aSymbolicLinkIntoTheDataDirectoryIsRefused() throws Exception {
    startAllowingEveryH2File();
    Path link = Files.createSymbolicLink(elsewhere.resolve("innocent"), dataDir);
    String reason = rotateAndFail(h2Secret("path", link.resolve("vault").toString()), H2_ROTATOR);
    assertEquals("the H2 path " + link.resolve("vault") + " lies in the sidecar's data directory, which no rotator "
        + "may open", reason);
  }

  @Test
  void anH2FileOutsideRotationTargetsIsRefusedAndKeepsItsPassword() throws Exception {
    Path db = elsewhere.resolve("orders");
    try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + db, "sa", "sa-pw");
         Statement s = c.createStatement()) {
      s.execute("CREATE USER app PASSWORD 'first-pw'");
    }
    sidecar = RunningSidecar.in(dataDir); // the default: loopback databases, no H2 file
    attacker = narrowUser();
    String reason = rotateAndFail(h2Secret("path", db.toString()), H2_ROTATOR);
    assertEquals("h2:" + db + " is not in rotation-targets (*://127.0.0.1:*,*://localhost:*,*://[::1]:*); an "
        + "operator allows it with --rotation-targets or STOWAWAY_ROTATION_TARGETS", reason);
    try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + db, "app", "first-pw")) {
      assertTrue(c.isValid(5), "the password was not changed");
    }
  }

  @Test
  void aDatabaseHostOutsideRotationTargetsIsRefused() {
    sidecar = RunningSidecar.in(dataDir);
    attacker = narrowUser();
    String reason = rotateAndFail("{\"engine\":\"postgres\",\"host\":\"10.255.255.1\",\"port\":5432,"
        + "\"username\":\"app\",\"password\":\"first-pw\",\"dbname\":\"postgres\"}",
        RotateSecretIT.ACCOUNT_PREFIX + "stowaway-postgresql-single-user");
    assertEquals("postgresql://10.255.255.1:5432 is not in rotation-targets (*://127.0.0.1:*,*://localhost:*,"
        + "*://[::1]:*); an operator allows it with --rotation-targets or STOWAWAY_ROTATION_TARGETS", reason);
  }

  @Test
  void driverSettingsSmuggledIntoTheHostAreRefused() {
    sidecar = RunningSidecar.in(dataDir);
    attacker = narrowUser();
    String reason = rotateAndFail("{\"engine\":\"postgres\",\"host\":\"127.0.0.1:5432/postgres?socketFactory="
        + MarkerSocketFactory.class.getName() + "&x=\",\"username\":\"app\",\"password\":\"first-pw\"}",
        RotateSecretIT.ACCOUNT_PREFIX + "stowaway-postgresql-single-user");
    assertEquals("the current value's host is not a host name or IP address; rotators take only engine, host, port, "
        + "dbname, username and password, never connection settings", reason);
    assertFalse(MarkerSocketFactory.made, "the driver never loaded a class the secret named");
  }

  @Test
  void aJdbcUrlWithDriverSettingsIsRefusedForEveryEngine() {
    sidecar = RunningSidecar.in(dataDir);
    attacker = narrowUser();
    String reason = rotateAndFail("{\"engine\":\"mariadb\",\"host\":\"127.0.0.1\",\"username\":\"app\","
        + "\"password\":\"first-pw\",\"jdbcUrl\":\"jdbc:mariadb://127.0.0.1/test?allowLocalInfile=true\"}",
        RotateSecretIT.ACCOUNT_PREFIX + "stowaway-mariadb-single-user");
    assertEquals("the current value's jdbcUrl carries connection settings (after ';', '?' or '&'); rotators never "
        + "take settings from a secret: give engine, host, port, dbname (H2: path) instead", reason);
  }

  @Test
  void anIpv6HostTheMariaDbDriverWouldReadAsAnotherAddressIsRefused() {
    sidecar = RunningSidecar.with(dataDir, "--rotation-targets", "mariadb://*:3306");
    attacker = narrowUser();
    // The driver's own URL would say jdbc:mariadb://0:6379::/test, which it reads as host 0, port 6379.
    String reason = rotateAndFail("{\"engine\":\"mariadb\",\"host\":\"0:6379::\",\"port\":3306,\"username\":\"app\","
        + "\"password\":\"first-pw\",\"dbname\":\"test\"}", RotateSecretIT.ACCOUNT_PREFIX + "stowaway-mariadb-single-user");
    assertEquals("MariaDB's driver would not connect to mariadb://[0:6379::]:3306 as given; use a host name or an IPv4 "
        + "address", reason);
  }

  @Test
  void aWebhookRotatorOutsideRotationTargetsIsNeverCalled() throws Exception {
    sidecar = RunningSidecar.in(dataDir);
    attacker = narrowUser();
    Files.createDirectories(dataDir.resolve("rotators"));
    Files.writeString(dataDir.resolve("rotators").resolve("far.url"), "http://10.255.255.1:8080/rotate\n");
    String reason = rotateAndFail("first", RotateSecretIT.ACCOUNT_PREFIX + "stowaway-webhook-far");
    assertEquals("the webhook rotator stowaway-webhook-far: http://10.255.255.1:8080/rotate is not in rotation-targets "
        + "(*://127.0.0.1:*,*://localhost:*,*://[::1]:*); an operator allows it with --rotation-targets or "
        + "STOWAWAY_ROTATION_TARGETS", reason);
  }
}
