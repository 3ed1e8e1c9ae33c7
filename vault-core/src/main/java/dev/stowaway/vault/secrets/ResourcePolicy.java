package dev.stowaway.vault.secrets;

/** GetResourcePolicy's answer; {@code policy} is null when the secret has none. */
public record ResourcePolicy(String arn, String name, String policy) {}
