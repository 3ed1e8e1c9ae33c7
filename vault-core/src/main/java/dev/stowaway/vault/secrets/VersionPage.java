package dev.stowaway.vault.secrets;

import java.util.List;

public record VersionPage(String arn, String name, List<VersionSummary> versions, String nextToken) {}
