package dev.stowaway.vault.audit;

/**
 * The audit log cannot take a record (disk full, permission lost, closed). Whoever asked for the
 * record must not serve the request it describes.
 */
public final class AuditUnavailableException extends RuntimeException {

  AuditUnavailableException(String message, Throwable cause) {
    super(message, cause, false, false);
  }
}
