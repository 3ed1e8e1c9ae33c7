package dev.stowaway.sidecar.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
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
      "--colour|blue|unknown option '--colour' (see 'stowaway help')"})
  void badSettingIsNamedWithItsValue(String flag, String value, String message) {
    ConfigException e = assertThrows(ConfigException.class, () -> ServerConfig.parse(new String[] {flag, value}, Map.of()));
    assertEquals(message, e.getMessage());
  }

  @Test
  void flagWithoutValueSaysSo() {
    ConfigException e = assertThrows(ConfigException.class, () -> ServerConfig.parse(new String[] {"--port"}, Map.of()));
    assertEquals("--port needs a value", e.getMessage());
  }
}
