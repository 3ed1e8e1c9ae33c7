package dev.stowaway.sidecar.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * A throwaway MariaDB user on the machine's server (127.0.0.1:3306, root without password). When
 * the server is not there the test is skipped, unless {@code STOWAWAY_REQUIRE_DB=1} (as in CI),
 * where that is a failure.
 */
public final class ScratchMariaDb implements AutoCloseable {

  public static final String ROOT_URL = "jdbc:mariadb://127.0.0.1:3306/test";

  private final String user;

  private ScratchMariaDb(String user) {
    this.user = user;
  }

  public static ScratchMariaDb createUser(String password) {
    String user = "stowaway_" + UUID.randomUUID().toString().substring(0, 8);
    try (Connection c = root(); Statement s = c.createStatement()) {
      for (String host : new String[] {"%", "127.0.0.1", "localhost"}) {
        s.execute("CREATE USER '" + user + "'@'" + host + "' IDENTIFIED BY '" + password + "'");
        s.execute("GRANT SELECT ON test.* TO '" + user + "'@'" + host + "'");
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create a MariaDB user: " + e.getMessage(), e);
    }
    return new ScratchMariaDb(user);
  }

  public static Connection root() throws SQLException {
    try {
      return DriverManager.getConnection(ROOT_URL, "root", "");
    } catch (SQLException e) {
      unavailable("MariaDB at 127.0.0.1:3306 is not reachable (" + e.getMessage() + ")");
      throw e;
    }
  }

  public String user() {
    return user;
  }

  public void changePassword(String password) {
    try (Connection c = root(); Statement s = c.createStatement()) {
      for (String host : new String[] {"%", "127.0.0.1", "localhost"}) {
        s.execute("ALTER USER '" + user + "'@'" + host + "' IDENTIFIED BY '" + password + "'");
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The ids of this user's sessions now open on the server. */
  public java.util.Set<String> sessions() {
    java.util.Set<String> ids = new java.util.HashSet<>();
    try (Connection c = root(); Statement s = c.createStatement();
         java.sql.ResultSet r = s.executeQuery("SELECT ID FROM information_schema.PROCESSLIST WHERE USER = '" + user + "'")) {
      while (r.next()) {
        ids.add(r.getString(1));
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return ids;
  }

  @Override
  public void close() {
    try (Connection c = root(); Statement s = c.createStatement()) {
      for (String host : new String[] {"%", "127.0.0.1", "localhost"}) {
        s.execute("DROP USER IF EXISTS '" + user + "'@'" + host + "'");
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  static void unavailable(String why) {
    if ("1".equals(System.getenv("STOWAWAY_REQUIRE_DB"))) {
      fail(why + ", and STOWAWAY_REQUIRE_DB=1 requires it");
    }
    Assumptions.abort(why + "; set STOWAWAY_REQUIRE_DB=1 to make this a failure");
  }
}
