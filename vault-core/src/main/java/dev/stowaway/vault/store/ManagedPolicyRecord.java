package dev.stowaway.vault.store;

import java.util.List;

/** A customer-managed policy and its versions; one of them is the default, the one that applies. */
public record ManagedPolicyRecord(String policyName, String policyId, String arn, String path, String description,
    long createdDate, long updatedDate, String defaultVersionId, List<Version> versions) {

  public ManagedPolicyRecord {
    versions = List.copyOf(versions);
  }

  public record Version(String versionId, String document, long createdDate) {}

  public String defaultDocument() {
    return versions.stream().filter(v -> v.versionId().equals(defaultVersionId)).findFirst()
        .map(Version::document).orElseThrow();
  }
}
