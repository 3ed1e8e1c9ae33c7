package dev.stowaway.vault.secrets;

import dev.stowaway.vault.VaultError;
import dev.stowaway.vault.VaultException;
import dev.stowaway.vault.policy.MalformedPolicyException;
import dev.stowaway.vault.policy.PolicyParser;
import java.util.List;

/** Checks on secrets' resource policies: the grammar, and BlockPublicPolicy's refusal of broad access. */
final class ResourcePolicies {

  static final int MAX_LENGTH = 20_480;

  private ResourcePolicies() {}

  static void check(String policy, boolean blockPublicPolicy) {
    List<String> problems = problems(policy);
    if (!problems.isEmpty()) {
      throw new VaultException(VaultError.MALFORMED_POLICY, "This resource policy contains a syntax error: "
          + problems.get(0));
    }
    if (blockPublicPolicy && grantsEveryone(policy)) {
      throw new VaultException(VaultError.PUBLIC_POLICY,
          "The BlockPublicPolicy parameter is set to true and the resource policy did not prevent broad access to the secret.");
    }
  }

  static List<String> problems(String policy) {
    if (policy == null || policy.isEmpty()) {
      return List.of("the policy is empty.");
    }
    if (policy.length() > MAX_LENGTH) {
      return List.of("the policy is longer than " + MAX_LENGTH + " characters.");
    }
    try {
      PolicyParser.resource("resource", policy);
      return List.of();
    } catch (MalformedPolicyException e) {
      return List.of(e.getMessage());
    }
  }

  /** Broad access: an Allow for every principal that no condition narrows. */
  private static boolean grantsEveryone(String policy) {
    return PolicyParser.resource("resource", policy).allowsEveryoneUnconditionally();
  }
}
