package dev.stowaway.vault.secrets;

import java.time.Instant;
import java.util.List;

/** GetSecretValue's answer. The caller destroys {@code value} once it is written out. */
public record RetrievedSecret(
    String arn, String name, String versionId, SecretValue value, List<String> versionStages, Instant createdDate) {}
