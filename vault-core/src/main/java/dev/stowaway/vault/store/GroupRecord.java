package dev.stowaway.vault.store;

import java.util.List;

/** An IAM group: its members' names and the policies written into or attached to it. */
public record GroupRecord(String groupName, String groupId, String arn, String path, long createdDate,
    List<UserRecord.InlinePolicy> inlinePolicies, List<String> attachedPolicies, List<String> members) {

  public GroupRecord {
    inlinePolicies = List.copyOf(inlinePolicies);
    attachedPolicies = List.copyOf(attachedPolicies);
    members = List.copyOf(members);
  }

  public GroupRecord withInlinePolicies(List<UserRecord.InlinePolicy> policies) {
    return new GroupRecord(groupName, groupId, arn, path, createdDate, policies, attachedPolicies, members);
  }

  public GroupRecord withAttachedPolicies(List<String> arns) {
    return new GroupRecord(groupName, groupId, arn, path, createdDate, inlinePolicies, arns, members);
  }

  public GroupRecord withMembers(List<String> users) {
    return new GroupRecord(groupName, groupId, arn, path, createdDate, inlinePolicies, attachedPolicies, users);
  }
}
