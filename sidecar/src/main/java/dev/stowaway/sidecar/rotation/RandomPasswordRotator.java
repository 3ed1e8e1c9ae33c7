package dev.stowaway.sidecar.rotation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stowaway.vault.secrets.PasswordGenerator;
import dev.stowaway.vault.secrets.PasswordSpec;

/**
 * {@code stowaway-random-password}: a new random password and nothing else to apply or test.
 * In a JSON object it replaces the member the tag {@value #KEY_TAG} names ({@code password} by
 * default); a value that is not JSON is replaced whole. The tags {@value #LENGTH_TAG} and
 * {@value #EXCLUDE_TAG} set GetRandomPassword's PasswordLength and ExcludeCharacters.
 */
final class RandomPasswordRotator implements Rotator.BuiltIn {

  static final String KEY_TAG = "stowaway:rotation:password-key";
  static final String LENGTH_TAG = "stowaway:rotation:password-length";
  static final String EXCLUDE_TAG = "stowaway:rotation:exclude-characters";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final PasswordGenerator passwords;

  RandomPasswordRotator(PasswordGenerator passwords) {
    this.passwords = passwords;
  }

  @Override
  public String create(RotationContext context) throws RotationException {
    Long length;
    try {
      length = context.tags().containsKey(LENGTH_TAG) ? Long.valueOf(context.tags().get(LENGTH_TAG)) : null;
    } catch (NumberFormatException e) {
      throw new RotationException("the tag " + LENGTH_TAG + " must be a number");
    }
    String password;
    try {
      password = passwords.generate(new PasswordSpec(length, context.tags().get(EXCLUDE_TAG), null, null, null, null,
          null, null));
    } catch (RuntimeException e) {
      throw new RotationException("cannot make a password with the rotation tags: " + e.getMessage());
    }
    String key = context.tags().get(KEY_TAG);
    JsonNode node;
    try {
      node = JSON.readTree(context.current());
    } catch (JsonProcessingException e) {
      node = null;
    }
    if (node == null || !node.isObject()) {
      if (key != null) {
        throw new RotationException("the tag " + KEY_TAG + " names a JSON member, but the current value is not a "
            + "JSON object");
      }
      return password;
    }
    ((ObjectNode) node).put(key != null ? key : "password", password);
    return node.toString();
  }

  @Override
  public void set(RotationContext context) {}

  @Override
  public void test(RotationContext context) {}
}
