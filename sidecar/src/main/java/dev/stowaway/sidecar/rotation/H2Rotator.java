package dev.stowaway.sidecar.rotation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;

/**
 * H2, single user, for the demo and for applications that embed H2 with a password: the secret
 * is {@code {"engine":"h2","jdbcUrl":"jdbc:h2:…","username":…,"password":…}} (a file database
 * shared between processes needs {@code AUTO_SERVER=TRUE} in the URL). The user changes its own
 * password, which H2 allows without admin rights; the password goes in as a parameter.
 */
final class H2Rotator implements Rotator.BuiltIn {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final DatabasePasswords passwords;

  H2Rotator(DatabasePasswords passwords) {
    this.passwords = passwords;
  }

  private record Login(String url, String username, String password) {
    @Override
    public String toString() {
      return "Login[" + username + "@" + url + ", password REDACTED]";
    }
  }

  private static Login parse(String value, String what) throws RotationException {
    JsonNode node;
    try {
      node = value == null ? null : JSON.readTree(value);
    } catch (JsonProcessingException e) {
      node = null;
    }
    if (node == null || !node.isObject()) {
      throw new RotationException("the " + what + " value is not a JSON object with jdbcUrl, username and password");
    }
    for (String member : new String[] {"jdbcUrl", "username", "password"}) {
      if (!node.path(member).isTextual() || node.path(member).asText().isEmpty()) {
        throw new RotationException("the " + what + " value has no " + member);
      }
    }
    if (!node.path("jdbcUrl").asText().startsWith("jdbc:h2:")) {
      throw new RotationException("the " + what + " value's jdbcUrl is not an H2 URL (jdbc:h2:…)");
    }
    return new Login(node.path("jdbcUrl").asText(), node.path("username").asText(), node.path("password").asText());
  }

  @Override
  public String create(RotationContext context) throws RotationException {
    Login current = parse(context.current(), "current");
    return DatabaseCredentials.with(context.current(), current.username(), passwords.next());
  }

  @Override
  public void set(RotationContext context) throws RotationException {
    Login pending = parse(context.pending(), "pending");
    if (logsIn(pending)) {
      return; // done before a crash
    }
    Login current = parse(context.current(), "current");
    try (Connection c = loginWithCurrentOrPrevious(context, current)) {
      changePassword(c, pending.username(), pending.password());
    } catch (SQLException e) {
      throw new RotationException("setSecret: could not set the new password of " + pending.username() + " in H2: "
          + context.scrub(e.getMessage()));
    }
  }

  @Override
  public void test(RotationContext context) throws RotationException {
    Login pending = parse(context.pending(), "pending");
    try (Connection c = DriverManager.getConnection(pending.url(), pending.username(), pending.password());
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
    if (logsIn(current)) {
      return;
    }
    try (Connection c = DriverManager.getConnection(pending.url(), pending.username(), pending.password())) {
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

  private static Connection loginWithCurrentOrPrevious(RotationContext context, Login current)
      throws RotationException, SQLException {
    try {
      return DriverManager.getConnection(current.url(), current.username(), current.password());
    } catch (SQLException e) {
      if (context.previous() == null) {
        throw e;
      }
      Login previous = parse(context.previous(), "previous");
      return DriverManager.getConnection(current.url(), previous.username(), previous.password());
    }
  }

  private static boolean logsIn(Login login) {
    try (Connection c = DriverManager.getConnection(login.url(), login.username(), login.password())) {
      return c.isValid(5);
    } catch (SQLException e) {
      return false;
    }
  }
}
