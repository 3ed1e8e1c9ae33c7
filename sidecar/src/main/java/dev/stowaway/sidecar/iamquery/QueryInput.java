package dev.stowaway.sidecar.iamquery;

import dev.stowaway.sidecar.http.AwsError;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** A form-encoded Query request's parameters ({@code Action=…&Version=…&UserName=…}). */
final class QueryInput {

  private final Map<String, String> params;

  private QueryInput(Map<String, String> params) {
    this.params = params;
  }

  static QueryInput parse(byte[] body) {
    Map<String, String> params = new LinkedHashMap<>();
    String form = new String(body, StandardCharsets.UTF_8);
    for (String pair : form.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      try {
        String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        params.put(key, value);
      } catch (IllegalArgumentException e) {
        throw new AwsError(400, "MalformedQueryString", "The request's form body is not valid URL encoding.");
      }
    }
    return new QueryInput(params);
  }

  /** The parameters for the audit record: all but {@code Action} and {@code Version}. */
  com.fasterxml.jackson.databind.node.ObjectNode asJson() {
    var json = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    params.forEach((key, value) -> {
      if (!key.equals("Action") && !key.equals("Version")) {
        json.put(key, value);
      }
    });
    return json;
  }

  String get(String name) {
    return params.get(name);
  }

  /** A list parameter: {@code Name.member.1}, {@code Name.member.2}, … */
  java.util.List<String> list(String name) {
    java.util.List<String> values = new java.util.ArrayList<>();
    for (int i = 1; params.containsKey(name + ".member." + i); i++) {
      values.add(params.get(name + ".member." + i));
    }
    return values;
  }

  String required(String name) {
    String value = params.get(name);
    if (value == null) {
      throw new AwsError(400, "ValidationError", "1 validation error detected: Value null at '"
          + Character.toLowerCase(name.charAt(0)) + name.substring(1) + "' failed to satisfy constraint: Member must not be null");
    }
    return value;
  }

  /** An integer parameter, or null when absent; anything else is a ValidationError. */
  Integer integer(String name) {
    String value = params.get(name);
    if (value == null) {
      return null;
    }
    try {
      return Integer.valueOf(value);
    } catch (NumberFormatException e) {
      throw new AwsError(400, "ValidationError", "1 validation error detected: Value '" + value + "' at '"
          + Character.toLowerCase(name.charAt(0)) + name.substring(1) + "' failed to satisfy constraint: Member must "
          + "be a number");
    }
  }
}
