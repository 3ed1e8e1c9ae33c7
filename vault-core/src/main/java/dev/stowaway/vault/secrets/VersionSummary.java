package dev.stowaway.vault.secrets;

import java.time.Instant;
import java.util.List;

public record VersionSummary(String versionId, List<String> versionStages, Instant createdDate, Instant lastAccessedDate) {}
