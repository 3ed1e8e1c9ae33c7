package dev.stowaway.vault.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An EventBridge event pattern, compiled once and matched against many events: fields are AND-ed,
 * the values listed for a field are OR-ed, {@code $or} offers alternative sets of fields, and a leaf
 * may use prefix, suffix, equals-ignore-case, wildcard, anything-but, numeric, exists and cidr.
 */
public final class EventPattern {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Fields root;

  private EventPattern(Fields root) {
    this.root = root;
  }

  /** Compiles a pattern; a malformed one is refused with EventBridge's "Event pattern is not valid" reason. */
  public static EventPattern parse(String pattern) {
    JsonNode node;
    try {
      node = JSON.readTree(pattern);
    } catch (JsonProcessingException e) {
      throw new InvalidEventPatternException("the pattern is not valid JSON");
    }
    if (node == null || !node.isObject()) {
      throw new InvalidEventPatternException("the pattern must be a JSON object");
    }
    return new EventPattern(fields(node, ""));
  }

  public boolean matches(String eventJson) {
    try {
      return matches(JSON.readTree(eventJson));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("the event is not valid JSON", e);
    }
  }

  public boolean matches(JsonNode event) {
    return root.matches(event);
  }

  // ---- compiled form ----------------------------------------------------------------------------

  private sealed interface Node permits Fields, Leaf {
    /** {@code value} is the event's node at this place, or null when the event lacks it. */
    boolean matches(JsonNode value);
  }

  private record Fields(Map<String, Node> fields, List<List<Fields>> ors) implements Node {
    @Override
    public boolean matches(JsonNode value) {
      if (value == null || !value.isObject()) {
        // an object pattern over a missing field still matches if all it asks is absence
        return fields.values().stream().allMatch(n -> n.matches(null)) && ors.stream()
            .allMatch(alternatives -> alternatives.stream().anyMatch(f -> f.matches(null)));
      }
      for (Map.Entry<String, Node> f : fields.entrySet()) {
        if (!f.getValue().matches(value.get(f.getKey()))) {
          return false;
        }
      }
      for (List<Fields> alternatives : ors) {
        if (alternatives.stream().noneMatch(f -> f.matches(value))) {
          return false;
        }
      }
      return true;
    }
  }

  private record Leaf(List<Matcher> matchers) implements Node {
    @Override
    public boolean matches(JsonNode value) {
      if (value == null) {
        return matchers.stream().anyMatch(m -> m instanceof Matcher.Exists e && !e.present());
      }
      if (value.isArray()) {
        for (JsonNode element : value) {
          if (matchesOne(element)) {
            return true;
          }
        }
        return false;
      }
      return matchesOne(value);
    }

    private boolean matchesOne(JsonNode value) {
      for (Matcher m : matchers) {
        if (m.test(value)) {
          return true;
        }
      }
      return false;
    }
  }

  private sealed interface Matcher {
    boolean test(JsonNode value);

    record Exact(JsonNode expected) implements Matcher {
      public boolean test(JsonNode value) {
        if (expected.isNumber() && value.isNumber()) {
          return expected.decimalValue().compareTo(value.decimalValue()) == 0;
        }
        return expected.equals(value);
      }
    }

    record Prefix(String text, boolean ignoreCase) implements Matcher {
      public boolean test(JsonNode value) {
        return value.isTextual() && value.asText().regionMatches(ignoreCase, 0, text, 0, text.length());
      }
    }

    record Suffix(String text, boolean ignoreCase) implements Matcher {
      public boolean test(JsonNode value) {
        String v = value.isTextual() ? value.asText() : null;
        return v != null && v.length() >= text.length()
            && v.regionMatches(ignoreCase, v.length() - text.length(), text, 0, text.length());
      }
    }

    record EqualsIgnoreCase(String text) implements Matcher {
      public boolean test(JsonNode value) {
        return value.isTextual() && value.asText().equalsIgnoreCase(text);
      }
    }

    record Wildcard(String glob) implements Matcher {
      public boolean test(JsonNode value) {
        return value.isTextual() && wildcard(glob, value.asText());
      }
    }

    record Exists(boolean present) implements Matcher {
      public boolean test(JsonNode value) {
        return present;
      }
    }

    record AnythingBut(List<Matcher> excluded) implements Matcher {
      public boolean test(JsonNode value) {
        for (Matcher m : excluded) {
          if (m.test(value)) {
            return false;
          }
        }
        return true;
      }
    }

    /** Pairs of operator and bound, all of which must hold. */
    record Numeric(List<String> operators, List<BigDecimal> bounds) implements Matcher {
      public boolean test(JsonNode value) {
        if (!value.isNumber()) {
          return false;
        }
        BigDecimal v = value.decimalValue();
        for (int i = 0; i < operators.size(); i++) {
          int c = v.compareTo(bounds.get(i));
          boolean ok = switch (operators.get(i)) {
            case "<" -> c < 0;
            case "<=" -> c <= 0;
            case "=" -> c == 0;
            case ">=" -> c >= 0;
            default -> c > 0;
          };
          if (!ok) {
            return false;
          }
        }
        return true;
      }
    }

    record Cidr(byte[] network, int bits) implements Matcher {
      public boolean test(JsonNode value) {
        byte[] address = value.isTextual() ? ipv4(value.asText()) : null;
        if (address == null || network.length != address.length) {
          return false;
        }
        for (int i = 0; i < bits; i++) {
          int mask = 0x80 >>> (i % 8);
          if ((network[i / 8] & mask) != (address[i / 8] & mask)) {
            return false;
          }
        }
        return true;
      }
    }
  }

  // ---- compiling ---------------------------------------------------------------------------------

  private static Fields fields(JsonNode object, String path) {
    Map<String, Node> fields = new LinkedHashMap<>();
    List<List<Fields>> ors = new ArrayList<>();
    Iterator<Map.Entry<String, JsonNode>> it = object.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      String where = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
      JsonNode v = e.getValue();
      if (e.getKey().equals("$or")) {
        if (!v.isArray() || v.size() < 2) {
          throw new InvalidEventPatternException("$or at " + where + " must be an array of at least two objects");
        }
        List<Fields> alternatives = new ArrayList<>();
        for (JsonNode alternative : v) {
          if (!alternative.isObject()) {
            throw new InvalidEventPatternException("$or at " + where + " must list objects");
          }
          alternatives.add(fields(alternative, path));
        }
        ors.add(List.copyOf(alternatives));
      } else if (v.isObject()) {
        fields.put(e.getKey(), fields(v, where));
      } else if (v.isArray()) {
        fields.put(e.getKey(), leaf(v, where));
      } else {
        throw new InvalidEventPatternException("Match value must be String, number, true, false, or null at "
            + where + ": a field's values are listed in an array, such as [\"value\"]");
      }
    }
    return new Fields(fields, ors);
  }

  private static Leaf leaf(JsonNode array, String where) {
    if (array.isEmpty()) {
      throw new InvalidEventPatternException("Empty arrays are not allowed at " + where);
    }
    List<Matcher> matchers = new ArrayList<>();
    for (JsonNode v : array) {
      matchers.add(v.isObject() ? operator(v, where) : exact(v, where));
    }
    return new Leaf(List.copyOf(matchers));
  }

  private static Matcher exact(JsonNode v, String where) {
    if (v.isArray()) {
      throw new InvalidEventPatternException("Match value must be String, number, true, false, or null at " + where);
    }
    return new Matcher.Exact(v);
  }

  private static Matcher operator(JsonNode v, String where) {
    if (v.size() != 1) {
      throw new InvalidEventPatternException("a filter at " + where + " has exactly one operator");
    }
    Map.Entry<String, JsonNode> op = v.fields().next();
    JsonNode arg = op.getValue();
    return switch (op.getKey()) {
      case "prefix" -> arg.isObject() && arg.has("equals-ignore-case")
          ? new Matcher.Prefix(text(arg.get("equals-ignore-case"), "prefix", where), true)
          : new Matcher.Prefix(text(arg, "prefix", where), false);
      case "suffix" -> arg.isObject() && arg.has("equals-ignore-case")
          ? new Matcher.Suffix(text(arg.get("equals-ignore-case"), "suffix", where), true)
          : new Matcher.Suffix(text(arg, "suffix", where), false);
      case "equals-ignore-case" -> new Matcher.EqualsIgnoreCase(text(arg, "equals-ignore-case", where));
      case "wildcard" -> new Matcher.Wildcard(wildcardPattern(text(arg, "wildcard", where), where));
      case "exists" -> {
        if (!arg.isBoolean()) {
          throw new InvalidEventPatternException("exists match pattern must be either true or false at " + where);
        }
        yield new Matcher.Exists(arg.asBoolean());
      }
      case "anything-but" -> anythingBut(arg, where);
      case "numeric" -> numeric(arg, where);
      case "cidr" -> cidr(text(arg, "cidr", where), where);
      default -> throw new InvalidEventPatternException("Unrecognized match type " + op.getKey() + " at " + where);
    };
  }

  private static Matcher anythingBut(JsonNode arg, String where) {
    List<Matcher> excluded = new ArrayList<>();
    if (arg.isObject()) {
      Matcher inner = operator(arg, where);
      if (!(inner instanceof Matcher.Prefix || inner instanceof Matcher.Suffix
          || inner instanceof Matcher.EqualsIgnoreCase || inner instanceof Matcher.Wildcard)) {
        throw new InvalidEventPatternException("anything-but at " + where
            + " takes values, prefix, suffix, equals-ignore-case or wildcard");
      }
      excluded.add(inner);
    } else if (arg.isArray()) {
      if (arg.isEmpty()) {
        throw new InvalidEventPatternException("Empty arrays are not allowed at " + where);
      }
      for (JsonNode v : arg) {
        excluded.add(exact(v, where));
      }
    } else {
      excluded.add(exact(arg, where));
    }
    return new Matcher.AnythingBut(List.copyOf(excluded));
  }

  private static Matcher numeric(JsonNode arg, String where) {
    if (!arg.isArray() || arg.isEmpty() || arg.size() % 2 != 0 || arg.size() > 4) {
      throw new InvalidEventPatternException("numeric at " + where + " takes one or two operator/number pairs, "
          + "such as [\">\", 0, \"<=\", 5]");
    }
    List<String> operators = new ArrayList<>();
    List<BigDecimal> bounds = new ArrayList<>();
    for (int i = 0; i < arg.size(); i += 2) {
      String o = arg.get(i).asText();
      if (!List.of("<", "<=", "=", ">=", ">").contains(o) || !arg.get(i + 1).isNumber()) {
        throw new InvalidEventPatternException("Unrecognized numeric range operator or bound at " + where + ": "
            + arg.get(i) + ", " + arg.get(i + 1));
      }
      operators.add(o);
      bounds.add(arg.get(i + 1).decimalValue());
    }
    return new Matcher.Numeric(List.copyOf(operators), List.copyOf(bounds));
  }

  private static Matcher cidr(String text, String where) {
    int slash = text.indexOf('/');
    byte[] network = slash < 0 ? null : ipv4(text.substring(0, slash));
    int bits;
    try {
      bits = slash < 0 ? -1 : Integer.parseInt(text.substring(slash + 1));
    } catch (NumberFormatException e) {
      bits = -1;
    }
    if (network == null || bits < 0 || bits > 32) {
      throw new InvalidEventPatternException("Malformed CIDR, one '/' required at " + where + ": " + text);
    }
    return new Matcher.Cidr(network, bits);
  }

  private static String text(JsonNode v, String operator, String where) {
    if (v == null || !v.isTextual()) {
      throw new InvalidEventPatternException(operator + " match pattern must be a string at " + where);
    }
    return v.asText();
  }

  private static String wildcardPattern(String glob, String where) {
    if (glob.contains("**")) {
      throw new InvalidEventPatternException("Consecutive wildcard characters at " + where + " are not allowed");
    }
    return glob;
  }

  /** {@code *} matches any run of characters; {@code \*} a literal star. */
  static boolean wildcard(String glob, String text) {
    int g = 0;
    int t = 0;
    int star = -1;
    int mark = 0;
    while (t < text.length()) {
      if (g < glob.length() && glob.charAt(g) == '\\' && g + 1 < glob.length() && glob.charAt(g + 1) == '*'
          && text.charAt(t) == '*') {
        g += 2;
        t++;
      } else if (g < glob.length() && glob.charAt(g) == '*') {
        star = g++;
        mark = t;
      } else if (g < glob.length() && glob.charAt(g) == text.charAt(t) && glob.charAt(g) != '\\') {
        g++;
        t++;
      } else if (star >= 0) {
        g = star + 1;
        t = ++mark;
      } else {
        return false;
      }
    }
    while (g < glob.length() && glob.charAt(g) == '*') {
      g++;
    }
    return g == glob.length();
  }

  private static byte[] ipv4(String text) {
    String[] parts = text.split("\\.", -1);
    if (parts.length != 4) {
      return null;
    }
    byte[] out = new byte[4];
    for (int i = 0; i < 4; i++) {
      if (!parts[i].matches("\\d{1,3}") || Integer.parseInt(parts[i]) > 255) {
        return null;
      }
      out[i] = (byte) Integer.parseInt(parts[i]);
    }
    return out;
  }

  @Override
  public String toString() {
    return "EventPattern" + root;
  }
}
