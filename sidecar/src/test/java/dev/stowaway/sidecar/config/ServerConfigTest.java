package dev.stowaway.sidecar.config;

import dev.stowaway.vault.identity.FailedAttempts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stowaway.vault.identity.FailedAttempts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ServerConfigTest {

  @Test
  void defaultsBindLoopbackOnTheAgentPort() {
    ServerConfig c = ServerConfig.parse(new String[0], Map.of());
    assertEquals("127.0.0.1", c.bind());
    assertEquals(2773, c.port());
    assertEquals("us-east-1", c.region());
    assertEquals("123456789012", c.account());
    assertEquals(Path.of("stowaway-data").toAbsolutePath(), c.dataDir());
    assertEquals(Duration.ofMinutes(5), c.auditDigestInterval());
  }

  @Test
  void guessingIsAllowedFiveMfaCodesInFiveMinutesAndTenSignaturesAMinute() {
    ServerConfig c = ServerConfig.parse(new String[0], Map.of());
    assertEquals(new FailedAttempts.Limit(5, Duration.ofMinutes(5)), c.guessLimits().mfa());
    assertEquals(new FailedAttempts.Limit(10, Duration.ofMinutes(1)), c.guessLimits().signatures());
    ServerConfig set = ServerConfig.parse(new String[] {"--mfa-failures", "3", "--signature-failure-window-seconds",
        "120"}, Map.of());
    assertEquals(new FailedAttempts.Limit(3, Duration.ofMinutes(5)), set.guessLimits().mfa());
    assertEquals(new FailedAttempts.Limit(10, Duration.ofMinutes(2)), set.guessLimits().signatures());
  }

  @Test
  void connectionCapsFitAnSdkPoolPerApplicationAndMetricsStayOffTheApiPort() {
    ServerConfig.Http http = ServerConfig.parse(new String[0], Map.of()).http();
    assertEquals(new ServerConfig.Http(1024, 256, Duration.ofSeconds(5), false), http);
  }

  @Test
  void flagsWinOverEnvironment() {
    ServerConfig c = ServerConfig.parse(new String[] {"--data-dir", "/tmp/a", "--port=9000"},
        Map.of("STOWAWAY_DATA_DIR", "/tmp/b", "STOWAWAY_PORT", "8000", "STOWAWAY_REGION", "eu-west-2"));
    assertEquals(Path.of("/tmp/a"), c.dataDir());
    assertEquals(9000, c.port());
    assertEquals("eu-west-2", c.region());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "--port|70000|--port must be between 0 and 65535, got 70000",
      "--port|http|--port must be a number, got 'http'",
      "--region|moon|--region must look like us-east-1, got 'moon'",
      "--account|42|--account must be 12 digits, got '42'",
      "--colour|blue|unknown option '--colour' (see 'stowaway help')",
      "--audit-digest-interval-seconds|0|--audit-digest-interval-seconds must be a positive number of seconds, got '0'",
      "--mfa-failures|0|--mfa-failures must be at least 1, got 0",
      "--signature-failure-window-seconds|-5|--signature-failure-window-seconds must be a positive number of seconds, got -5",
      "--max-connections|0|--max-connections must be at least 1, got 0",
      "--max-connections-per-address|2000|--max-connections-per-address must be between 1 and --max-connections (1024), "
          + "got 2000",
      "--request-read-timeout-seconds|0|--request-read-timeout-seconds must be between 1 and 300, got 0",
      "--metrics-on-api-port|yes|--metrics-on-api-port must be true or false, got 'yes'"})
  void badSettingIsNamedWithItsValue(String flag, String value, String message) {
    ConfigException e = assertThrows(ConfigException.class, () -> ServerConfig.parse(new String[] {flag, value}, Map.of()));
    assertEquals(message, e.getMessage());
  }

  @Test
  void flagWithoutValueSaysSo() {
    ConfigException e = assertThrows(ConfigException.class, () -> ServerConfig.parse(new String[] {"--port"}, Map.of()));
    assertEquals("--port needs a value", e.getMessage());
  }

  @TempDir Path dir;

  private Path file(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }

  @Test
  void aYamlFileSetsEverythingAndTheEnvironmentAndFlagsWinOverIt() throws IOException {
    Path yaml = file("stowaway.yaml", """
        # the sidecar of the orders service
        data-dir: /var/lib/stowaway
        port: 9001
        region: eu-west-1
        log-format: json
        rotation-lease-seconds: 120
        """);
    ServerConfig fromFile = ServerConfig.parse(new String[] {"--config", yaml.toString()}, Map.of());
    assertEquals(Path.of("/var/lib/stowaway"), fromFile.dataDir());
    assertEquals(9001, fromFile.port());
    assertEquals("eu-west-1", fromFile.region());
    assertEquals(ServerConfig.LogFormat.JSON, fromFile.logFormat());
    assertEquals(Duration.ofSeconds(120), fromFile.rotationLease());

    ServerConfig overridden = ServerConfig.parse(new String[] {"--port", "9003"},
        Map.of("STOWAWAY_CONFIG", yaml.toString(), "STOWAWAY_PORT", "9002", "STOWAWAY_REGION", "eu-north-1"));
    assertEquals(9003, overridden.port());
    assertEquals("eu-north-1", overridden.region());
    assertEquals(Path.of("/var/lib/stowaway"), overridden.dataDir());
  }

  @Test
  void aJsonFileIsReadToo() throws IOException {
    Path json = file("stowaway.json", "{\"port\": 9100, \"bind\": \"0.0.0.0\"}");
    ServerConfig c = ServerConfig.parse(new String[] {"--config", json.toString()}, Map.of());
    assertEquals(9100, c.port());
    assertEquals("0.0.0.0", c.bind());
  }

  @Test
  void anUnknownSettingInAFileIsNamed() throws IOException {
    Path yaml = file("typo.yaml", "prot: 9001\n");
    ConfigException e = assertThrows(ConfigException.class,
        () -> ServerConfig.parse(new String[] {"--config", yaml.toString()}, Map.of()));
    assertTrue(e.getMessage().startsWith(yaml + ": unknown setting 'prot' (settings: data-dir, bind, port, region, "
        + "account, store, store-url, store-credentials-file, agent-token, agent-token-user, log-format, access-log, "
        + "rotation-lease-seconds, probe-port, probe-bind, "), e.getMessage()); // then the settings added since
    assertEquals(yaml + ": unknown setting 'prot' (settings: " + String.join(", ", ServerConfig.SETTINGS.keySet()) + ")",
        e.getMessage());
  }

  @Test
  void aBadValueInAFileIsNamedWithWhereSettingsCameFrom() throws IOException {
    Path yaml = file("bad.yaml", "log-format: xml\n");
    ConfigException e = assertThrows(ConfigException.class,
        () -> ServerConfig.parse(new String[] {"--config", yaml.toString()}, Map.of()));
    assertEquals("--log-format must be text or json, got 'xml' (settings from " + yaml + ", STOWAWAY_* and flags)",
        e.getMessage());
  }

  @Test
  void aFileThatIsNotAMappingOrNotYamlIsRefused() throws IOException {
    Path list = file("list.yaml", "- port\n- 9001\n");
    assertEquals(list + ": must be a mapping of settings (name: value), not a list", assertThrows(
        ConfigException.class, () -> ServerConfig.parse(new String[] {"--config", list.toString()}, Map.of()))
        .getMessage());
    Path broken = file("broken.yaml", "port: [9001\n");
    assertTrue(assertThrows(ConfigException.class,
        () -> ServerConfig.parse(new String[] {"--config", broken.toString()}, Map.of())).getMessage()
        .startsWith(broken + ": not valid YAML or JSON at line"));
    assertEquals(dir.resolve("none.yaml") + ": no such config file", assertThrows(ConfigException.class,
        () -> ServerConfig.parse(new String[] {"--config", dir.resolve("none.yaml").toString()}, Map.of()))
        .getMessage());
  }

  @Test
  void aStorePasswordDoesNotBelongInAConfigFile() throws IOException {
    Path yaml = file("pw.yaml", "store-password: hunter2\n");
    ConfigException e = assertThrows(ConfigException.class,
        () -> ServerConfig.parse(new String[] {"--config", yaml.toString()}, Map.of()));
    assertTrue(e.getMessage().startsWith(yaml + ": store-password does not belong in a config file"), e.getMessage());
    assertFalse(e.getMessage().contains("hunter2"));
  }

  @Test
  void theAgentTokenComesFromAnEnvironmentVariableOrAFileAsAwsAgentTakesIt() throws IOException {
    ServerConfig fromEnv = ServerConfig.parse(new String[] {"--agent-token", "AWS_TOKEN", "--agent-token-user", "app"},
        Map.of("AWS_TOKEN", "t0ken"));
    assertEquals("t0ken", fromEnv.agentToken().token());
    assertEquals("app", fromEnv.agentToken().user());
    assertFalse(fromEnv.toString().contains("t0ken"));
    Path tokenFile = file("awssmatoken", "from-file\n");
    ServerConfig viaEnvFile = ServerConfig.parse(new String[] {"--agent-token", "AWS_TOKEN", "--agent-token-user",
        "app"}, Map.of("AWS_TOKEN", "file://" + tokenFile));
    assertEquals("from-file", viaEnvFile.agentToken().token());
    ServerConfig direct = ServerConfig.parse(new String[] {"--agent-token", "file://" + tokenFile,
        "--agent-token-user", "app"}, Map.of());
    assertEquals("from-file", direct.agentToken().token());
  }

  @Test
  void anAgentTokenNeedsItsUserAndItsSource() {
    assertEquals("--agent-token needs --agent-token-user NAME: the IAM user whose policies and audit identity the "
        + "token carries", assertThrows(ConfigException.class,
        () -> ServerConfig.parse(new String[] {"--agent-token", "AWS_TOKEN"}, Map.of("AWS_TOKEN", "x"))).getMessage());
    assertEquals("--agent-token AWS_TOKEN: the environment variable AWS_TOKEN is not set (give a variable's name or "
        + "file:///path)", assertThrows(ConfigException.class, () -> ServerConfig.parse(
        new String[] {"--agent-token", "AWS_TOKEN", "--agent-token-user", "app"}, Map.of())).getMessage());
  }
}
