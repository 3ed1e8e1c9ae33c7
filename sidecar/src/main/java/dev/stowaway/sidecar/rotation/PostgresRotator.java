package dev.stowaway.sidecar.rotation;

import dev.stowaway.sidecar.config.Destinations;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import org.postgresql.PGConnection;
import org.postgresql.ds.PGSimpleDataSource;
import org.postgresql.util.PasswordUtil;

/**
 * PostgreSQL. Single user: the role changes its own password ({@code ALTER ROLE}), logged in with
 * the current one. Alternating users: the master user (from the secret {@code masterarn} names)
 * sets the password of the other of {@code user} and {@code user_clone}, creating the clone as a
 * member of {@code user} the first time, so sessions holding the previous credentials keep working
 * for a whole rotation period.
 *
 * <p>Passwords reach the server only as SCRAM-SHA-256 verifiers computed here, so
 * {@code log_statement} and {@code pg_stat_statements} never see one. Each set and undo first
 * proves that the server refuses a wrong password, and then always applies its change.
 */
final class PostgresRotator implements Rotator.BuiltIn {

  private static final String SCHEME = "postgresql";
  private final boolean alternating;
  private final DatabasePasswords passwords;
  private final Destinations targets;

  PostgresRotator(boolean alternating, DatabasePasswords passwords, Destinations targets) {
    this.alternating = alternating;
    this.passwords = passwords;
    this.targets = targets;
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
    DatabaseCredentials current = DatabaseCredentials.parse(context.current(), "current", 5432);
    DatabaseCredentials.requirePendingMatches(current, pending, rotatedUser(current));
    if (!alternating) {
      PasswordCheck.require((user, password) -> connect(current, user, password), pending.username());
      try (Connection c = firstThatLogsIn(context, current, pending)) {
        setPassword(c, pending.username(), pending.password());
      } catch (SQLException e) {
        throw new RotationException("setSecret: could not set the new password of " + pending.username()
            + " in PostgreSQL: " + context.scrub(e.getMessage()));
      }
      return;
    }
    DatabaseCredentials master = MasterSecret.read(context, current, 5432);
    PasswordCheck.require((user, password) -> connect(master, user, password), master.username());
    PasswordCheck.require((user, password) -> connect(master, user, password), Clones.base(pending.username()));
    try (Connection c = connect(master, master.username(), master.password())) {
      MasterSecret.refuseToChange(pending.username(), master, privileged(c, pending.username())
          || privileged(c, Clones.base(pending.username())));
      if (roleExists(c, pending.username())) {
        setPassword(c, pending.username(), pending.password());
      } else {
        createClone(c, pending.username(), pending.password());
      }
    } catch (SQLException e) {
      throw new RotationException("setSecret: could not set the password of " + pending.username() + " in PostgreSQL"
          + " as " + master.username() + ": " + context.scrub(e.getMessage()).replace(master.password(), "[REDACTED]"));
    }
  }

  /** The user whose password this rotation sets: the same one, or the other of the two alternating users. */
  private String rotatedUser(DatabaseCredentials current) {
    return alternating ? Clones.other(current.username()) : current.username();
  }

  @Override
  public void test(RotationContext context) throws RotationException {
    DatabaseCredentials pending = DatabaseCredentials.parse(context.pending(), "pending", 5432);
    DatabaseCredentials current = DatabaseCredentials.parse(context.current(), "current", 5432);
    DatabaseCredentials.requirePendingMatches(current, pending, rotatedUser(current));
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
    DatabaseCredentials.requirePendingMatches(current, pending, rotatedUser(current));
    PasswordCheck.require((user, password) -> connect(current, user, password), current.username());
    try (Connection c = firstThatLogsIn(context, current, pending)) {
      setPassword(c, current.username(), current.password());
    } catch (SQLException e) {
      throw new RotationException("could not put the current password of " + current.username() + " back: "
          + context.scrub(e.getMessage()));
    }
  }

  /** Logged in as itself: current, then pending (set ran before a crash), then previous credentials. */
  private Connection firstThatLogsIn(RotationContext context, DatabaseCredentials current,
      DatabaseCredentials pending) throws RotationException, SQLException {
    return FirstLogin.open((user, password) -> connect(current, user, password),
        DatabaseCredentials.attempts(context, current, pending, 5432));
  }

  /** pgjdbc's own password API: the verifier is computed here and only it is sent. */
  private static void setPassword(Connection c, String role, String password) throws SQLException {
    char[] chars = password.toCharArray();
    try {
      c.unwrap(PGConnection.class).alterUserPassword(role, chars, "scram-sha-256");
    } finally {
      Arrays.fill(chars, '\0');
    }
  }

  private static void createClone(Connection c, String clone, String password) throws SQLException {
    char[] chars = password.toCharArray();
    String verifier;
    try {
      verifier = PasswordUtil.encodeScramSha256(chars);
    } finally {
      Arrays.fill(chars, '\0');
    }
    try (PreparedStatement create = c.prepareStatement("SELECT format('CREATE ROLE %I WITH LOGIN PASSWORD %L', ?, ?)");
         PreparedStatement grant = c.prepareStatement("SELECT format('GRANT %I TO %I', ?, ?)")) {
      create.setString(1, clone);
      create.setString(2, verifier);
      execute(c, create);
      grant.setString(1, Clones.base(clone));
      grant.setString(2, clone);
      execute(c, grant);
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

  /** A role whose password must never be handed to an application secret by the master user, or a member of one. */
  private static boolean privileged(Connection c, String role) throws SQLException {
    // Membership counts: a member of a superuser role can SET ROLE to it, and pg_execute_server_program
    // runs programs on the server.
    try (PreparedStatement s = c.prepareStatement("SELECT EXISTS (SELECT 1 FROM pg_roles r WHERE "
        + "(r.rolsuper OR r.rolcreaterole OR r.rolreplication OR r.rolbypassrls OR r.rolname IN "
        + "('pg_execute_server_program', 'pg_read_server_files', 'pg_write_server_files')) "
        + "AND pg_has_role(u.oid, r.oid, 'MEMBER')) FROM pg_roles u WHERE u.rolname = ?")) {
      s.setString(1, role);
      try (ResultSet r = s.executeQuery()) {
        return r.next() && r.getBoolean(1);
      }
    }
  }

  /** Runs the statement that {@code format} quoted on the server (%I, %L). */
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

  /** Through pgjdbc's DataSource, field by field: no URL text from the secret, no other driver property. */
  private Connection connect(DatabaseCredentials at, String user, String password)
      throws SQLException, RotationException {
    if (!targets.allows(SCHEME, at.host(), at.port(), null)) {
      throw new RotationException(targets.refusal(at.target(SCHEME)));
    }
    PGSimpleDataSource source = new PGSimpleDataSource();
    source.setServerNames(new String[] {at.host().contains(":") ? "[" + at.host() + "]" : at.host()});
    source.setPortNumbers(new int[] {at.port()});
    source.setDatabaseName(at.dbname() == null ? "postgres" : at.dbname());
    source.setConnectTimeout(5);
    source.setSocketTimeout(30);
    source.setApplicationName("stowaway-rotation");
    return source.getConnection(user, password);
  }
}
