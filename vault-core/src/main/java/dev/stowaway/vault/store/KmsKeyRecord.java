package dev.stowaway.vault.store;

/**
 * A KMS key: its material sealed under the root key (AAD = the key id), never plaintext.
 */
public record KmsKeyRecord(
    String keyId,
    String arn,
    String description,
    long createdDate,
    boolean enabled,
    boolean awsManaged,
    byte[] wrappedMaterial) {}
