package dev.stowaway.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AgentConfigParserTest {

  @Test
  void defaults() {
    AgentConfig c = AgentConfigParser.parse(null, Map.of());
    assertEquals(URI.create("http://127.0.0.1:2773"), c.endpoint());
    assertEquals(Duration.ofSeconds(300), c.ttl());
    assertTrue(c.failOnError());
    assertEquals(Duration.ofMinutes(15), c.maxStale());
    assertEquals("us-east-1", c.region());
    assertEquals(Duration.ofSeconds(10), c.retryWindow());
  }

  @Test
  void theRetryWindowComesFromItsVariable() {
    assertEquals(Duration.ofMillis(2500), AgentConfigParser.parse(null, Map.of("STOWAWAY_RETRY_WINDOW", "2500ms"))
        .retryWindow());
    assertEquals(Duration.ZERO, AgentConfigParser.parse("retryWindow=0s", Map.of()).retryWindow());
  }

  @Test
  void agentArgumentsWinOverEnvironment() {
    AgentConfig c = AgentConfigParser.parse("ttl=30s,onError=warn",
        Map.of("STOWAWAY_TTL", "10m", "STOWAWAY_ENDPOINT", "http://localhost:9999", "STOWAWAY_MAX_STALE", "1h"));
    assertEquals(Duration.ofSeconds(30), c.ttl());
    assertFalse(c.failOnError());
    assertEquals(URI.create("http://localhost:9999"), c.endpoint());
    assertEquals(Duration.ofHours(1), c.maxStale());
  }

  @Test
  void regionFollowsTheAwsVariables() {
    assertEquals("eu-west-1", AgentConfigParser.parse("", Map.of("AWS_REGION", "eu-west-1")).region());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "colour=blue|unknown setting 'colour' (known: endpoint, ttl, onError, maxStale, region, role, roleSessionName, "
          + "roleDuration, roleRefreshAhead, token, retryWindow)",
      "ttl|setting 'ttl' needs a value, as ttl=VALUE",
      "ttl=soon|ttl must be a duration such as 300s, 5m or 1h, got 'soon'",
      "maxStale=-5s|maxStale must be a duration such as 300s, 5m or 1h, got '-5s'",
      "onError=explode|onError must be 'fail' or 'warn', got 'explode'",
      "endpoint=ftp://x|endpoint must be an http(s) URL such as http://127.0.0.1:2773, got 'ftp://x'",
      "region=mars|region must look like us-east-1, got 'mars'",
      "role=app|role must be a role ARN such as arn:aws:iam::123456789012:role/app, got 'app'",
      "role=arn:aws:iam::123456789012:role/app,roleDuration=5m|roleDuration must be between 15m and 12h, got '5m'",
      "role=arn:aws:iam::123456789012:role/app,roleRefreshAhead=2h|roleRefreshAhead must be shorter than "
          + "roleDuration, got '2h'",
      "roleSessionName=x|roleSessionName must be 2 to 64 of A-Z a-z 0-9 + = , . @ _ -, got 'x'",
      "retryWindow=1h|retryWindow must be at most 5m (a connecting thread waits that long), got '1h'",
      "retryWindow=later|retryWindow must be a duration such as 300s, 5m or 1h, got 'later'"})
  void badSettingsAreNamed(String args, String message) {
    AgentConfigException e = assertThrows(AgentConfigException.class, () -> AgentConfigParser.parse(args, Map.of()));
    assertEquals(message, e.getMessage());
  }

  @Test
  void badEnvironmentValueNamesTheVariable() {
    AgentConfigException e = assertThrows(AgentConfigException.class,
        () -> AgentConfigParser.parse(null, Map.of("STOWAWAY_ON_ERROR", "maybe")));
    assertEquals("STOWAWAY_ON_ERROR must be 'fail' or 'warn', got 'maybe'", e.getMessage());
  }

  @ParameterizedTest
  @CsvSource({"300,PT5M", "250ms,PT0.25S", "2h,PT2H", "PT90S,PT1M30S", "45s,PT45S"})
  void durationsInSeveralSpellings(String text, String iso) {
    assertEquals(Duration.parse(iso), AgentConfigParser.Builder.duration("ttl", text));
  }

  @Test
  void roleSettingsFromTheEnvironmentAreNamedByTheirVariable() {
    AgentConfigException e = assertThrows(AgentConfigException.class, () -> AgentConfigParser.parse("",
        Map.of("STOWAWAY_ROLE", "arn:aws:iam::123456789012:role/app", "STOWAWAY_ROLE_DURATION", "1m")));
    assertEquals("STOWAWAY_ROLE_DURATION must be between 15m and 12h, got '1m'", e.getMessage());
    AgentConfig c = AgentConfigParser.parse("role=arn:aws:iam::123456789012:role/app,roleDuration=2h", Map.of());
    assertEquals("arn:aws:iam::123456789012:role/app", c.role());
    assertEquals(Duration.ofHours(2), c.roleDuration());
    assertEquals(Duration.ofMinutes(5), c.roleRefreshAhead());
    assertEquals("stowaway-agent", c.roleSessionName());
  }

  @Test
  void aTokenIsTakenAsItIsOrFromAFileAndNeverShown(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws java.io.IOException {
    assertEquals("t0k", AgentConfigParser.parse("token=t0k", Map.of()).token());
    java.nio.file.Path file = java.nio.file.Files.writeString(dir.resolve("token"), "from-file\n");
    AgentConfig fromFile = AgentConfigParser.parse("", Map.of("STOWAWAY_TOKEN", "file://" + file));
    assertEquals("from-file", fromFile.token());
    org.junit.jupiter.api.Assertions.assertFalse(fromFile.toString().contains("from-file"));
    assertEquals(null, AgentConfigParser.parse("", Map.of()).token());
  }

  @Test
  void anUnreadableTokenFileOrATokenWithARoleIsRefused() {
    AgentConfigException missing = assertThrows(AgentConfigException.class,
        () -> AgentConfigParser.parse("", Map.of("STOWAWAY_TOKEN", "file:///no/such/token")));
    assertEquals("STOWAWAY_TOKEN: cannot read the token from /no/such/token (NoSuchFileException)",
        missing.getMessage());
    AgentConfigException both = assertThrows(AgentConfigException.class,
        () -> AgentConfigParser.parse("token=t,role=arn:aws:iam::123456789012:role/app", Map.of()));
    assertEquals("role needs AWS credentials to assume it with; with a token the sidecar already knows who the "
        + "application is: set one of token and role", both.getMessage());
  }
}
