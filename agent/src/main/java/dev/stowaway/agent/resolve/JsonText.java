package dev.stowaway.agent.resolve;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes the few small JSON documents the agent exchanges with the sidecar (requests,
 * answers, SecretStrings, change events). One class instead of Jackson's 79, whose first parser
 * cost a fresh JVM 70 to 160 ms on the first resolution. Objects read as {@code Map<String, Object>}
 * (the first of duplicate keys wins), arrays as {@code List<Object>}, strings as {@code String},
 * numbers and booleans as a {@link Literal} holding their text, {@code null} as {@link #NULL}.
 */
final class JsonText {

  /** A number or boolean, as it was written. */
  static final class Literal {
    final String text;

    Literal(String text) {
      this.text = text;
    }

    @Override
    public String toString() {
      return text;
    }
  }

  static final Object NULL = new Object();

  /** Not JSON; the message gives the position, never the text (it may be a secret). */
  static final class MalformedException extends Exception {
    MalformedException(String message) {
      super(message, null, false, false);
    }
  }

  private static final int MAX_DEPTH = 64;

  private final String text;
  private int at;

  private JsonText(String text) {
    this.text = text;
  }

  static Object parse(String text) throws MalformedException {
    JsonText reader = new JsonText(text);
    reader.space();
    Object value = reader.value(0);
    reader.space();
    if (reader.at != text.length()) {
      throw reader.malformed("text after the value");
    }
    return value;
  }

  /** A scalar as text: a string, or a number's or boolean's literal; null for anything else. */
  static String scalarText(Object value) {
    if (value instanceof String) {
      return (String) value;
    }
    return value instanceof Literal ? ((Literal) value).text : null;
  }

  /** {@code {"k":"v",...}}, with members named in {@code booleans} written as true/false. */
  static String object(Map<String, String> members, String... booleans) {
    StringBuilder out = new StringBuilder("{");
    for (Map.Entry<String, String> m : members.entrySet()) {
      if (out.length() > 1) {
        out.append(',');
      }
      quote(m.getKey(), out).append(':');
      if (List.of(booleans).contains(m.getKey())) {
        out.append(Boolean.parseBoolean(m.getValue()));
      } else {
        quote(m.getValue(), out);
      }
    }
    return out.append('}').toString();
  }

  static StringBuilder quote(String s, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"':
          out.append("\\\"");
          break;
        case '\\':
          out.append("\\\\");
          break;
        case '\n':
          out.append("\\n");
          break;
        case '\r':
          out.append("\\r");
          break;
        case '\t':
          out.append("\\t");
          break;
        default:
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
      }
    }
    return out.append('"');
  }

  private Object value(int depth) throws MalformedException {
    if (depth > MAX_DEPTH) {
      throw malformed("nested too deeply");
    }
    if (at >= text.length()) {
      throw malformed("a value was expected");
    }
    char c = text.charAt(at);
    switch (c) {
      case '{':
        return object(depth);
      case '[':
        return array(depth);
      case '"':
        return string();
      case 't':
        return word("true", new Literal("true"));
      case 'f':
        return word("false", new Literal("false"));
      case 'n':
        return word("null", NULL);
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          return number();
        }
        throw malformed("unexpected character");
    }
  }

  private Map<String, Object> object(int depth) throws MalformedException {
    Map<String, Object> members = new LinkedHashMap<>();
    at++;
    space();
    if (peek() == '}') {
      at++;
      return members;
    }
    while (true) {
      space();
      if (peek() != '"') {
        throw malformed("a member name was expected");
      }
      String name = string();
      space();
      expect(':');
      space();
      members.putIfAbsent(name, value(depth + 1));
      space();
      char c = next();
      if (c == '}') {
        return members;
      }
      if (c != ',') {
        throw malformed("',' or '}' was expected");
      }
    }
  }

  private List<Object> array(int depth) throws MalformedException {
    List<Object> items = new ArrayList<>();
    at++;
    space();
    if (peek() == ']') {
      at++;
      return items;
    }
    while (true) {
      space();
      items.add(value(depth + 1));
      space();
      char c = next();
      if (c == ']') {
        return items;
      }
      if (c != ',') {
        throw malformed("',' or ']' was expected");
      }
    }
  }

  private String string() throws MalformedException {
    at++; // the opening quote
    StringBuilder out = null;
    int start = at;
    while (true) {
      if (at >= text.length()) {
        throw malformed("unterminated string");
      }
      char c = text.charAt(at);
      if (c == '"') {
        String s = out == null ? text.substring(start, at) : out.append(text, start, at).toString();
        at++;
        return s;
      }
      if (c < 0x20) {
        throw malformed("control character in a string");
      }
      if (c != '\\') {
        at++;
        continue;
      }
      if (out == null) {
        out = new StringBuilder();
      }
      out.append(text, start, at);
      at++;
      if (at >= text.length()) {
        throw malformed("unterminated escape");
      }
      char e = text.charAt(at++);
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out.append(e);
          break;
        case 'b':
          out.append('\b');
          break;
        case 'f':
          out.append('\f');
          break;
        case 'n':
          out.append('\n');
          break;
        case 'r':
          out.append('\r');
          break;
        case 't':
          out.append('\t');
          break;
        case 'u':
          if (at + 4 > text.length()) {
            throw malformed("short \\u escape");
          }
          try {
            out.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
          } catch (NumberFormatException ex) {
            throw malformed("bad \\u escape");
          }
          at += 4;
          break;
        default:
          throw malformed("unknown escape");
      }
      start = at;
    }
  }

  private Literal number() throws MalformedException {
    int start = at;
    if (peek() == '-') {
      at++;
    }
    int digits = digits();
    if (digits == 0 || (digits > 1 && text.charAt(at - digits) == '0')) {
      throw malformed("bad number");
    }
    if (peek() == '.') {
      at++;
      if (digits() == 0) {
        throw malformed("bad number");
      }
    }
    if (peek() == 'e' || peek() == 'E') {
      at++;
      if (peek() == '+' || peek() == '-') {
        at++;
      }
      if (digits() == 0) {
        throw malformed("bad number");
      }
    }
    return new Literal(text.substring(start, at));
  }

  private int digits() {
    int n = 0;
    while (at < text.length() && text.charAt(at) >= '0' && text.charAt(at) <= '9') {
      at++;
      n++;
    }
    return n;
  }

  private Object word(String word, Object value) throws MalformedException {
    if (!text.startsWith(word, at)) {
      throw malformed("unexpected word");
    }
    at += word.length();
    return value;
  }

  private void space() {
    while (at < text.length()) {
      char c = text.charAt(at);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      at++;
    }
  }

  private char peek() {
    return at < text.length() ? text.charAt(at) : '\0';
  }

  private char next() throws MalformedException {
    if (at >= text.length()) {
      throw malformed("unexpected end");
    }
    return text.charAt(at++);
  }

  private void expect(char c) throws MalformedException {
    if (next() != c) {
      throw malformed("'" + c + "' was expected");
    }
  }

  private MalformedException malformed(String what) {
    return new MalformedException(what + " at position " + at);
  }
}
