package dev.stowaway.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stowaway.agent.app.ReportingApp;
import dev.stowaway.agent.testing.AgentProcess;
import dev.stowaway.sidecar.testing.RunningSidecar;
import dev.stowaway.sidecar.testing.ScramPostgres;
import dev.stowaway.sidecar.testing.ScratchMariaDb;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * Passwords holding each of {@code &%=?;#/:@+ `"'\} log in for real, resolved by the agent into a URL's
 * query string (or H2's settings), into the user and password properties, and into a driver's
 * DataSource setters. The one thing that cannot work (an {@code &} in a MariaDB URL's query string,
 * which that driver never decodes) is refused, saying why.
 */
class SpecialPasswordsIT {

  private static final String SPECIAL = "&%=?;#/:@+ `\"'\\";
  private static final ObjectMapper JSON = new ObjectMapper();

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

  /** One password per character, the character inside it and at its end. */
  private static List<String> passwords() {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < SPECIAL.length(); i++) {
      out.add("Sp" + i + "x" + SPECIAL.charAt(i) + "y" + SPECIAL.charAt(i));
    }
    return out;
  }

  private static AgentProcess app() {
    return new AgentProcess()
        .env("AWS_SHARED_CREDENTIALS_FILE", dataDir.resolve("admin-credentials").toString())
        .env("STOWAWAY_ENDPOINT", sidecar.endpoint().toString());
  }

  /** A secret holding the user and password; returns its two placeholders. */
  private static String[] secret(String name, String user, String password) throws Exception {
    String json = JSON.writeValueAsString(Map.of("username", user, "password", password));
    sm.createSecret(r -> r.name(name).secretString(json));
    return new String[] {"{{resolve:secretsmanager:" + name + ":SecretString:username}}",
        "{{resolve:secretsmanager:" + name + ":SecretString:password}}"};
  }

  @Test
  void mariaDbAndMySqlPathsLogInWithEveryCharacter() throws Exception {
    List<ScratchMariaDb> users = new ArrayList<>();
    try {
      Map<String, String> expected = new LinkedHashMap<>();
      for (String password : passwords()) {
        ScratchMariaDb db = ScratchMariaDb.createUser("Plain-Pw-1");
        users.add(db);
        try (Connection root = ScratchMariaDb.root()) {
          for (String host : new String[] {"%", "127.0.0.1", "localhost"}) {
            try (PreparedStatement s = root.prepareStatement("SET PASSWORD FOR '" + db.user() + "'@'" + host
                + "' = PASSWORD(?)")) {
              s.setString(1, password);
              s.execute();
            }
          }
        }
        String[] p = secret("sp/" + db.user(), db.user(), password);
        String connected = "connected as " + db.user();
        String mariaUrl = ScratchMariaDb.ROOT_URL;
        String mysqlUrl = mariaUrl.replace("jdbc:mariadb:", "jdbc:mysql:") + "?sslMode=DISABLED";
        expected.put("jdbc-url:" + mariaUrl + "?user=" + p[0] + "&password=" + p[1], password.contains("&")
            ? "error SQLException: stowaway-agent: " + p[1] + ": its value holds '&', which a MariaDB Connector/J "
                + "URL's query string cannot carry (the driver splits it on '&' and decodes nothing); give it as a "
                + "connection property (user, password) or through the DataSource's setter"
            : connected);
        expected.put("jdbc-props:" + mariaUrl + "|" + p[0] + "|" + p[1], connected);
        expected.put("datasource:org.mariadb.jdbc.MariaDbDataSource|" + mariaUrl + "|" + p[0] + "|" + p[1], connected);
        expected.put("jdbc-url:" + mysqlUrl + "&user=" + p[0] + "&password=" + p[1], connected);
        expected.put("jdbc-props:" + mysqlUrl + "|" + p[0] + "|" + p[1], connected);
        expected.put("datasource:com.mysql.cj.jdbc.MysqlDataSource|" + mysqlUrl + "|" + p[0] + "|" + p[1], connected);
      }
      check(expected);
    } finally {
      users.forEach(ScratchMariaDb::close);
    }
  }

  @Test
  void postgresPathsLogInWithEveryCharacter() throws Exception {
    try (ScramPostgres pg = ScramPostgres.start()) {
      Map<String, String> expected = new LinkedHashMap<>();
      int i = 0;
      for (String password : passwords()) {
        String role = "sp_role_" + i++;
        pg.execute("CREATE ROLE " + role + " LOGIN PASSWORD '" + password.replace("'", "''") + "'");
        String[] p = secret("sp/pg/" + role, role, password);
        String url = pg.url("postgres");
        String connected = "connected as " + role;
        expected.put("jdbc-url:" + url + "?user=" + p[0] + "&password=" + p[1], connected);
        expected.put("jdbc-props:" + url + "|" + p[0] + "|" + p[1], connected);
        expected.put("datasource:org.postgresql.ds.PGSimpleDataSource|" + url + "|" + p[0] + "|" + p[1], connected);
      }
      check(expected);
    }
  }

  @Test
  void h2PathsLogInWithEveryCharacter(@TempDir Path h2) throws Exception {
    String url = "jdbc:h2:file:" + h2.resolve("db");
    Map<String, String> expected = new LinkedHashMap<>();
    try (Connection c = DriverManager.getConnection(url, "owner", "owner-Pw"); Statement s = c.createStatement()) {
      int i = 0;
      for (String password : passwords()) {
        String user = "sp_user_" + i++;
        s.execute("CREATE USER " + user + " PASSWORD '" + password.replace("'", "''") + "'");
        String[] p = secret("sp/h2/" + user, user, password);
        String connected = "connected as " + user;
        expected.put("jdbc-url:" + url + ";USER=" + p[0] + ";PASSWORD=" + p[1], connected);
        expected.put("jdbc-props:" + url + "|" + p[0] + "|" + p[1], connected);
        expected.put("datasource:org.h2.jdbcx.JdbcDataSource|" + url + "|" + p[0] + "|" + p[1], connected);
      }
    } // closed: the child opens the file itself
    check(expected);
  }

  /** One child JVM tries every argument; each must end as expected, and no password may be printed. */
  private static void check(Map<String, String> expected) {
    AgentProcess.Result r = app().run(ReportingApp.class, expected.keySet().toArray(new String[0]));
    Map<String, String> seen = new LinkedHashMap<>();
    expected.keySet().forEach(arg -> seen.put(arg, r.value(arg)));
    assertEquals(expected, seen, r.output());
    for (String password : passwords()) {
      assertFalse(r.output().contains(password), "no password may be printed");
    }
  }
}
