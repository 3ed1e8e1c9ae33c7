package dev.stowaway.vault.store;

import java.util.List;

/**
 * An IAM user: identity and the policies written into it. Names, ids and policy documents only;
 * its access keys are stored apart, sealed.
 *
 * @param inlinePolicies policy name to JSON document, in the order they were put
 * @param attachedPolicies ARNs of the managed policies attached to it
 */
public record UserRecord(String userName, String userId, String arn, String path, long createdDate,
    List<InlinePolicy> inlinePolicies, List<String> attachedPolicies) {

  public UserRecord {
    inlinePolicies = List.copyOf(inlinePolicies);
    attachedPolicies = attachedPolicies == null ? List.of() : List.copyOf(attachedPolicies);
  }

  public UserRecord withInlinePolicies(List<InlinePolicy> policies) {
    return new UserRecord(userName, userId, arn, path, createdDate, policies, attachedPolicies);
  }

  public UserRecord withAttachedPolicies(List<String> arns) {
    return new UserRecord(userName, userId, arn, path, createdDate, inlinePolicies, arns);
  }

  public record InlinePolicy(String name, String document) {}
}
