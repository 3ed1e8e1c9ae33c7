package dev.stowaway.vault.policy;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a request is, for policy evaluation: who, which action on which resource, and the condition
 * keys it carries (names compared without regard to case, as IAM does; values as they are).
 */
public record RequestContext(String principalArn, String action, String resource, Map<String, List<String>> keys) {

  public RequestContext {
    TreeMap<String, List<String>> insensitive = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    keys.forEach((k, v) -> insensitive.put(k, List.copyOf(v)));
    keys = insensitive;
  }

  /** The values of a key, or null when the request does not carry it. */
  public List<String> values(String key) {
    return keys.get(key);
  }

  /** The single value of a key (for policy variables), or null. */
  public String value(String key) {
    List<String> v = keys.get(key);
    return v == null || v.isEmpty() ? null : v.get(0);
  }
}
