package dev.stowaway.sidecar.rotation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * AWS's documented JSON for database credentials: {@code engine}, {@code host}, {@code port},
 * {@code username}, {@code password}, {@code dbname} and, for the alternating strategy,
 * {@code masterarn}.
 */
record DatabaseCredentials(String engine, String host, int port, String username, String password, String dbname,
    String masterArn) {

  private static final ObjectMapper JSON = new ObjectMapper();

  static DatabaseCredentials parse(String value, String what, int defaultPort) throws RotationException {
    JsonNode node;
    try {
      node = value == null ? null : JSON.readTree(value);
    } catch (JsonProcessingException e) {
      node = null;
    }
    if (node == null || !node.isObject()) {
      throw new RotationException("the " + what + " value is not AWS's database credentials JSON (an object with "
          + "host, username and password)");
    }
    for (String member : new String[] {"host", "username", "password"}) {
      if (!node.path(member).isTextual() || node.path(member).asText().isEmpty()) {
        throw new RotationException("the " + what + " value has no " + member);
      }
    }
    int port = node.path("port").canConvertToInt() ? node.path("port").asInt()
        : node.path("port").isTextual() ? Integer.parseInt(node.path("port").asText()) : defaultPort;
    return new DatabaseCredentials(node.path("engine").asText(null), node.path("host").asText(), port,
        node.path("username").asText(), node.path("password").asText(), node.path("dbname").asText(null),
        node.path("masterarn").asText(null));
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
          if (f.getKey().toLowerCase(java.util.Locale.ROOT).contains("password") && f.getValue().isTextual()
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

  @Override
  public String toString() {
    return "DatabaseCredentials[" + username + "@" + host + ":" + port + "/" + dbname + ", password REDACTED]";
  }
}
