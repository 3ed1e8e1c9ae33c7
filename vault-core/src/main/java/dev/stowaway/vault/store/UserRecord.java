package dev.stowaway.vault.store;

import java.util.List;

/**
 * An IAM user: identity and the policies written into it. Names, ids and policy documents only;
 * its access keys are stored apart, sealed.
 *
 * @param inlinePolicies policy name to JSON document, in the order they were put
 */
public record UserRecord(String userName, String userId, String arn, String path, long createdDate,
    List<InlinePolicy> inlinePolicies) {

  public UserRecord {
    inlinePolicies = List.copyOf(inlinePolicies);
  }

  public record InlinePolicy(String name, String document) {}
}
