package dev.stowaway.sidecar.awsjson;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/** JSON 1.1 response building: timestamps as epoch seconds, absent values left out. */
final class JsonOutput {

  private JsonOutput() {}

  static ObjectNode object() {
    return JsonNodeFactory.instance.objectNode();
  }

  static void put(ObjectNode node, String member, String value) {
    if (value != null) {
      node.put(member, value);
    }
  }

  static void put(ObjectNode node, String member, Instant value) {
    if (value != null) {
      node.put(member, BigDecimal.valueOf(value.toEpochMilli(), 3));
    }
  }

  static void putStrings(ObjectNode node, String member, List<String> values) {
    ArrayNode array = node.putArray(member);
    values.forEach(array::add);
  }
}
