package dev.stowaway.vault.identity;

import dev.stowaway.vault.VaultError;
import dev.stowaway.vault.VaultException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * STS's GetSessionToken: short-lived credentials for a user, carrying proof of MFA when the user
 * gave a fresh code. Like AWS, it needs no permission: a user may always trade its key for less.
 */
public final class SessionTokens {

  static final int MIN_SECONDS = 900;
  static final int MAX_SECONDS = 129_600;
  static final int DEFAULT_SECONDS = 43_200;
  private static final String MFA_FAILED = "MultiFactorAuthentication failed, unable to validate MFA code.  "
      + "Please verify your MFA serial number is valid and associated with this user.";

  private final AccessKeys accessKeys;
  private final MfaDevices mfaDevices;
  private final Clock clock;

  public SessionTokens(AccessKeys accessKeys, MfaDevices mfaDevices, Clock clock) {
    this.accessKeys = accessKeys;
    this.mfaDevices = mfaDevices;
    this.clock = clock;
  }

  public NewSession getSessionToken(Caller caller, Integer durationSeconds, String serialNumber, String tokenCode) {
    if (caller.temporary()) {
      throw new VaultException(VaultError.ACCESS_DENIED, "Cannot call GetSessionToken with session credentials");
    }
    int seconds = durationSeconds == null ? DEFAULT_SECONDS : durationSeconds;
    if (seconds < MIN_SECONDS) {
      throw VaultException.validation("1 validation error detected: Value '" + seconds + "' at 'durationSeconds' "
          + "failed to satisfy constraint: Member must have value greater than or equal to " + MIN_SECONDS);
    }
    if (seconds > MAX_SECONDS) {
      throw VaultException.validation("1 validation error detected: Value '" + seconds + "' at 'durationSeconds' "
          + "failed to satisfy constraint: Member must have value less than or equal to " + MAX_SECONDS);
    }
    Long mfaAt = null;
    if (serialNumber != null || tokenCode != null) {
      if (serialNumber == null || tokenCode == null
          || !mfaDevices.verifyFor(caller, serialNumber, tokenCode, "GetSessionToken")) {
        throw new VaultException(VaultError.ACCESS_DENIED, MFA_FAILED);
      }
      mfaAt = clock.instant().getEpochSecond();
    }
    Instant expiration = clock.instant().plusSeconds(seconds).truncatedTo(ChronoUnit.SECONDS);
    return accessKeys.issueSession(caller, expiration, mfaAt);
  }
}
