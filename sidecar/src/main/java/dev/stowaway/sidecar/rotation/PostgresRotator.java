package dev.stowaway.sidecar.rotation;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * PostgreSQL. Single user: the role changes its own password ({@code ALTER ROLE}), logged in with
 * the current one. Alternating users: the master user (from the secret {@code masterarn} names)
 * sets the password of the other of {@code user} and {@code user_clone}, creating the clone as a
 * member of {@code user} the first time, so sessions holding the previous credentials keep working
 * for a whole rotation period.
 */
final class PostgresRotator implements Rotator.BuiltIn {

  private final boolean alternating;
  private final DatabasePasswords passwords;

  PostgresRotator(boolean alternating, DatabasePasswords passwords) {
    this.alternating = alternating;
    this.passwords = passwords;
  }

  @Override
  public String create(RotationContext context) throws RotationException {
    DatabaseCredentials current = DatabaseCredentials.parse(context.current(), "current", 5432);
    if (alternating && current.masterArn() == null) {
      throw new RotationException("the alternating-users strategy needs masterarn in the secret value");
    }
    String user = alternating ? Clones.other(current.username()) : current.username();
    return DatabaseCredentials.with(context.current(), user, passwords.next());
  }

  @Override
  public void set(RotationContext context) throws RotationException {
    DatabaseCredentials pending = DatabaseCredentials.parse(context.pending(), "pending", 5432);
    if (logsIn(pending)) {
      return; // done before a crash: nothing to do again
    }
    if (!alternating) {
      try (Connection c = loginWithCurrentOrPrevious(context)) {
        alter(c, "ALTER ROLE %I WITH PASSWORD %L", pending.username(), pending.password());
      } catch (SQLException e) {
        throw new RotationException("setSecret: could not set the new password of " + pending.username() + " in PostgreSQL: "
            + context.scrub(e.getMessage()));
      }
      return;
    }
    DatabaseCredentials current = DatabaseCredentials.parse(context.current(), "current", 5432);
    DatabaseCredentials master = DatabaseCredentials.parse(context.secretValue().apply(current.masterArn()),
        "master secret's", 5432);
    try (Connection c = connect(master, master.username(), master.password())) {
      if (roleExists(c, pending.username())) {
        alter(c, "ALTER ROLE %I WITH PASSWORD %L", pending.username(), pending.password());
      } else {
        alter(c, "CREATE ROLE %I WITH LOGIN PASSWORD %L", pending.username(), pending.password());
        try (PreparedStatement grant = c.prepareStatement("SELECT format('GRANT %I TO %I', ?, ?)")) {
          grant.setString(1, Clones.base(pending.username()));
          grant.setString(2, pending.username());
          execute(c, grant);
        }
      }
    } catch (SQLException e) {
      throw new RotationException("setSecret: could not set the password of " + pending.username() + " in PostgreSQL"
          + " as " + master.username() + ": " + context.scrub(e.getMessage()));
    }
  }

  @Override
  public void test(RotationContext context) throws RotationException {
    DatabaseCredentials pending = DatabaseCredentials.parse(context.pending(), "pending", 5432);
    try (Connection c = connect(pending, pending.username(), pending.password());
         Statement s = c.createStatement()) {
      s.executeQuery("SELECT now()").close();
    } catch (SQLException e) {
      throw new RotationException("testSecret: " + pending.username() + " cannot log in to PostgreSQL at "
          + pending.host() + ":" + pending.port() + " with the new password: " + context.scrub(e.getMessage()));
    }
  }

  /** The single-user strategy changed the role's password: put the current one back. */
  @Override
  public void undo(RotationContext context) throws RotationException {
    if (alternating || context.pending() == null) {
      return;
    }
    DatabaseCredentials current = DatabaseCredentials.parse(context.current(), "current", 5432);
    DatabaseCredentials pending = DatabaseCredentials.parse(context.pending(), "pending", 5432);
    if (logsIn(current)) {
      return;
    }
    try (Connection c = connect(pending, pending.username(), pending.password())) {
      alter(c, "ALTER ROLE %I WITH PASSWORD %L", current.username(), current.password());
    } catch (SQLException e) {
      throw new RotationException("could not put the current password of " + current.username() + " back: "
          + context.scrub(e.getMessage()));
    }
  }

  private Connection loginWithCurrentOrPrevious(RotationContext context) throws RotationException, SQLException {
    DatabaseCredentials current = DatabaseCredentials.parse(context.current(), "current", 5432);
    try {
      return connect(current, current.username(), current.password());
    } catch (SQLException e) {
      if (context.previous() == null) {
        throw e;
      }
      DatabaseCredentials previous = DatabaseCredentials.parse(context.previous(), "previous", 5432);
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

  private static boolean roleExists(Connection c, String role) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
      s.setString(1, role);
      try (ResultSet r = s.executeQuery()) {
        return r.next();
      }
    }
  }

  /** Quotes the role and the password on the server ({@code format} with %I and %L), then runs it. */
  private static void alter(Connection c, String template, String role, String password) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT format(?, ?, ?)")) {
      s.setString(1, template);
      s.setString(2, role);
      s.setString(3, password);
      execute(c, s);
    }
  }

  private static void execute(Connection c, PreparedStatement formatted) throws SQLException {
    String sql;
    try (ResultSet r = formatted.executeQuery()) {
      r.next();
      sql = r.getString(1);
    }
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  static Connection connect(DatabaseCredentials at, String user, String password) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", user);
    p.setProperty("password", password);
    p.setProperty("connectTimeout", "5");
    p.setProperty("socketTimeout", "30");
    p.setProperty("ApplicationName", "stowaway-rotation");
    return DriverManager.getConnection("jdbc:postgresql://" + at.host() + ":" + at.port() + "/"
        + (at.dbname() == null ? "postgres" : at.dbname()), p);
  }
}
