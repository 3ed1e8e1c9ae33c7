package dev.stowaway.vault.secrets;

import java.util.List;

/** PutSecretValue's input; {@code versionStages} null means AWSCURRENT. */
public record PutSecretValue(String secretId, SecretValue value, String clientRequestToken, List<String> versionStages) {}
