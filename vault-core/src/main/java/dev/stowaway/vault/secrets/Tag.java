package dev.stowaway.vault.secrets;

public record Tag(String key, String value) {}
