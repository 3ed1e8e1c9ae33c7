package dev.stowaway.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stowaway.agent.app.ReportingApp;
import dev.stowaway.agent.testing.AgentProcess;
import dev.stowaway.agent.testing.Jdk;
import dev.stowaway.sidecar.testing.ScratchMariaDb;
import dev.stowaway.sidecar.testing.ScramPostgres;
import dev.stowaway.sidecar.testing.RunningSidecar;
import dev.stowaway.vault.identity.Principal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/** The built agent jar in child JVMs, against a real sidecar and real databases. */
class AgentIT {

  static final String PASSWORD = "{{resolve:secretsmanager:prod/db:SecretString:password}}";
  static final String USER = "{{resolve:secretsmanager:prod/db:SecretString:username}}";

  @TempDir
  static Path dataDir;

  static RunningSidecar sidecar;
  static SecretsManagerClient sm;

  @BeforeAll
  static void start() {
    sidecar = RunningSidecar.in(dataDir);
    sm = sidecar.client();
    sm.createSecret(r -> r.name("prod/db").secretString("{\"username\":\"app\",\"password\":\"pw-0ne\"}"));
    sm.createSecret(r -> r.name("plain").secretString("just-a-string"));
    sm.createSecret(r -> r.name("h2-url").secretString("jdbc:h2:mem:placeholder-url"));
    sm.createSecret(r -> r.name("probe-url").secretString("jdbc:probe:placeholder-url"));
  }

  @AfterAll
  static void stop() {
    sm.close();
    sidecar.close();
  }

  private static AgentProcess app() {
    return new AgentProcess()
        .env("AWS_SHARED_CREDENTIALS_FILE", dataDir.resolve("admin-credentials").toString())
        .env("STOWAWAY_ENDPOINT", sidecar.endpoint().toString());
  }

  // This and the next two run on every supported JDK (see Jdk): one system property, environment
  // and DataSource case each, rather than the whole class three times.
  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.stowaway.agent.testing.Jdk#supported")
  void systemPropertiesResolveOnEveryReadPathButStayPlaceholdersInside(Jdk jdk) {
    AgentProcess.Result r = app().javaHome(jdk.home())
        .sysprop("db.password", PASSWORD)
        .sysprop("greeting", "hello {{resolve:secretsmanager:plain}} and {{resolve:secretsmanager:prod/db:SecretString:username}}!")
        .run(ReportingApp.class, "prop:db.password", "prop-default:db.password", "props-get:db.password",
            "raw:db.password", "prop:greeting", "prop:java.version");
    assertEquals(0, r.exitCode(), r.output());
    assertEquals("pw-0ne", r.value("prop:db.password"));
    assertEquals("pw-0ne", r.value("prop-default:db.password"));
    assertEquals("pw-0ne", r.value("props-get:db.password"));
    assertEquals(PASSWORD, r.value("raw:db.password"));
    assertEquals("hello just-a-string and app!", r.value("prop:greeting"));
    assertTrue(r.value("prop:java.version").startsWith(jdk.feature() + "."), r.output());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.stowaway.agent.testing.Jdk#supported")
  void environmentVariablesResolveThroughBothReadPaths(Jdk jdk) {
    AgentProcess.Result r = app().javaHome(jdk.home()).env("DB_PASSWORD", PASSWORD).env("PLAIN", "unchanged")
        .run(ReportingApp.class, "env:DB_PASSWORD", "env-map:DB_PASSWORD", "env:PLAIN");
    assertEquals(0, r.exitCode(), r.output());
    assertEquals("pw-0ne", r.value("env:DB_PASSWORD"));
    assertEquals("pw-0ne", r.value("env-map:DB_PASSWORD"));
    assertEquals("unchanged", r.value("env:PLAIN"));
  }

  @Test
  void anApplicationsOwnPropertiesResolveOnGetAndGetPropertyButKeepThePlaceholder() {
    AgentProcess.Result r = app().run(ReportingApp.class, "own-props:db.password=" + PASSWORD);
    assertEquals("pw-0ne|pw-0ne|pw-0ne|" + PASSWORD, r.value("own-props:db.password=" + PASSWORD), r.output());
  }

  @Test
  void environmentMapIterationResolves() {
    AgentProcess.Result r = app().env("DB_PASSWORD", PASSWORD).run(ReportingApp.class, "env-entries:DB_PASSWORD");
    assertEquals("pw-0ne", r.value("env-entries:DB_PASSWORD"), r.output());
  }

  @Test
  void driverManagerFindsTheDriverForAUrlThatIsAPlaceholder() {
    String url = "{{resolve:secretsmanager:h2-url}}";
    AgentProcess.Result r = app().run(ReportingApp.class, "driver-for:" + url, "driver-for:jdbc:nothing:here");
    assertEquals("org.h2.Driver", r.value("driver-for:" + url), r.output());
    assertTrue(r.value("driver-for:jdbc:nothing:here").startsWith("error"), r.output());
  }

  @Test
  void aDriverDefinedFromADirectByteBufferIsHookedToo() {
    String url = "{{resolve:secretsmanager:probe-url}}";
    AgentProcess.Result r = app().run(ReportingApp.class, "direct-buffer-driver-accepts:" + url,
        "direct-buffer-driver-accepts:jdbc:other:x");
    assertEquals("accepts true", r.value("direct-buffer-driver-accepts:" + url), r.output());
    assertEquals("accepts false", r.value("direct-buffer-driver-accepts:jdbc:other:x"), r.output());
  }

  @Test
  void driverManagerConnectsToH2WithResolvedCredentials(@TempDir Path h2) throws Exception {
    String url = "jdbc:h2:file:" + h2.resolve("db");
    try (Connection c = DriverManager.getConnection(url, "app", "pw-0ne"); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t (x INT)");
    }
    AgentProcess.Result r = app().run(ReportingApp.class,
        "jdbc:" + url + "|" + USER + "|" + PASSWORD,
        "jdbc-props:" + url + "|app|" + PASSWORD,
        "jdbc-url:" + url + ";USER=" + USER + ";PASSWORD=" + PASSWORD,
        "jdbc:" + url + "|app|wrong-password");
    assertEquals("connected as app", r.value("jdbc:" + url + "|" + USER + "|" + PASSWORD));
    assertEquals("connected as app", r.value("jdbc-props:" + url + "|app|" + PASSWORD));
    assertEquals("connected as app", r.value("jdbc-url:" + url + ";USER=" + USER + ";PASSWORD=" + PASSWORD));
    assertTrue(r.value("jdbc:" + url + "|app|wrong-password").startsWith("error"), r.output());
  }

  @Test
  void driverManagerConnectsToMariaDbWhichChecksThePassword() {
    try (ScratchMariaDb db = ScratchMariaDb.createUser("maria-Pw-1")) {
      sm.createSecret(r -> r.name("maria/" + db.user()).secretString(
          "{\"username\":\"" + db.user() + "\",\"password\":\"maria-Pw-1\"}"));
      String user = "{{resolve:secretsmanager:maria/" + db.user() + ":SecretString:username}}";
      String password = "{{resolve:secretsmanager:maria/" + db.user() + ":SecretString:password}}";
      String url = ScratchMariaDb.ROOT_URL;
      AgentProcess.Result r = app().run(ReportingApp.class,
          "jdbc:" + url + "|" + user + "|" + password,
          "jdbc:" + url + "|" + user + "|not-the-password");
      assertEquals("connected as " + db.user(), r.value("jdbc:" + url + "|" + user + "|" + password));
      assertTrue(r.value("jdbc:" + url + "|" + user + "|not-the-password").contains("Access denied"), r.output());
    }
  }

  @Test
  void driverManagerConnectsToPostgresWhichChecksThePassword() throws Exception {
    try (ScramPostgres pg = ScramPostgres.start()) {
      pg.createRole("orders_pg", "pg-Pw-1");
      sm.createSecret(r -> r.name("pg/app").secretString("{\"username\":\"orders_pg\",\"password\":\"pg-Pw-1\"}"));
      String user = "{{resolve:secretsmanager:pg/app:SecretString:username}}";
      String password = "{{resolve:secretsmanager:pg/app:SecretString:password}}";
      String url = pg.url("postgres");
      AgentProcess.Result r = app().run(ReportingApp.class,
          "jdbc:" + url + "|" + user + "|" + password,
          "jdbc:" + url + "|" + user + "|wrong",
          "datasource:org.postgresql.ds.PGSimpleDataSource|" + url + "|" + user + "|" + password,
          "hikari-ds:org.postgresql.ds.PGSimpleDataSource|" + url + "|" + user + "|" + password);
      assertEquals("connected as orders_pg", r.value("jdbc:" + url + "|" + user + "|" + password));
      assertTrue(r.value("jdbc:" + url + "|" + user + "|wrong").contains("password authentication failed"), r.output());
      assertEquals("connected as orders_pg",
          r.value("datasource:org.postgresql.ds.PGSimpleDataSource|" + url + "|" + user + "|" + password));
      assertEquals("connected as orders_pg",
          r.value("hikari-ds:org.postgresql.ds.PGSimpleDataSource|" + url + "|" + user + "|" + password));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.stowaway.agent.testing.Jdk#supported")
  void driverDataSourcesResolveTheirSettingsAtConnect(Jdk jdk, @TempDir Path h2) throws Exception {
    Path javaHome = jdk.home();
    String h2Url = "jdbc:h2:file:" + h2.resolve("db");
    try (Connection c = DriverManager.getConnection(h2Url, "app", "pw-0ne")) {
      c.isValid(1);
    }
    try (ScratchMariaDb db = ScratchMariaDb.createUser("ds-Pw-1")) {
      sm.createSecret(r -> r.name("ds/" + db.user()).secretString("{\"password\":\"ds-Pw-1\"}"));
      String mariaPassword = "{{resolve:secretsmanager:ds/" + db.user() + ":SecretString:password}}";
      String h2Arg = "datasource:org.h2.jdbcx.JdbcDataSource|" + h2Url + "|" + USER + "|" + PASSWORD;
      String mariaArg = "datasource:org.mariadb.jdbc.MariaDbDataSource|" + ScratchMariaDb.ROOT_URL + "|" + db.user()
          + "|" + mariaPassword;
      AgentProcess.Result r = app().javaHome(javaHome).run(ReportingApp.class, h2Arg, mariaArg);
      assertEquals("connected as app", r.value(h2Arg));
      assertEquals("connected as " + db.user(), r.value(mariaArg));
    }
  }

  @Test
  void refusedLoginIsRetriedWithThePendingPasswordDuringARotationOnEveryPath() {
    try (ScratchMariaDb db = ScratchMariaDb.createUser("pending-Pw-2")) {
      String secret = "window/" + db.user();
      sm.createSecret(r -> r.name(secret).secretString("{\"password\":\"current-Pw-1\"}"));
      sm.putSecretValue(r -> r.secretId(secret).secretString("{\"password\":\"pending-Pw-2\"}").versionStages("AWSPENDING"));
      String password = "{{resolve:secretsmanager:" + secret + ":SecretString:password}}";
      String mysqlUrl = ScratchMariaDb.ROOT_URL.replace("jdbc:mariadb:", "jdbc:mysql:") + "?sslMode=DISABLED";
      String[] args = {
          "jdbc:" + ScratchMariaDb.ROOT_URL + "|" + db.user() + "|" + password,
          "datasource:org.mariadb.jdbc.MariaDbDataSource|" + ScratchMariaDb.ROOT_URL + "|" + db.user() + "|" + password,
          "datasource:com.mysql.cj.jdbc.MysqlDataSource|" + mysqlUrl + "|" + db.user() + "|" + password};
      AgentProcess.Result r = app().run(ReportingApp.class, args);
      for (String arg : args) {
        assertEquals("connected as " + db.user(), r.value(arg), r.output());
      }
      assertTrue(r.output().contains(secret + ": the database refused the login with the values in use (a rotation "
          + "under way?); accepted AWSPENDING after"), r.output());
    }
  }

  @Test
  void refusedLoginIsRetriedWithThePreviousPasswordWhenTheVaultMovedFirst() {
    try (ScratchMariaDb db = ScratchMariaDb.createUser("old-Pw-1")) {
      String secret = "vault-first/" + db.user();
      sm.createSecret(r -> r.name(secret).secretString("{\"password\":\"old-Pw-1\"}"));
      sm.putSecretValue(r -> r.secretId(secret).secretString("{\"password\":\"new-Pw-2\"}")); // the database not yet
      String arg = "datasource:org.mariadb.jdbc.MariaDbDataSource|" + ScratchMariaDb.ROOT_URL + "|" + db.user()
          + "|{{resolve:secretsmanager:" + secret + ":SecretString:password}}";
      AgentProcess.Result r = app().run(ReportingApp.class, arg);
      assertEquals("connected as " + db.user(), r.value(arg), r.output());
      assertTrue(r.output().contains(secret + ": the database refused the login with the values in use (a rotation "
          + "under way?); accepted AWSPREVIOUS after"), r.output());
    }
  }

  @Test
  void h2DataSourceRetriesARefusedLoginWithThePendingPassword(@TempDir Path h2) throws Exception {
    String url = "jdbc:h2:file:" + h2.resolve("db");
    try (Connection c = DriverManager.getConnection(url, "app", "h2-Pending-2")) {
      c.isValid(1);
    }
    sm.createSecret(r -> r.name("h2/window").secretString("{\"password\":\"h2-Current-1\"}"));
    sm.putSecretValue(r -> r.secretId("h2/window").secretString("{\"password\":\"h2-Pending-2\"}")
        .versionStages("AWSPENDING"));
    String arg = "datasource:org.h2.jdbcx.JdbcDataSource|" + url + "|app|{{resolve:secretsmanager:h2/window:SecretString:password}}";
    AgentProcess.Result r = app().run(ReportingApp.class, arg);
    assertEquals("connected as app", r.value(arg), r.output());
    assertTrue(r.output().contains("h2/window: the database refused the login with the values in use (a rotation "
        + "under way?); accepted AWSPENDING after"), r.output());
  }

  @Test
  void refusedLoginWithNothingBetterToTrySurfacesTheDatabasesError() {
    try (ScratchMariaDb db = ScratchMariaDb.createUser("real-Pw")) {
      String secret = "wrong/" + db.user();
      sm.createSecret(r -> r.name(secret).secretString("{\"password\":\"not-the-real-one\"}"));
      String arg = "jdbc:" + ScratchMariaDb.ROOT_URL + "|" + db.user() + "|{{resolve:secretsmanager:" + secret
          + ":SecretString:password}}";
      AgentProcess.Result r = app().agentArgs("retryWindow=1s").run(ReportingApp.class, arg);
      assertTrue(r.value(arg).contains("Access denied for user '" + db.user() + "'"), r.output());
      assertTrue(r.output().contains(secret + ": the database refused the login with the values in use (a rotation "
          + "under way?); nothing was accepted within the retry window (1000 ms; tried AWSCURRENT)"), r.output());
      assertFalse(r.output().contains("not-the-real-one"), "no value may be printed");
    }
  }

  @Test
  void missingSecretStopsStartUpNamingThePropertyAndReferenceOnly() {
    AgentProcess.Result r = app().sysprop("db.password", "{{resolve:secretsmanager:no/such/secret}}")
        .run(ReportingApp.class, "prop:db.password");
    assertEquals(1, r.exitCode(), r.output());
    assertTrue(r.output().contains("stowaway-agent: cannot resolve system property 'db.password': "
        + "{{resolve:secretsmanager:no/such/secret}}: ResourceNotFoundException: Secrets Manager can't find the "
        + "specified secret."), r.output());
    assertFalse(r.output().contains("prop:db.password="), "the application must not have run");
  }

  @Test
  void missingJsonKeyIsNamed() {
    AgentProcess.Result r = app().env("X", "{{resolve:secretsmanager:prod/db:SecretString:nokey}}")
        .run(ReportingApp.class, "env:X");
    assertEquals(1, r.exitCode());
    assertTrue(r.output().contains("cannot resolve environment variable 'X': "
        + "{{resolve:secretsmanager:prod/db:SecretString:nokey}}: JSON key 'nokey' is not in the secret"), r.output());
    assertFalse(r.output().contains("pw-0ne"), "no value may be printed");
  }

  @Test
  void malformedPlaceholderGivesItsPosition() {
    AgentProcess.Result r = app().sysprop("url", "jdbc:x://{{resolve:secretsmanager:db").run(ReportingApp.class, "prop:url");
    assertEquals(1, r.exitCode());
    assertTrue(r.output().contains("cannot resolve system property 'url': malformed placeholder at position 9: "
        + "no closing '}}'"), r.output());
  }

  @Test
  void sidecarDownAtStartUpFailsFast() {
    AgentProcess.Result r = new AgentProcess()
        .env("AWS_SHARED_CREDENTIALS_FILE", dataDir.resolve("admin-credentials").toString())
        .env("STOWAWAY_ENDPOINT", "http://127.0.0.1:1")
        .sysprop("db.password", PASSWORD)
        .run(ReportingApp.class, "prop:db.password");
    assertEquals(1, r.exitCode());
    assertTrue(r.output().contains("cannot resolve system property 'db.password': " + PASSWORD
        + ": the sidecar at http://127.0.0.1:1 is unreachable"), r.output());
  }

  @Test
  void onErrorWarnStartsTheApplicationWithThePlaceholderLeftInPlace() {
    AgentProcess.Result r = app().agentArgs("onError=warn").sysprop("p", "{{resolve:secretsmanager:no/such}}")
        .run(ReportingApp.class, "prop:p");
    assertEquals(0, r.exitCode(), r.output());
    assertTrue(r.output().contains("onError=warn: it keeps its placeholder"), r.output());
  }

  @Test
  void unknownSettingStopsStartUpNamingIt() {
    AgentProcess.Result r = app().agentArgs("tll=5s").run(ReportingApp.class, "prop:java.version");
    assertEquals(1, r.exitCode());
    assertTrue(r.output().contains("stowaway-agent: unknown setting 'tll' (known: endpoint, ttl, onError, maxStale, region, "
        + "role, roleSessionName, roleDuration, roleRefreshAhead, token, retryWindow)"),
        r.output());
  }

  @Test
  void wrongCredentialsAreReportedByTheSidecarsError() {
    AgentProcess.Result r = new AgentProcess()
        .env("AWS_ACCESS_KEY_ID", "AKIANOTAREALKEY00000").env("AWS_SECRET_ACCESS_KEY", "nope")
        .env("STOWAWAY_ENDPOINT", sidecar.endpoint().toString())
        .sysprop("db.password", PASSWORD)
        .run(ReportingApp.class, "prop:db.password");
    assertEquals(1, r.exitCode());
    assertTrue(r.output().contains(PASSWORD + ": UnrecognizedClientException: The security token included in the "
        + "request is invalid."), r.output());
  }

  @Test
  void ssmPlaceholdersResolveThroughParameterStore() {
    var parameters = sidecar.sidecar().vault().parameters();
    parameters.put("/orders/prod/db/host", "db.internal", "String", true, null, null, null, null, null, null);
    parameters.put("/orders/prod/db/token", "t0ken-ssm", "SecureString", true, null, null, null, null, null, null);
    AgentProcess.Result r = app().sysprop("host", "{{resolve:ssm:/orders/prod/db/host}}")
        .sysprop("token", "{{resolve:ssm-secure:/orders/prod/db/token}}")
        .sysprop("db", "{{resolve:ssm-secure:/aws/reference/secretsmanager/prod/db}}")
        .run(ReportingApp.class, "prop:host", "prop:token", "prop:db");
    assertEquals(0, r.exitCode(), r.output());
    assertEquals("db.internal", r.value("prop:host"));
    assertEquals("t0ken-ssm", r.value("prop:token"));
    assertEquals("{\"username\":\"app\",\"password\":\"pw-0ne\"}", r.value("prop:db"));
  }

  @Test
  void aMissingParameterStopsTheAppNamingIt() {
    AgentProcess.Result r = app().sysprop("host", "{{resolve:ssm:/orders/prod/none}}").run(ReportingApp.class, "prop:host");
    assertEquals(1, r.exitCode());
    assertTrue(r.output().contains("{{resolve:ssm:/orders/prod/none}}: ParameterNotFound"), r.output());
  }

  @Test
  void resolvesWithSessionCredentialsFromTheEnvironment() {
    var iam = sidecar.sidecar().vault().identity();
    iam.createUser("session-user", null);
    iam.putUserPolicy("session-user", "read", "{\"Statement\":{\"Effect\":\"Allow\","
        + "\"Action\":\"secretsmanager:GetSecretValue\",\"Resource\":\"*\"}}");
    var key = iam.createAccessKey("session-user");
    var caller = iam.callerFor(new Principal("session-user",
        iam.userArn("session-user"), key.accessKeyId()), "127.0.0.1", false);
    var session = sidecar.sidecar().vault().sessions().getSessionToken(caller, 900, null, null);
    AgentProcess.Result r = new AgentProcess()
        .env("AWS_ACCESS_KEY_ID", session.accessKeyId()).env("AWS_SECRET_ACCESS_KEY", session.secretAccessKey())
        .env("AWS_SESSION_TOKEN", session.sessionToken())
        .env("STOWAWAY_ENDPOINT", sidecar.endpoint().toString())
        .sysprop("db.password", PASSWORD).run(ReportingApp.class, "prop:db.password");
    assertEquals(0, r.exitCode(), r.output());
    assertEquals("pw-0ne", r.value("prop:db.password"));
  }

  @Test
  void runsOnAnAssumedRoleAndRefreshesItsCredentials() throws Exception {
    var vault = sidecar.sidecar().vault();
    vault.identity().createUser("workload", null);
    var key = vault.identity().createAccessKey("workload");
    String trust = "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
        + "\"arn:aws:iam::123456789012:user/workload\"},\"Action\":\"sts:AssumeRole\"}}";
    vault.roles().createRole("agent-role", null, trust, null, null);
    vault.roles().putRolePolicy("agent-role", "read", "{\"Statement\":{\"Effect\":\"Allow\","
        + "\"Action\":\"secretsmanager:GetSecretValue\",\"Resource\":\"*\"}}");
    // the user itself may read nothing: every value below comes through the role
    try (AgentProcess.Running running = new AgentProcess()
        .env("AWS_ACCESS_KEY_ID", key.accessKeyId()).env("AWS_SECRET_ACCESS_KEY", key.secretAccessKey())
        .env("STOWAWAY_ENDPOINT", sidecar.endpoint().toString())
        .agentArgs("role=arn:aws:iam::123456789012:role/agent-role,roleDuration=15m,roleRefreshAhead=899s,ttl=250ms")
        .sysprop("db.password", PASSWORD).start(dev.stowaway.agent.app.CommandApp.class)) {
      running.await(l -> l.equals("ready"), 60);
      running.send("prop db.password");
      assertEquals("db.password=pw-0ne", running.await(l -> l.startsWith("db.password="), 30));
      // a refresh is due about every second; refusing the next one makes it visible
      vault.roles().updateAssumeRolePolicy("agent-role", trust.replace("Allow", "Deny"));
      String warning = running.await(l -> l.contains("cannot refresh the credentials of role"), 30);
      assertTrue(warning.contains("arn:aws:iam::123456789012:role/agent-role"), warning);
      running.send("prop db.password"); // the last credentials are still valid: resolution goes on
      assertEquals("db.password=pw-0ne", running.await(l -> l.startsWith("db.password="), 30));
      running.send("exit");
    }
  }

  @Test
  void accessDeniedIsReportedWithTheReferenceAndNoMore() {
    var iam = sidecar.sidecar().vault().identity();
    iam.createUser("agent-user", null);
    iam.putUserPolicy("agent-user", "only-plain", "{\"Statement\":{\"Effect\":\"Allow\","
        + "\"Action\":\"secretsmanager:GetSecretValue\",\"Resource\":\"arn:aws:secretsmanager:*:*:secret:plain-*\"}}");
    var key = iam.createAccessKey("agent-user");
    AgentProcess.Result r = new AgentProcess()
        .env("AWS_ACCESS_KEY_ID", key.accessKeyId()).env("AWS_SECRET_ACCESS_KEY", key.secretAccessKey())
        .env("STOWAWAY_ENDPOINT", sidecar.endpoint().toString())
        .sysprop("allowed", "{{resolve:secretsmanager:plain}}")
        .sysprop("db.password", PASSWORD).run(ReportingApp.class, "prop:allowed");
    assertEquals(1, r.exitCode());
    assertTrue(r.output().contains("cannot resolve system property 'db.password': " + PASSWORD
        + ": AccessDeniedException: User: arn:aws:iam::123456789012:user/agent-user is not authorized to perform: "
        + "secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db "
        + "because no identity-based policy allows the secretsmanager:GetSecretValue action\n"), r.output());
    assertFalse(r.output().contains("pw-0ne"), "no value may be printed");
  }

  @Test
  void jcmdShowsPlaceholdersNotValues() throws Exception {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isExecutable(jcmd), "no jcmd in this JDK");
    try (AgentProcess.Running running = app().sysprop("db.password", PASSWORD)
        .start(dev.stowaway.agent.app.CommandApp.class)) {
      running.await(l -> l.equals("ready"), 60);
      running.send("prop db.password");
      assertEquals("db.password=pw-0ne", running.await(l -> l.startsWith("db.password="), 30));
      Process p = new ProcessBuilder(jcmd.toString(), String.valueOf(running.pid()), "VM.system_properties")
          .redirectErrorStream(true).start();
      String props = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      p.waitFor();
      assertTrue(props.contains("db.password={{resolve\\:secretsmanager\\:prod/db\\:SecretString\\:password}}")
          || props.contains("db.password=" + PASSWORD), props);
      assertFalse(props.contains("pw-0ne"), "jcmd must not show the plaintext");
      running.send("exit");
    }
  }

  @Test
  void withoutPlaceholdersTheApplicationIsUntouched() {
    AgentProcess.Result r = app().sysprop("a", "b").run(ReportingApp.class, "prop:a");
    assertEquals(0, r.exitCode(), r.output());
    assertEquals("b", r.value("prop:a"));
  }
}
