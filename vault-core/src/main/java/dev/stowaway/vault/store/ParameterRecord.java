package dev.stowaway.vault.store;

import java.util.List;

/**
 * A Parameter Store parameter and its versions. A String or StringList value is kept as text, as
 * AWS keeps it; a SecureString value only as an envelope sealed under its KMS key.
 */
public record ParameterRecord(String name, String arn, List<SecretRecord.TagRecord> tags, List<Version> versions) {

  /**
   * One version, as GetParameterHistory shows it.
   *
   * @param value the text of a String or StringList; null for a SecureString
   * @param sealed a SecureString's envelope; null otherwise
   */
  public record Version(long version, String type, String value, byte[] sealed, String keyId, String description,
      String allowedPattern, String tier, String dataType, List<String> labels, long lastModifiedDate,
      String lastModifiedUser) {

    public Version {
      labels = List.copyOf(labels);
    }

    public Version withLabels(List<String> newLabels) {
      return new Version(version, type, value, sealed, keyId, description, allowedPattern, tier, dataType, newLabels,
          lastModifiedDate, lastModifiedUser);
    }

    @Override
    public String toString() {
      return "Version[" + version + ", " + type + (sealed != null ? ", sealed" : "") + "]";
    }
  }

  public ParameterRecord {
    tags = List.copyOf(tags);
    versions = List.copyOf(versions);
  }

  public Version latest() {
    return versions.get(versions.size() - 1);
  }

  public ParameterRecord withVersions(List<Version> newVersions) {
    return new ParameterRecord(name, arn, tags, newVersions);
  }

  public ParameterRecord withTags(List<SecretRecord.TagRecord> newTags) {
    return new ParameterRecord(name, arn, newTags, versions);
  }
}
