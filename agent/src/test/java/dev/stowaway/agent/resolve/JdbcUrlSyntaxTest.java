package dev.stowaway.agent.resolve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Values written into JDBC URLs read back exactly through each driver's own URL parser (the real
 * classes, not a model of them).
 */
class JdbcUrlSyntaxTest {

  private static final String PASSWORD = "{{resolve:secretsmanager:db:SecretString:password}}";

  /** Each character the issue names, inside and at the end of a password, and all of them at once. */
  static Stream<String> passwords() {
    String special = "&%=?;#/:@+ `\"'\\";
    Stream<String> each = special.chars().mapToObj(c -> "pw" + (char) c + "x" + (char) c);
    return Stream.concat(each, Stream.of("all" + special + "%41%zz+é€"));
  }

  private static String write(String driver, String url, String value) {
    return JdbcUrlSyntax.ofDriver(driver).write(url, PlaceholderParser.parse(url), p -> value);
  }

  @ParameterizedTest
  @MethodSource("passwords")
  void pgjdbcReadsBackAPercentEncodedQueryValue(String password) throws Exception {
    String url = write("org.postgresql.Driver", "jdbc:postgresql://127.0.0.1:5432/db?user=app&password=" + PASSWORD
        + "&ssl=false", password);
    java.util.Properties parsed = org.postgresql.Driver.parseURL(url, null);
    assertEquals(password, parsed.getProperty("password"), url);
    assertEquals("false", parsed.getProperty("ssl"));
  }

  @ParameterizedTest
  @MethodSource("passwords")
  void mysqlConnectorReadsBackAPercentEncodedQueryValue(String password) {
    String url = write("com.mysql.cj.jdbc.NonRegisteringDriver", "jdbc:mysql://127.0.0.1:3306/db?user=app&password="
        + PASSWORD + "&sslMode=DISABLED", password);
    java.util.Properties parsed = com.mysql.cj.conf.ConnectionUrl.getConnectionUrlInstance(url, null)
        .getConnectionArgumentsAsProperties();
    assertEquals(password, parsed.getProperty("password"), url);
    assertEquals("DISABLED", parsed.getProperty("sslMode"));
  }

  @ParameterizedTest
  @MethodSource("passwords")
  void mariaDbConnectorReadsBackAQueryValueAsItIsOrItIsRefused(String password) throws Exception {
    String template = "jdbc:mariadb://127.0.0.1:3306/db?user=app&password=" + PASSWORD + "&connectTimeout=5000";
    if (password.contains("&")) {
      JdbcUrlSyntax.UnwritableValueException e = assertThrows(JdbcUrlSyntax.UnwritableValueException.class,
          () -> write("org.mariadb.jdbc.Driver", template, password));
      assertEquals(PASSWORD + ": its value holds '&', which a MariaDB Connector/J URL's query string cannot carry "
          + "(the driver splits it on '&' and decodes nothing); give it as a connection property (user, password) "
          + "or through the DataSource's setter", e.getMessage());
      return;
    }
    String url = write("org.mariadb.jdbc.Driver", template, password);
    org.mariadb.jdbc.Configuration parsed = org.mariadb.jdbc.Configuration.parse(url);
    assertEquals(password, parsed.password(), url);
    assertEquals(5000, parsed.connectTimeout());
  }

  @ParameterizedTest
  @MethodSource("passwords")
  void h2ReadsBackABackslashEscapedSetting(String password) {
    String url = write("org.h2.Driver", "jdbc:h2:mem:x;USER=app;PASSWORD=" + PASSWORD + ";MODE=MySQL", password);
    // as org.h2.engine.ConnectionInfo.readSettingsFromURL splits them
    List<String> settings = Arrays.asList(org.h2.util.StringUtils.arraySplit(url.substring(url.indexOf(';') + 1), ';',
        false));
    assertEquals(List.of("USER=app", "PASSWORD=" + password, "MODE=MySQL"), settings, url);
  }

  @Test
  void mariaDbConnectorRefusesNothingInAUrlItDoesNotTake() {
    // DriverManager offers a MySQL URL to every driver; MariaDB Connector/J declines it, MySQL's takes it
    assertEquals("jdbc:mysql://h/db?password=a&b", write("org.mariadb.jdbc.Driver", "jdbc:mysql://h/db?password="
        + PASSWORD, "a&b"));
  }

  @Test
  void aPlaceholderBeforeTheQueryStringGoesInAsItIs() {
    String url = write("org.postgresql.Driver", "jdbc:postgresql://{{resolve:ssm:/db/host}}/db?password=" + PASSWORD,
        "db.internal:5432");
    assertEquals("jdbc:postgresql://db.internal:5432/db?password=db.internal%3A5432", url);
  }

  @Test
  void aWholeUrlThatIsOnePlaceholderGoesInAsItIs() {
    assertEquals("jdbc:h2:mem:a;MODE=MySQL", write("org.h2.Driver", "{{resolve:secretsmanager:url}}",
        "jdbc:h2:mem:a;MODE=MySQL"));
  }

  @Test
  void aDriverWhoseSyntaxIsUnknownGetsTheValueAsItIs() {
    assertEquals("jdbc:other://h/db?password=a&b%", write("com.example.OtherDriver",
        "jdbc:other://h/db?password=" + PASSWORD, "a&b%"));
  }

  @Test
  void percentEncodingKeepsOnlyUnreservedCharacters() {
    assertEquals("aZ09-._~%20%2B%26%C3%A9", JdbcUrlSyntax.percentEncoded("aZ09-._~ +&é"));
    assertTrue(JdbcUrlSyntax.percentEncoded("").isEmpty());
  }
}
