package dev.stowaway.sidecar.rotation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stowaway.sidecar.config.Destinations;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * H2, single user, for the demo and for applications that embed H2 with a password: the secret
 * is {@code {"engine":"h2","path":"/srv/h2/orders","username":…,"password":…}}, the database file
 * without its {@code .mv.db}. A {@code jdbcUrl} of {@code jdbc:h2:file:/srv/h2/orders} (with at
 * most {@code ;AUTO_SERVER=TRUE}) is read as the same path. The user changes its own password,
 * which H2 allows without admin rights; the password goes in as a parameter.
 *
 * <p>H2 runs whatever its URL says ({@code INIT=…} is SQL, and H2's SQL reads and writes files and
 * loads Java code), so the secret never supplies URL text: the URL is built here from a checked
 * absolute path and the two settings this rotator always sets, {@code AUTO_SERVER=TRUE} (the
 * application may have the file open) and {@code IFEXISTS=TRUE} (never create a database). The path
 * must match an {@code h2:} pattern of rotation-targets and lie outside the data directory.
 */
final class H2Rotator implements Rotator.BuiltIn {

  private static final Pattern URL = Pattern.compile("jdbc:h2:(?:file:)?(/[^;]*)(;AUTO_SERVER=TRUE)?",
      Pattern.CASE_INSENSITIVE);
  private final DatabasePasswords passwords;
  private final Destinations targets;
  private final Path dataDir;

  H2Rotator(DatabasePasswords passwords, Destinations targets, Path dataDir) {
    this.passwords = passwords;
    this.targets = targets;
    this.dataDir = dataDir;
  }

  private record Login(Path file, String username, String password) {
    @Override
    public String toString() {
      return "Login[" + username + "@" + file + ", password REDACTED]";
    }
  }

  private static Login parse(String value, String what) throws RotationException {
    JsonNode node = DatabaseCredentials.object(value, what, "a JSON object with path, username and password");
    for (String member : new String[] {"username", "password"}) {
      if (!node.path(member).isTextual() || node.path(member).asText().isEmpty()) {
        throw new RotationException("the " + what + " value has no " + member);
      }
    }
    String path = null;
    if (!node.path("jdbcUrl").isMissingNode() && !node.path("jdbcUrl").isNull()) {
      // Refused even beside a path: the application may hand this URL to its own driver.
      Matcher m = URL.matcher(node.path("jdbcUrl").asText());
      if (!node.path("jdbcUrl").isTextual() || !m.matches()) {
        throw new RotationException("the " + what + " value's jdbcUrl is not jdbc:h2:file:/ABSOLUTE/PATH (at most "
            + "with ;AUTO_SERVER=TRUE); rotators never take settings such as INIT from a secret: give path instead");
      }
      path = m.group(1);
    }
    if (node.path("path").isTextual()) {
      path = node.path("path").asText();
    } else if (path == null) {
      throw new RotationException("the " + what + " value has no path (the H2 database file, without .mv.db)");
    }
    return new Login(file(path, what), DatabaseCredentials.checkedUser(node.path("username").asText(), what),
        node.path("password").asText());
  }

  private static Path file(String path, String what) throws RotationException {
    Path file;
    try {
      file = path.chars().anyMatch(c -> c < 0x20 || c == ';') ? null : Path.of(path);
    } catch (InvalidPathException e) {
      file = null;
    }
    if (file == null || !file.isAbsolute() || !file.normalize().equals(file) || !file.toString().equals(path)) {
      throw new RotationException("the " + what + " value's H2 path is not a plain absolute path (no ';', '..' or "
          + "control characters)");
    }
    return file;
  }

  @Override
  public String create(RotationContext context) throws RotationException {
    Login current = parse(context.current(), "current");
    return DatabaseCredentials.with(context.current(), current.username(), passwords.next());
  }

  @Override
  public void set(RotationContext context) throws RotationException {
    Login pending = parse(context.pending(), "pending");
    Login current = parse(context.current(), "current");
    requirePendingMatches(current, pending);
    PasswordCheck.require((user, password) -> connect(current.file(), user, password), pending.username());
    try (Connection c = firstThatLogsIn(context, current, pending)) {
      changePassword(c, pending.username(), pending.password());
    } catch (SQLException e) {
      throw new RotationException("setSecret: could not set the new password of " + pending.username() + " in H2: "
          + context.scrub(e.getMessage()));
    }
  }

  /** A pending value may change only the password: not the user, not the database file. */
  private static void requirePendingMatches(Login current, Login pending) throws RotationException {
    if (!pending.username().equals(current.username()) || !pending.file().equals(current.file())) {
      throw new RotationException("the pending value names another user or database file than the current one; "
          + "this rotation changes only the password of " + current.username());
    }
  }

  @Override
  public void test(RotationContext context) throws RotationException {
    Login pending = parse(context.pending(), "pending");
    requirePendingMatches(parse(context.current(), "current"), pending);
    try (Connection c = connect(pending.file(), pending.username(), pending.password());
         Statement s = c.createStatement()) {
      s.executeQuery("SELECT 1").close();
    } catch (SQLException e) {
      throw new RotationException("testSecret: " + pending.username() + " cannot log in to H2 with the new password: "
          + context.scrub(e.getMessage()));
    }
  }

  @Override
  public void undo(RotationContext context) throws RotationException {
    if (context.pending() == null) {
      return;
    }
    Login current = parse(context.current(), "current");
    Login pending = parse(context.pending(), "pending");
    requirePendingMatches(current, pending);
    PasswordCheck.require((user, password) -> connect(current.file(), user, password), current.username());
    try (Connection c = firstThatLogsIn(context, current, pending)) {
      changePassword(c, current.username(), current.password());
    } catch (SQLException e) {
      throw new RotationException("could not put the current password of " + current.username() + " back: "
          + context.scrub(e.getMessage()));
    }
  }

  private static void changePassword(Connection c, String user, String password) throws SQLException {
    // Unquoted names are upper case in H2, and logins match them so.
    String name = "\"" + user.toUpperCase(Locale.ROOT).replace("\"", "\"\"") + "\"";
    try (PreparedStatement s = c.prepareStatement("ALTER USER " + name + " SET PASSWORD ?")) {
      s.setString(1, password);
      s.execute();
    }
  }

  /** Logged in as itself: current, then pending (set ran before a crash), then previous credentials. */
  private Connection firstThatLogsIn(RotationContext context, Login current, Login pending)
      throws RotationException, SQLException {
    List<FirstLogin.Attempt> attempts = new ArrayList<>(List.of(
        new FirstLogin.Attempt(current.username(), current.password()),
        new FirstLogin.Attempt(pending.username(), pending.password())));
    if (context.previous() != null) {
      Login previous = parse(context.previous(), "previous");
      attempts.add(new FirstLogin.Attempt(previous.username(), previous.password()));
    }
    return FirstLogin.open((user, password) -> connect(current.file(), user, password), attempts);
  }

  private static Path real(Path dir) {
    try {
      return dir.toRealPath();
    } catch (java.io.IOException | RuntimeException e) {
      return dir;
    }
  }

  /** Where the file's directory really is, through any symbolic link; the path itself where it does not exist. */
  private static Path realParent(Path file) {
    try {
      return file.getParent().toRealPath().resolve(file.getFileName());
    } catch (java.io.IOException | RuntimeException e) {
      return file;
    }
  }

  private Connection connect(Path file, String user, String password) throws SQLException, RotationException {
    Path real = realParent(file);
    if (file.startsWith(dataDir) || real.startsWith(dataDir) || real.startsWith(real(dataDir))) {
      throw new RotationException("the H2 path " + file + " lies in the sidecar's data directory, which no rotator "
          + "may open");
    }
    if (!targets.allowsH2(file)) {
      throw new RotationException(targets.refusal("h2:" + file));
    }
    return DriverManager.getConnection("jdbc:h2:file:" + file + ";AUTO_SERVER=TRUE;IFEXISTS=TRUE", user, password);
  }
}
