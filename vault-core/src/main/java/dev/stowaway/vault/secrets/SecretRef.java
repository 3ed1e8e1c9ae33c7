package dev.stowaway.vault.secrets;

import java.util.List;

/** What a write answers: the secret and, when one was made or matched, its version. */
public record SecretRef(String arn, String name, String versionId, List<String> versionStages) {}
