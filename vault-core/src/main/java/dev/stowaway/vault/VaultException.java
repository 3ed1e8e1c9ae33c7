package dev.stowaway.vault;

import java.util.Objects;

/**
 * A request the vault refuses. The message is safe to show the caller: it never carries a
 * secret value or key material, only names, ids and limits.
 */
public final class VaultException extends RuntimeException {

  private final VaultError error;

  public VaultException(VaultError error, String message) {
    super(Objects.requireNonNull(message), null, false, false);
    this.error = Objects.requireNonNull(error);
  }

  public VaultError error() {
    return error;
  }

  public static VaultException notFound(String message) {
    return new VaultException(VaultError.RESOURCE_NOT_FOUND, message);
  }

  public static VaultException invalidParameter(String message) {
    return new VaultException(VaultError.INVALID_PARAMETER, message);
  }

  public static VaultException invalidRequest(String message) {
    return new VaultException(VaultError.INVALID_REQUEST, message);
  }

  public static VaultException exists(String message) {
    return new VaultException(VaultError.RESOURCE_EXISTS, message);
  }

  public static VaultException validation(String message) {
    return new VaultException(VaultError.VALIDATION, message);
  }
}
