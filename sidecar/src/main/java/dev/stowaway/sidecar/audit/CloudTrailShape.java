package dev.stowaway.sidecar.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Request parameters and response elements as CloudTrail writes them: member names in camel
 * case ({@code SecretId} becomes {@code secretId}) and every sensitive member replaced by
 * {@value #HIDDEN}, at any depth. No secret value, password, key, token or TOTP seed passes.
 */
final class CloudTrailShape {

  static final String HIDDEN = "HIDDEN_DUE_TO_SECURITY_REASONS";
  /** Compared in lower case, after camel-casing. */
  private static final Set<String> SENSITIVE = Set.of("secretstring", "secretbinary", "password", "newpassword",
      "oldpassword", "secretaccesskey", "sessiontoken", "base32stringseed", "qrcodepng", "authenticationcode1",
      "authenticationcode2", "tokencode", "randompassword", "plaintext", "privatekey");
  private static final String[] READ_PREFIXES = {"Get", "List", "Describe", "Lookup", "BatchGet", "Simulate",
      "Validate", "Test", "Subscribe"};

  private CloudTrailShape() {}

  /** KMS's cryptographic operations are reads in CloudTrail, so their responses are not recorded; a backup changes nothing either. */
  private static final Set<String> READ_ONLY_NAMES = Set.of("Encrypt", "Decrypt", "ReEncrypt", "GenerateDataKey",
      "GenerateDataKeyWithoutPlaintext", "CreateBackup");

  static boolean isReadOnly(String eventName) {
    if (eventName == null) {
      return false;
    }
    if (READ_ONLY_NAMES.contains(eventName)) {
      return true;
    }
    for (String prefix : READ_PREFIXES) {
      if (eventName.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  /** A redacted, camel-cased copy; the original is left as it was. */
  static JsonNode of(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    return copy(node);
  }

  private static JsonNode copy(JsonNode node) {
    if (node.isObject()) {
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        String name = camelCase(field.getKey());
        if (SENSITIVE.contains(name.toLowerCase(Locale.ROOT))) {
          out.put(name, HIDDEN);
        } else {
          out.set(name, copy(field.getValue()));
        }
      }
      return out;
    }
    if (node.isArray()) {
      ArrayNode out = JsonNodeFactory.instance.arrayNode();
      node.forEach(element -> out.add(copy(element)));
      return out;
    }
    return node.deepCopy();
  }

  /** {@code SecretId} to {@code secretId}, {@code ARN} to {@code arn}, {@code KMSKeyId} to {@code kmsKeyId}. */
  static String camelCase(String name) {
    int upper = 0;
    while (upper < name.length() && Character.isUpperCase(name.charAt(upper))) {
      upper++;
    }
    if (upper == 0) {
      return name;
    }
    if (upper == name.length() || upper == 1) {
      return name.substring(0, upper).toLowerCase(Locale.ROOT) + name.substring(upper);
    }
    // An acronym before a word: all but its last letter, which starts the word.
    return name.substring(0, upper - 1).toLowerCase(Locale.ROOT) + name.substring(upper - 1);
  }
}
