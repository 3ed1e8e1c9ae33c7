package dev.stowaway.vault.identity;

import dev.stowaway.vault.VaultError;
import dev.stowaway.vault.VaultException;
import dev.stowaway.vault.policy.MalformedPolicyException;
import dev.stowaway.vault.policy.PolicyParser;
import dev.stowaway.vault.store.UserRecord.InlinePolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The inline policies written into a user, group or role: the same rules and AWS messages for all
 * three, with {@code owner} ("user", "group", "role") naming which in the messages.
 */
final class InlinePolicies {

  private static final Pattern NAME = Pattern.compile("[\\w+=,.@-]{1,128}");

  private InlinePolicies() {}

  /** Refuses a bad name, a missing document or one that does not parse as an identity policy. */
  static void validate(String policyName, String document) {
    if (policyName == null || !NAME.matcher(policyName).matches()) {
      throw VaultException.validation("1 validation error detected: Value at 'policyName' failed to satisfy "
          + "constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+");
    }
    if (document == null || document.isEmpty()) {
      throw VaultException.validation("1 validation error detected: Value null at 'policyDocument' failed to "
          + "satisfy constraint: Member must not be null");
    }
    try {
      PolicyParser.identity(policyName, document);
    } catch (MalformedPolicyException e) {
      throw new VaultException(VaultError.MALFORMED_POLICY, e.getMessage());
    }
  }

  /** {@code current} with {@code policyName} set to {@code document}, replacing one of that name. */
  static List<InlinePolicy> put(List<InlinePolicy> current, String policyName, String document) {
    List<InlinePolicy> policies = new ArrayList<>(current);
    policies.removeIf(p -> p.name().equals(policyName));
    policies.add(new InlinePolicy(policyName, document));
    return policies;
  }

  static String get(List<InlinePolicy> current, String policyName, String owner) {
    return current.stream().filter(p -> p.name().equals(policyName)).findFirst().map(InlinePolicy::document)
        .orElseThrow(() -> notFound(policyName, owner));
  }

  static List<String> names(List<InlinePolicy> current) {
    return current.stream().map(InlinePolicy::name).toList();
  }

  /** {@code current} without {@code policyName}; NoSuchEntity if it has none of that name. */
  static List<InlinePolicy> delete(List<InlinePolicy> current, String policyName, String owner) {
    List<InlinePolicy> policies = new ArrayList<>(current);
    if (!policies.removeIf(p -> p.name().equals(policyName))) {
      throw notFound(policyName, owner);
    }
    return policies;
  }

  private static VaultException notFound(String policyName, String owner) {
    return VaultException.notFound("The " + owner + " policy with name " + policyName + " cannot be found.");
  }
}
