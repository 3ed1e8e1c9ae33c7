package dev.stowaway.vault.identity;

/** A virtual MFA device just created: the only time its seed leaves the vault. */
public record NewMfaDevice(String serialNumber, String base32Seed) {
  @Override
  public String toString() {
    return "NewMfaDevice[" + serialNumber + ", seed=[REDACTED]]";
  }
}
