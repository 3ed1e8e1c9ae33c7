package dev.stowaway.agent.resolve;

import java.util.ArrayList;
import java.util.List;

/**
 * CloudFormation's dynamic-reference grammar, anywhere inside a string and several per string:
 *
 * <pre>
 * {{resolve:secretsmanager:ID[:SecretString[:JSON-KEY[:VERSION-STAGE[:VERSION-ID]]]]}}
 * {{resolve:ssm:NAME[:VERSION]}}
 * {{resolve:ssm-secure:NAME[:VERSION]}}
 * </pre>
 *
 * ID may be a name or an ARN; an ARN's own colons are part of the ID.
 */
public final class PlaceholderParser {

  static final String OPEN = "{{resolve:";
  static final String CLOSE = "}}";
  private static final int ARN_PARTS = 7; // arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME

  private PlaceholderParser() {}

  public static boolean mightContain(String text) {
    return text != null && text.contains(OPEN);
  }

  public static List<Placeholder> parse(String text) {
    List<Placeholder> found = new ArrayList<>();
    int from = 0;
    while (true) {
      int start = text.indexOf(OPEN, from);
      if (start < 0) {
        return found;
      }
      int close = text.indexOf(CLOSE, start + OPEN.length());
      if (close < 0) {
        throw new PlaceholderSyntaxException(start, "no closing '}}'");
      }
      String body = text.substring(start + OPEN.length(), close);
      if (body.contains(OPEN.substring(0, 2))) {
        throw new PlaceholderSyntaxException(start, "'{{' inside a placeholder");
      }
      found.add(new Placeholder(start, close + CLOSE.length(), reference(start, body)));
      from = close + CLOSE.length();
    }
  }

  private static Reference reference(int position, String body) {
    int colon = body.indexOf(':');
    String service = colon < 0 ? body : body.substring(0, colon);
    String rest = colon < 0 ? "" : body.substring(colon + 1);
    switch (service) {
      case "secretsmanager":
        return secret(position, rest);
      case "ssm":
        return parameter(position, rest, false);
      case "ssm-secure":
        return parameter(position, rest, true);
      default:
        throw new PlaceholderSyntaxException(position,
            "expected 'secretsmanager', 'ssm' or 'ssm-secure' after '{{resolve:'");
    }
  }

  private static Reference.Secret secret(int position, String rest) {
    String[] parts = rest.split(":", -1);
    int idParts = rest.startsWith("arn:") ? ARN_PARTS : 1;
    if (parts.length < idParts) {
      throw new PlaceholderSyntaxException(position, "the secret ARN is incomplete");
    }
    String secretId = String.join(":", java.util.Arrays.copyOfRange(parts, 0, idParts));
    if (secretId.isEmpty()) {
      throw new PlaceholderSyntaxException(position, "the secret id is empty");
    }
    int n = parts.length - idParts;
    if (n > 4) {
      throw new PlaceholderSyntaxException(position, "too many parts; the form is "
          + "secretsmanager:ID[:SecretString[:JSON-KEY[:VERSION-STAGE[:VERSION-ID]]]]");
    }
    String selector = n > 0 ? parts[idParts] : "SecretString";
    if (!selector.equals("SecretString")) {
      throw new PlaceholderSyntaxException(position, "only SecretString can be resolved, not '" + selector + "'");
    }
    String jsonKey = n > 1 ? emptyToNull(parts[idParts + 1]) : null;
    String stage = n > 2 ? emptyToNull(parts[idParts + 2]) : null;
    String versionId = n > 3 ? emptyToNull(parts[idParts + 3]) : null;
    if (stage != null && versionId != null) {
      throw new PlaceholderSyntaxException(position, "give a version stage or a version id, not both");
    }
    return new Reference.Secret(secretId, jsonKey, stage, versionId);
  }

  private static Reference.Parameter parameter(int position, String rest, boolean secure) {
    String[] parts = rest.split(":", -1);
    if (parts.length > 2) {
      throw new PlaceholderSyntaxException(position, "too many parts; the form is "
          + (secure ? "ssm-secure" : "ssm") + ":NAME[:VERSION]");
    }
    if (parts[0].isEmpty()) {
      throw new PlaceholderSyntaxException(position, "the parameter name is empty");
    }
    String version = parts.length > 1 ? emptyToNull(parts[1]) : null;
    if (version != null && !version.chars().allMatch(Character::isDigit)) {
      throw new PlaceholderSyntaxException(position, "the parameter version must be a number");
    }
    return new Reference.Parameter(parts[0], version, secure);
  }

  private static String emptyToNull(String s) {
    return s.isEmpty() ? null : s;
  }
}
