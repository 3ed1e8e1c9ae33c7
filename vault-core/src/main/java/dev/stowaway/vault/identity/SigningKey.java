package dev.stowaway.vault.identity;

import java.util.Arrays;

/**
 * An active access key's secret, unsealed for verifying one signature. Close it to zero it.
 */
public final class SigningKey implements AutoCloseable {

  private final Principal principal;
  private final byte[] secret;

  SigningKey(Principal principal, byte[] secret) {
    this.principal = principal;
    this.secret = secret;
  }

  public Principal principal() {
    return principal;
  }

  /** The secret access key's UTF-8 bytes; do not keep the reference. */
  public byte[] secret() {
    return secret;
  }

  @Override
  public void close() {
    Arrays.fill(secret, (byte) 0);
  }

  @Override
  public String toString() {
    return "SigningKey[" + principal.accessKeyId() + ", [REDACTED]]";
  }
}
