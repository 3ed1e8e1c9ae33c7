package dev.stowaway.vault.identity;

/** Temporary credentials past their expiration: AWS's {@code ExpiredTokenException}. */
public final class ExpiredCredentialsException extends RuntimeException {
  public ExpiredCredentialsException() {
    super("The security token included in the request is expired", null, false, false);
  }
}
