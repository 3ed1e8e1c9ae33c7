package dev.stowaway.vault.identity;

/** An access key as returned once, at creation. The secret half is never stored in the clear. */
public record NewAccessKey(String accessKeyId, String secretAccessKey, String userName) {
  @Override
  public String toString() {
    return "NewAccessKey[" + accessKeyId + ", secret=[REDACTED], user=" + userName + "]";
  }
}
