package dev.stowaway.vault.secrets;

import java.time.Instant;

public record DeletionResult(String arn, String name, Instant deletionDate) {}
