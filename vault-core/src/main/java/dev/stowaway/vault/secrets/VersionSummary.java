package dev.stowaway.vault.secrets;

import java.time.Instant;
import java.util.List;

/** @param kmsKeyId the key the version is sealed under, or null for the default key */
public record VersionSummary(String versionId, List<String> versionStages, Instant createdDate, Instant lastAccessedDate,
    String kmsKeyId) {}
