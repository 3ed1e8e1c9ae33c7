package dev.stowaway.sidecar.rotation;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * MariaDB and MySQL. Single user: the user changes its own password ({@code SET PASSWORD}, which
 * needs no privilege, unlike {@code ALTER USER}), logged in with the current one. Alternating users: the master user creates
 * {@code user_clone} at the same host with the grants of {@code user}, then sets the password of
 * whichever of the two is not current. The driver quotes every value (client-side prepared
 * statements), so no password is ever pasted into SQL text.
 */
final class MariaDbRotator implements Rotator.BuiltIn {

  private final boolean alternating;
  private final DatabasePasswords passwords;

  MariaDbRotator(boolean alternating, DatabasePasswords passwords) {
    this.alternating = alternating;
    this.passwords = passwords;
  }

  @Override
  public String create(RotationContext context) throws RotationException {
    DatabaseCredentials current = DatabaseCredentials.parse(context.current(), "current", 3306);
    if (alternating && current.masterArn() == null) {
      throw new RotationException("the alternating-users strategy needs masterarn in the secret value");
    }
    String user = alternating ? Clones.other(current.username()) : current.username();
    return DatabaseCredentials.with(context.current(), user, passwords.next());
  }

  @Override
  public void set(RotationContext context) throws RotationException {
    DatabaseCredentials pending = DatabaseCredentials.parse(context.pending(), "pending", 3306);
    if (logsIn(pending)) {
      return; // done before a crash: nothing to do again
    }
    DatabaseCredentials current = DatabaseCredentials.parse(context.current(), "current", 3306);
    if (!alternating) {
      try (Connection c = loginWithCurrentOrPrevious(context, current);
           PreparedStatement s = c.prepareStatement("SET PASSWORD = PASSWORD(?)")) {
        s.setString(1, pending.password());
        s.execute();
      } catch (SQLException e) {
        throw new RotationException("setSecret: could not set the new password of " + pending.username() + " in MariaDB: "
            + context.scrub(e.getMessage()));
      }
      return;
    }
    DatabaseCredentials master = DatabaseCredentials.parse(context.secretValue().apply(current.masterArn()),
        "master secret's", 3306);
    String base = Clones.base(pending.username());
    try (Connection c = connect(master, master.username(), master.password())) {
      String host = hostOf(c, base);
      if (host == null) {
        throw new RotationException("setSecret: MariaDB has no user " + base + " to alternate with");
      }
      try (PreparedStatement create = c.prepareStatement("CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?");
           PreparedStatement alter = c.prepareStatement("ALTER USER ?@? IDENTIFIED BY ?")) {
        for (PreparedStatement s : List.of(create, alter)) {
          s.setString(1, pending.username());
          s.setString(2, host);
          s.setString(3, pending.password());
          s.execute();
        }
      }
      if (!pending.username().equals(base)) {
        copyGrants(c, base, pending.username(), host);
      }
    } catch (SQLException e) {
      throw new RotationException("setSecret: could not set the password of " + pending.username() + " in MariaDB as "
          + master.username() + ": " + context.scrub(e.getMessage()));
    }
  }

  @Override
  public void test(RotationContext context) throws RotationException {
    DatabaseCredentials pending = DatabaseCredentials.parse(context.pending(), "pending", 3306);
    try (Connection c = connect(pending, pending.username(), pending.password());
         Statement s = c.createStatement()) {
      s.executeQuery("SELECT NOW()").close();
    } catch (SQLException e) {
      throw new RotationException("testSecret: " + pending.username() + " cannot log in to MariaDB at " + pending.host()
          + ":" + pending.port() + " with the new password: " + context.scrub(e.getMessage()));
    }
  }

  /** The single-user strategy changed the user's password: put the current one back. */
  @Override
  public void undo(RotationContext context) throws RotationException {
    if (alternating || context.pending() == null) {
      return;
    }
    DatabaseCredentials current = DatabaseCredentials.parse(context.current(), "current", 3306);
    DatabaseCredentials pending = DatabaseCredentials.parse(context.pending(), "pending", 3306);
    if (logsIn(current)) {
      return;
    }
    try (Connection c = connect(pending, pending.username(), pending.password());
         PreparedStatement s = c.prepareStatement("SET PASSWORD = PASSWORD(?)")) {
      s.setString(1, current.password());
      s.execute();
    } catch (SQLException e) {
      throw new RotationException("could not put the current password of " + current.username() + " back: "
          + context.scrub(e.getMessage()));
    }
  }

  /** The clone gets what the user has: each of its grants, re-issued to the clone. */
  private static void copyGrants(Connection c, String from, String to, String host) throws SQLException {
    List<String> grants = new ArrayList<>();
    try (PreparedStatement s = c.prepareStatement("SHOW GRANTS FOR ?@?")) {
      s.setString(1, from);
      s.setString(2, host);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          grants.add(r.getString(1));
        }
      }
    }
    String grantee = "`" + from.replace("`", "``") + "`@`" + host.replace("`", "``") + "`";
    String clone = "`" + to.replace("`", "``") + "`@`" + host.replace("`", "``") + "`";
    for (String grant : grants) {
      int identified = grant.indexOf(" IDENTIFIED BY");
      String statement = (identified < 0 ? grant : grant.substring(0, identified)).replace(" TO " + grantee,
          " TO " + clone);
      if (statement.contains(" TO " + clone)) {
        try (Statement s = c.createStatement()) {
          s.execute(statement);
        }
      }
    }
  }

  private static String hostOf(Connection c, String user) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT Host FROM mysql.user WHERE User = ? ORDER BY Host")) {
      s.setString(1, user);
      try (ResultSet r = s.executeQuery()) {
        return r.next() ? r.getString(1) : null;
      }
    }
  }

  private Connection loginWithCurrentOrPrevious(RotationContext context, DatabaseCredentials current)
      throws RotationException, SQLException {
    try {
      return connect(current, current.username(), current.password());
    } catch (SQLException e) {
      if (context.previous() == null) {
        throw e;
      }
      DatabaseCredentials previous = DatabaseCredentials.parse(context.previous(), "previous", 3306);
      return connect(current, previous.username(), previous.password());
    }
  }

  private static boolean logsIn(DatabaseCredentials credentials) {
    try (Connection c = connect(credentials, credentials.username(), credentials.password())) {
      return c.isValid(5);
    } catch (SQLException e) {
      return false;
    }
  }

  static Connection connect(DatabaseCredentials at, String user, String password) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", user);
    p.setProperty("password", password);
    p.setProperty("connectTimeout", "5000");
    p.setProperty("socketTimeout", "30000");
    return DriverManager.getConnection("jdbc:mariadb://" + at.host() + ":" + at.port() + "/"
        + (at.dbname() == null ? "" : at.dbname()), p);
  }
}
