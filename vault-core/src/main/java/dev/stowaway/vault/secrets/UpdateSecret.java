package dev.stowaway.vault.secrets;

/** UpdateSecret's input; null fields are left as they are. */
public record UpdateSecret(
    String secretId, String description, String kmsKeyId, SecretValue value, String clientRequestToken) {}
