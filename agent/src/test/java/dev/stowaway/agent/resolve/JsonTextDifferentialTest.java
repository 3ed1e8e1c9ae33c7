package dev.stowaway.agent.resolve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The agent's own JSON reader against Jackson (the sidecar's writer) on random documents: secret
 * values are JSON the agent picks keys out of, so every string, escape and surrogate pair must come
 * back exactly as Jackson wrote it.
 */
class JsonTextDifferentialTest {

  private static final ObjectMapper JACKSON = new ObjectMapper()
      .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  @Test
  void readsEveryDocumentJacksonWritesAsJacksonReadsIt() throws Exception {
    long seed = Long.getLong("json.seed", System.nanoTime());
    Random random = new Random(seed);
    for (int i = 0; i < 3_000; i++) {
      JsonNode written = value(random, 0);
      String text = random.nextBoolean() ? JACKSON.writeValueAsString(written)
          : JACKSON.writerWithDefaultPrettyPrinter().writeValueAsString(written);
      Object read = JsonText.parse(text);
      same(JACKSON.readTree(text), read, "seed " + seed + " (-Djson.seed=" + seed + "), document " + i + ": " + text);
    }
  }

  private static void same(JsonNode expected, Object actual, String where) {
    if (expected.isObject()) {
      assertTrue(actual instanceof Map, where);
      Map<?, ?> map = (Map<?, ?>) actual;
      assertEquals(expected.size(), map.size(), where);
      for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        assertTrue(map.containsKey(field.getKey()), where);
        same(field.getValue(), map.get(field.getKey()), where);
      }
    } else if (expected.isArray()) {
      assertTrue(actual instanceof List, where);
      List<?> list = (List<?>) actual;
      assertEquals(expected.size(), list.size(), where);
      for (int i = 0; i < expected.size(); i++) {
        same(expected.get(i), list.get(i), where);
      }
    } else if (expected.isTextual()) {
      assertEquals(expected.asText(), actual, where);
    } else if (expected.isNull()) {
      assertEquals(JsonText.NULL, actual, where);
    } else if (expected.isNumber()) {
      assertEquals(0, expected.decimalValue().compareTo(new BigDecimal(JsonText.scalarText(actual))), where);
    } else {
      assertEquals(expected.asText(), JsonText.scalarText(actual), where);
    }
  }

  private static JsonNode value(Random random, int depth) {
    int kind = depth > 4 ? random.nextInt(4) : random.nextInt(6);
    switch (kind) {
      case 0:
        return NODES.textNode(text(random));
      case 1:
        return random.nextBoolean() ? NODES.numberNode(random.nextLong())
            : NODES.numberNode(new BigDecimal(random.nextGaussian() * Math.pow(10, random.nextInt(20) - 10)));
      case 2:
        return random.nextBoolean() ? NODES.booleanNode(random.nextBoolean()) : NODES.nullNode();
      case 3:
        return NODES.textNode(text(random));
      case 4: {
        ObjectNode object = NODES.objectNode();
        for (int i = random.nextInt(6); i > 0; i--) {
          object.set(text(random), value(random, depth + 1));
        }
        return object;
      }
      default: {
        ArrayNode array = NODES.arrayNode();
        for (int i = random.nextInt(6); i > 0; i--) {
          array.add(value(random, depth + 1));
        }
        return array;
      }
    }
  }

  /** Passwords as generators and people make them: ASCII punctuation, controls, accents, emoji. */
  private static String text(Random random) {
    StringBuilder s = new StringBuilder();
    for (int i = random.nextInt(24); i > 0; i--) {
      switch (random.nextInt(6)) {
        case 0:
          s.append((char) random.nextInt(0x20)); // control characters, escaped as \\uXXXX or \\n
          break;
        case 1:
          s.append("\"\\/'{}[]:,&;=%".charAt(random.nextInt(14)));
          break;
        case 2:
          s.appendCodePoint(0x1F600 + random.nextInt(80)); // a surrogate pair
          break;
        case 3:
          s.append((char) (0xA0 + random.nextInt(0x700)));
          break;
        default:
          s.append((char) (0x21 + random.nextInt(0x5E)));
      }
    }
    return s.toString();
  }
}
