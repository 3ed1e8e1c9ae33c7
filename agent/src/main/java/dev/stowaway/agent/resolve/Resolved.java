package dev.stowaway.agent.resolve;

import java.util.Objects;

/**
 * A value and the secret (or parameter) ARN and version it came from. {@code value} is plaintext:
 * keep it only as long as needed.
 */
public final class Resolved {
  private final String value;
  private final String arn;
  private final String versionId;

  public Resolved(String value, String arn, String versionId) {
    this.value = value;
    this.arn = arn;
    this.versionId = versionId;
  }

  public String value() {
    return value;
  }

  public String arn() {
    return arn;
  }

  public String versionId() {
    return versionId;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Resolved)) {
      return false;
    }
    Resolved that = (Resolved) o;
    return Objects.equals(value, that.value) && Objects.equals(arn, that.arn)
        && Objects.equals(versionId, that.versionId);
  }

  @Override
  public int hashCode() {
    return Objects.hash(value, arn, versionId);
  }

  @Override
  public String toString() {
    return "Resolved[" + arn + ", " + versionId + ", [REDACTED]]";
  }
}
