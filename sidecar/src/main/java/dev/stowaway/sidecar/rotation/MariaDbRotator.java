package dev.stowaway.sidecar.rotation;

import dev.stowaway.sidecar.config.Destinations;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.mariadb.jdbc.Configuration;
import org.mariadb.jdbc.Driver;

/**
 * MariaDB and MySQL. Single user: the user changes its own password ({@code SET PASSWORD}, which
 * needs no privilege, unlike {@code ALTER USER}), logged in with the current one. Alternating users: the master user creates
 * {@code user_clone} at the same host with the grants of {@code user}, then sets the password of
 * whichever of the two is not current.
 *
 * <p>MariaDB writes statements to its general log as they are, password literals included, so
 * passwords go to the server only as {@code mysql_native_password} hashes computed here
 * ({@code SET PASSWORD = '*…'}, {@code IDENTIFIED BY PASSWORD '*…'}). Users of another
 * authentication plugin are not supported. Each set and undo first proves that the server refuses
 * a wrong password, and then always applies its change.
 */
final class MariaDbRotator implements Rotator.BuiltIn {

  private final boolean alternating;
  private final DatabasePasswords passwords;
  private final Destinations targets;
  private final String scheme;

  MariaDbRotator(boolean alternating, DatabasePasswords passwords, Destinations targets, String scheme) {
    this.alternating = alternating;
    this.passwords = passwords;
    this.targets = targets;
    this.scheme = scheme;
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
    DatabaseCredentials current = DatabaseCredentials.parse(context.current(), "current", 3306);
    DatabaseCredentials.requirePendingMatches(current, pending, rotatedUser(current));
    if (!alternating) {
      PasswordCheck.require((user, password) -> connect(current, user, password), pending.username());
      try (Connection c = firstThatLogsIn(context, current, pending)) {
        setOwnPassword(c, pending.password());
      } catch (SQLException e) {
        throw new RotationException("setSecret: could not set the new password of " + pending.username() + " in MariaDB: "
            + context.scrub(e.getMessage()));
      }
      return;
    }
    DatabaseCredentials master = MasterSecret.read(context, current, 3306);
    String base = Clones.base(pending.username());
    PasswordCheck.require((user, password) -> connect(master, user, password), master.username());
    PasswordCheck.require((user, password) -> connect(master, user, password), base);
    try (Connection c = connect(master, master.username(), master.password())) {
      String host = hostOf(c, base);
      if (host == null) {
        throw new RotationException("setSecret: MariaDB has no user " + base + " to alternate with");
      }
      MasterSecret.refuseToChange(pending.username(), master, privileged(c, base, host)
          || privileged(c, pending.username(), host));
      String hash = NativePasswordHash.of(pending.password());
      try (PreparedStatement create = c.prepareStatement("CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY PASSWORD ?");
           PreparedStatement alter = c.prepareStatement("ALTER USER ?@? IDENTIFIED BY PASSWORD ?")) {
        for (PreparedStatement s : List.of(create, alter)) {
          s.setString(1, pending.username());
          s.setString(2, host);
          s.setString(3, hash);
          s.execute();
        }
      }
      if (!pending.username().equals(base)) {
        copyGrants(c, base, pending.username(), host);
      }
    } catch (SQLException e) {
      throw new RotationException("setSecret: could not set the password of " + pending.username() + " in MariaDB as "
          + master.username() + ": " + context.scrub(e.getMessage()).replace(master.password(), "[REDACTED]"));
    }
  }

  /** The user whose password this rotation sets: the same one, or the other of the two alternating users. */
  private String rotatedUser(DatabaseCredentials current) {
    return alternating ? Clones.other(current.username()) : current.username();
  }

  @Override
  public void test(RotationContext context) throws RotationException {
    DatabaseCredentials pending = DatabaseCredentials.parse(context.pending(), "pending", 3306);
    DatabaseCredentials current = DatabaseCredentials.parse(context.current(), "current", 3306);
    DatabaseCredentials.requirePendingMatches(current, pending, rotatedUser(current));
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
    DatabaseCredentials.requirePendingMatches(current, pending, rotatedUser(current));
    PasswordCheck.require((user, password) -> connect(current, user, password), current.username());
    try (Connection c = firstThatLogsIn(context, current, pending)) {
      setOwnPassword(c, current.password());
    } catch (SQLException e) {
      throw new RotationException("could not put the current password of " + current.username() + " back: "
          + context.scrub(e.getMessage()));
    }
  }

  private static void setOwnPassword(Connection c, String password) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SET PASSWORD = ?")) {
      s.setString(1, NativePasswordHash.of(password));
      s.execute();
    }
  }

  /** The clone gets what the user has: each of its grants, re-issued to the clone. */
  private static void copyGrants(Connection c, String from, String to, String host) throws SQLException {
    String grantee = "`" + from.replace("`", "``") + "`@`" + host.replace("`", "``") + "`";
    String clone = "`" + to.replace("`", "``") + "`@`" + host.replace("`", "``") + "`";
    for (String grant : grants(c, from, host)) {
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

  private static List<String> grants(Connection c, String user, String host) throws SQLException {
    List<String> grants = new ArrayList<>();
    try (PreparedStatement s = c.prepareStatement("SHOW GRANTS FOR ?@?")) {
      s.setString(1, user);
      s.setString(2, host);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          grants.add(r.getString(1));
        }
      }
    } catch (SQLException e) {
      if (e.getErrorCode() == 1141) { // no such grant: the user does not exist (yet)
        return grants;
      }
      throw e;
    }
    return grants;
  }

  /**
   * Global privileges, the right to grant, privileges on the grant tables ({@code mysql.*}) or a
   * granted role: an administrator, or possibly one, not an application user.
   */
  private static boolean privileged(Connection c, String user, String host) throws SQLException {
    for (String grant : grants(c, user, host)) {
      if (grant.contains(" WITH GRANT OPTION") || grant.contains(" ON *.* ") && !grant.startsWith("GRANT USAGE ON *.* ")
          || grant.contains(" ON `mysql`.") || grant.contains(" ON mysql.") || !grant.contains(" ON ")) {
        // A granted role (no ON) may carry anything: an application user's grants name their objects.
        return true;
      }
    }
    return false;
  }

  private static String hostOf(Connection c, String user) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT Host FROM mysql.user WHERE User = ? ORDER BY Host")) {
      s.setString(1, user);
      try (ResultSet r = s.executeQuery()) {
        return r.next() ? r.getString(1) : null;
      }
    }
  }

  /** Logged in as itself: current, then pending (set ran before a crash), then previous credentials. */
  private Connection firstThatLogsIn(RotationContext context, DatabaseCredentials current,
      DatabaseCredentials pending) throws RotationException, SQLException {
    return FirstLogin.open((user, password) -> connect(current, user, password),
        DatabaseCredentials.attempts(context, current, pending, 3306));
  }

  /**
   * Through the driver's Configuration builder, field by field; local infile stays off. (A built
   * Configuration lacks what the driver needs to connect in 3.5, so it is read back from the URL
   * the builder makes, which carries no credentials.)
   */
  private Connection connect(DatabaseCredentials at, String user, String password)
      throws SQLException, RotationException {
    if (!targets.allows(scheme, at.host(), at.port(), null)) {
      throw new RotationException(targets.refusal(at.target(scheme)));
    }
    Configuration.Builder where = new Configuration.Builder().addHost(at.host(), at.port()).connectTimeout(5000)
        .socketTimeout(30000).allowLocalInfile(false);
    if (at.dbname() != null) {
      where.database(at.dbname());
    }
    Configuration read = Configuration.parse(where.build().initialUrl());
    // The builder's URL neither brackets an IPv6 address nor keeps a default port: what the driver
    // read back must be exactly what rotation-targets allowed, or the connection could go elsewhere.
    if (read.addresses().size() != 1 || read.addresses().get(0).localSocket != null
        || read.addresses().get(0).pipe != null || read.addresses().get(0).port != at.port()
        || !unbracketed(read.addresses().get(0).host).equalsIgnoreCase(at.host())) {
      throw new RotationException("MariaDB's driver would not connect to " + at.target(scheme) + " as given; use a "
          + "host name or an IPv4 address");
    }
    return Driver.connect(read.toBuilder().user(user).password(password).build());
  }

  private static String unbracketed(String host) {
    return host != null && host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }
}
