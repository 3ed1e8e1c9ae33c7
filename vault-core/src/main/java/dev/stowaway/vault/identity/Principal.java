package dev.stowaway.vault.identity;

/** Who signed a request. */
public record Principal(String userName, String arn, String accessKeyId) {}
