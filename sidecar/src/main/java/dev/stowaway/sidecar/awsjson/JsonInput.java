package dev.stowaway.sidecar.awsjson;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stowaway.sidecar.http.AwsError;
import java.util.ArrayList;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;

/**
 * Typed reads of a JSON 1.1 request body. A member of the wrong type is AWS's
 * {@code SerializationException}; the message names the member, never its value.
 */
final class JsonInput {

  private final ObjectNode body;

  JsonInput(ObjectNode body) {
    this.body = body;
  }

  String string(String member) {
    JsonNode node = member(member);
    if (node == null) {
      return null;
    }
    if (!node.isTextual()) {
      throw wrongType(member, "a string");
    }
    return node.textValue();
  }

  String requiredString(String member) {
    String value = string(member);
    if (value == null) {
      throw AwsError.badRequest("ValidationException", "1 validation error detected: Value null at '"
          + lowerFirst(member) + "' failed to satisfy constraint: Member must not be null");
    }
    return value;
  }

  Boolean bool(String member) {
    JsonNode node = member(member);
    if (node == null) {
      return null;
    }
    if (!node.isBoolean()) {
      throw wrongType(member, "a boolean");
    }
    return node.booleanValue();
  }

  boolean bool(String member, boolean otherwise) {
    Boolean value = bool(member);
    return value == null ? otherwise : value;
  }

  Long number(String member) {
    JsonNode node = member(member);
    if (node == null) {
      return null;
    }
    if (!node.isIntegralNumber() || !node.canConvertToLong()) {
      throw wrongType(member, "an integer");
    }
    return node.longValue();
  }

  Integer integer(String member) {
    Long value = number(member);
    if (value == null) {
      return null;
    }
    if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
      throw wrongType(member, "a 32-bit integer");
    }
    return value.intValue();
  }

  /** A timestamp member: JSON 1.1 sends epoch seconds, with a fraction when there is one. */
  Instant timestamp(String member) {
    JsonNode node = member(member);
    if (node == null) {
      return null;
    }
    if (!node.isNumber()) {
      throw wrongType(member, "a timestamp (epoch seconds)");
    }
    BigDecimal seconds = node.decimalValue();
    if (seconds.abs().compareTo(BigDecimal.valueOf(Instant.MAX.getEpochSecond())) > 0) {
      throw wrongType(member, "a timestamp (epoch seconds)");
    }
    return Instant.ofEpochMilli(seconds.movePointRight(3).longValue());
  }

  /** A base64 blob member, decoded. */
  byte[] blob(String member) {
    String text = string(member);
    if (text == null) {
      return null;
    }
    try {
      return Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw AwsError.badRequest("SerializationException", "Member '" + member + "' is not valid base64.");
    }
  }

  List<String> strings(String member) {
    return list(member, (node) -> {
      if (!node.isTextual()) {
        throw wrongType(member + " element", "a string");
      }
      return node.textValue();
    });
  }

  /** The member names of this object, for maps such as EncryptionContext. */
  List<String> names() {
    List<String> names = new ArrayList<>();
    body.fieldNames().forEachRemaining(names::add);
    return names;
  }

  /** A structure member, or null when absent. */
  JsonInput object(String member) {
    JsonNode node = member(member);
    if (node == null) {
      return null;
    }
    if (!node.isObject()) {
      throw wrongType(member, "an object");
    }
    return new JsonInput((ObjectNode) node);
  }

  List<JsonInput> objects(String member) {
    return list(member, node -> {
      if (!node.isObject()) {
        throw wrongType(member + " element", "an object");
      }
      return new JsonInput((ObjectNode) node);
    });
  }

  private <T> List<T> list(String member, Function<JsonNode, T> element) {
    JsonNode node = member(member);
    if (node == null) {
      return null;
    }
    if (!node.isArray()) {
      throw wrongType(member, "a list");
    }
    List<T> out = new ArrayList<>(node.size());
    for (JsonNode item : node) {
      if (item.isNull()) {
        throw wrongType(member + " element", "not null");
      }
      out.add(element.apply(item));
    }
    return out;
  }

  private JsonNode member(String member) {
    JsonNode node = body.get(member);
    return node == null || node.isNull() ? null : node;
  }

  private static AwsError wrongType(String member, String expected) {
    return AwsError.badRequest("SerializationException", "Member '" + member + "' must be " + expected + ".");
  }

  private static String lowerFirst(String s) {
    return Character.toLowerCase(s.charAt(0)) + s.substring(1);
  }
}
