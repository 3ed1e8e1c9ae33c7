package dev.stowaway.vault.policy;

/**
 * Policy variables: {@code ${aws:username}} and any other condition key, plus the escapes
 * {@code ${*}}, {@code ${?}} and {@code ${$}}. A variable the request does not carry makes the
 * value unusable (it matches nothing), as in IAM.
 */
final class PolicyVariables {

  static final PolicyVariables INSTANCE = new PolicyVariables();

  private PolicyVariables() {}

  /** The value with its variables replaced, or null if one of them has no value in this request. */
  String substitute(String value, RequestContext request) {
    if (value.indexOf("${") < 0) {
      return value;
    }
    StringBuilder out = new StringBuilder();
    int at = 0;
    while (true) {
      int open = value.indexOf("${", at);
      if (open < 0) {
        return out.append(value, at, value.length()).toString();
      }
      int close = value.indexOf('}', open);
      if (close < 0) {
        return out.append(value, at, value.length()).toString();
      }
      out.append(value, at, open);
      String name = value.substring(open + 2, close);
      String replacement = switch (name) {
        case "*" -> "*";
        case "?" -> "?";
        case "$" -> "$";
        default -> request.value(name);
      };
      if (replacement == null) {
        return null;
      }
      out.append(replacement); // user names and ARNs cannot contain * or ?, so nothing new becomes a wildcard
      at = close + 1;
    }
  }
}
