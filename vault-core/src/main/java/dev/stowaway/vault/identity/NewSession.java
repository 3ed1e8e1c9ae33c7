package dev.stowaway.vault.identity;

import java.time.Instant;

/** Session credentials just issued: the only time their secret and token leave the vault. */
public record NewSession(String accessKeyId, String secretAccessKey, String sessionToken, Instant expiration) {
  @Override
  public String toString() {
    return "NewSession[" + accessKeyId + ", secret=[REDACTED], token=[REDACTED], expires " + expiration + "]";
  }
}
