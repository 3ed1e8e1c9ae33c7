package dev.stowaway.vault.audit;

/**
 * The newest audit file holds something that is not a record. The vault will not append to it or
 * sign over it; {@code stowaway audit verify} shows what changed.
 */
public final class AuditLogDamagedException extends RuntimeException {

  AuditLogDamagedException(String message) {
    super(message, null, false, false);
  }
}
