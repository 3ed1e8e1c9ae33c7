package dev.stowaway.vault.store;

/**
 * A virtual MFA device. Its TOTP seed is an encoded envelope, sealed like a secret value.
 *
 * @param userName the user it is enabled for, or null while it is not enabled
 * @param lastUsedStep the latest TOTP step accepted from it: codes of that step or earlier are spent
 */
public record MfaDeviceRecord(String serialNumber, String path, long createdDate, String userName, long enableDate,
    byte[] sealedSeed, long lastUsedStep) {

  public MfaDeviceRecord enabledFor(String user, long when, long step) {
    return new MfaDeviceRecord(serialNumber, path, createdDate, user, when, sealedSeed, step);
  }

  public MfaDeviceRecord disabled() {
    return new MfaDeviceRecord(serialNumber, path, createdDate, null, 0, sealedSeed, lastUsedStep);
  }

  public MfaDeviceRecord used(long step) {
    return new MfaDeviceRecord(serialNumber, path, createdDate, userName, enableDate, sealedSeed, step);
  }
}
