package dev.stowaway.vault.store;

import java.util.List;

/**
 * An IAM role: who may assume it (the trust policy) and what its sessions may do (inline and
 * attached policies).
 */
public record RoleRecord(String roleName, String roleId, String arn, String path, long createdDate,
    String description, int maxSessionDuration, String assumeRolePolicy,
    List<UserRecord.InlinePolicy> inlinePolicies, List<String> attachedPolicies) {

  public RoleRecord {
    inlinePolicies = List.copyOf(inlinePolicies);
    attachedPolicies = List.copyOf(attachedPolicies);
  }

  public RoleRecord withAssumeRolePolicy(String document) {
    return new RoleRecord(roleName, roleId, arn, path, createdDate, description, maxSessionDuration, document,
        inlinePolicies, attachedPolicies);
  }

  public RoleRecord withInlinePolicies(List<UserRecord.InlinePolicy> policies) {
    return new RoleRecord(roleName, roleId, arn, path, createdDate, description, maxSessionDuration, assumeRolePolicy,
        policies, attachedPolicies);
  }

  public RoleRecord withAttachedPolicies(List<String> arns) {
    return new RoleRecord(roleName, roleId, arn, path, createdDate, description, maxSessionDuration, assumeRolePolicy,
        inlinePolicies, arns);
  }
}
