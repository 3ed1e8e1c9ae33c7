package dev.stowaway.vault.store;

/**
 * An access key: its secret half is an encoded envelope, sealed like a secret value.
 */
public record AccessKeyRecord(
    String accessKeyId,
    String userName,
    String userArn,
    String status,
    long createdDate,
    byte[] sealedSecret) {}
