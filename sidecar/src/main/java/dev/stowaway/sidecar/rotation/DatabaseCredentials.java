package dev.stowaway.sidecar.rotation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * AWS's documented JSON for database credentials: {@code engine}, {@code host}, {@code port},
 * {@code username}, {@code password}, {@code dbname} and, for the alternating strategy,
 * {@code masterarn}. Only these fields reach a driver, each through the driver's own API: a
 * secret cannot name a JDBC URL, a driver property or a class. Other members are the
 * application's and are kept as they are; a {@code jdbcUrl} member is tolerated only without
 * parameters, since an application might hand it to its driver.
 */
record DatabaseCredentials(String engine, String host, int port, String username, String password, String dbname,
    String masterArn) {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern HOST_NAME =
      Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
  private static final Pattern IPV6 = Pattern.compile("([0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f.]{0,15}");
  private static final Pattern DATABASE = Pattern.compile("[A-Za-z0-9_$][A-Za-z0-9_$.-]{0,63}");

  static DatabaseCredentials parse(String value, String what, int defaultPort) throws RotationException {
    JsonNode node = object(value, what, "AWS's database credentials JSON (an object with host, username and password)");
    for (String member : new String[] {"host", "username", "password"}) {
      if (!node.path(member).isTextual() || node.path(member).asText().isEmpty()) {
        throw new RotationException("the " + what + " value has no " + member);
      }
    }
    String host = node.path("host").asText();
    if (!HOST_NAME.matcher(host).matches() && !ipv6Literal(host)) {
      throw new RotationException("the " + what + " value's host is not a host name or IP address; rotators take "
          + "only engine, host, port, dbname, username and password, never connection settings");
    }
    JsonNode portNode = node.path("port");
    int port;
    if (portNode.isMissingNode() || portNode.isNull()) {
      port = defaultPort;
    } else if (portNode.canConvertToInt() && portNode.isIntegralNumber()) {
      port = portNode.asInt();
    } else if (portNode.isTextual() && portNode.asText().matches("\\d{1,5}")) {
      port = Integer.parseInt(portNode.asText());
    } else {
      port = -1;
    }
    if (port < 1 || port > 65535) {
      throw new RotationException("the " + what + " value's port is not a number from 1 to 65535");
    }
    String dbname = node.path("dbname").isTextual() ? node.path("dbname").asText() : null;
    if (dbname != null && !DATABASE.matcher(dbname).matches()) {
      throw new RotationException("the " + what + " value's dbname is not a plain database name (letters, digits, "
          + "_ $ . -); rotators take only engine, host, port, dbname, username and password");
    }
    String username = checkedUser(node.path("username").asText(), what);
    refuseUrlWithSettings(node, what);
    return new DatabaseCredentials(node.path("engine").asText(null), host, port, username,
        node.path("password").asText(), dbname, node.path("masterarn").asText(null));
  }

  /** An IPv6 address written out in full or abbreviated, parsed as an address (no name is looked up). */
  private static boolean ipv6Literal(String host) {
    if (!IPV6.matcher(host).matches()) {
      return false;
    }
    try {
      return java.net.InetAddress.getByName(host) instanceof java.net.Inet6Address;
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  /** The value as a JSON object, or a refusal that says what it should have been. */
  static JsonNode object(String value, String what, String shouldBe) throws RotationException {
    JsonNode node;
    try {
      node = value == null ? null : JSON.readTree(value);
    } catch (JsonProcessingException e) {
      node = null;
    }
    if (node == null || !node.isObject()) {
      throw new RotationException("the " + what + " value is not " + shouldBe);
    }
    return node;
  }

  static String checkedUser(String username, String what) throws RotationException {
    if (username.length() > 128 || username.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw new RotationException("the " + what + " value's username is longer than 128 characters or holds control "
          + "characters");
    }
    return username;
  }

  /** A jdbcUrl that carries settings ({@code ;INIT=…}, {@code ?socketFactory=…}) is refused, whatever the engine. */
  static void refuseUrlWithSettings(JsonNode node, String what) throws RotationException {
    JsonNode url = node.path("jdbcUrl");
    if (!url.isMissingNode() && !url.isNull()) {
      String text = url.asText();
      if (!url.isTextual() || text.indexOf(';') >= 0 || text.indexOf('?') >= 0 || text.indexOf('&') >= 0
          || text.chars().anyMatch(c -> c < 0x20)) {
        throw new RotationException("the " + what + " value's jdbcUrl carries connection settings (after ';', '?' or "
            + "'&'); rotators never take settings from a secret: give engine, host, port, dbname (H2: path) instead");
      }
    }
  }

  /**
   * A pending value may differ from the current one only in the password and in the user this
   * strategy rotates ({@code expectedUser}): whoever may put a value with AWSPENDING must not make the
   * rotator set another user's password, or go to another database.
   */
  static void requirePendingMatches(DatabaseCredentials current, DatabaseCredentials pending, String expectedUser)
      throws RotationException {
    if (!pending.username().equals(expectedUser)) {
      throw new RotationException("the pending value's username is " + pending.username() + ", but this rotation "
          + "may only set the password of " + expectedUser);
    }
    if (!pending.host().equalsIgnoreCase(current.host()) || pending.port() != current.port()
        || !java.util.Objects.equals(pending.dbname(), current.dbname())
        || !java.util.Objects.equals(pending.masterArn(), current.masterArn())) {
      throw new RotationException("the pending value names another database (host, port, dbname or masterarn) than "
          + "the current one; a rotation changes only the username and password");
    }
  }

  /** The logins a user changing its own password may still have: current, pending (set ran before a crash), previous. */
  static List<FirstLogin.Attempt> attempts(RotationContext context, DatabaseCredentials current,
      DatabaseCredentials pending, int defaultPort) throws RotationException {
    List<FirstLogin.Attempt> attempts = new ArrayList<>(List.of(
        new FirstLogin.Attempt(current.username(), current.password()),
        new FirstLogin.Attempt(pending.username(), pending.password())));
    if (context.previous() != null) {
      DatabaseCredentials previous = parse(context.previous(), "previous", defaultPort);
      attempts.add(new FirstLogin.Attempt(previous.username(), previous.password()));
    }
    return attempts;
  }

  /** The same JSON with other username and password, every other member kept as it was. */
  static String with(String value, String username, String password) throws RotationException {
    try {
      ObjectNode node = (ObjectNode) JSON.readTree(value);
      node.put("username", username);
      node.put("password", password);
      return JSON.writeValueAsString(node);
    } catch (JsonProcessingException | ClassCastException e) {
      throw new RotationException("the current value is not a JSON object");
    }
  }

  /** The value itself and its password members, for scrubbing messages. */
  static List<String> passwordsIn(String value) {
    List<String> found = new ArrayList<>();
    found.add(value);
    try {
      JsonNode node = JSON.readTree(value);
      if (node != null && node.isObject()) {
        node.fields().forEachRemaining(f -> {
          if (f.getKey().toLowerCase(Locale.ROOT).contains("password") && f.getValue().isTextual()
              && !f.getValue().asText().isEmpty()) {
            found.add(f.getValue().asText());
          }
        });
      }
    } catch (JsonProcessingException e) {
      // not JSON: the whole value is the secret
    }
    return found;
  }

  /** Where this login goes, as rotation-targets patterns name it. */
  String target(String scheme) {
    return scheme + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  @Override
  public String toString() {
    return "DatabaseCredentials[" + username + "@" + host + ":" + port + "/" + dbname + ", password REDACTED]";
  }
}
