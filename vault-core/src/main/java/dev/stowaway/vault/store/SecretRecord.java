package dev.stowaway.vault.store;

import java.util.List;

/**
 * A secret's metadata as stored: no value, only names, labels and dates (epoch millis).
 * Version values live apart, as envelopes keyed by ARN and version id.
 *
 * @param kmsKeyId the key id the caller asked for, or null for the default key
 * @param deletedDate when the secret was marked for deletion, or null
 * @param deletionDate when a marked secret will be purged, or null
 * @param resourcePolicy the secret's resource policy document, or null
 * @param rotation the rotation configuration and its dates, or null if rotation was never set
 */
public record SecretRecord(
    String arn,
    String name,
    String description,
    String kmsKeyId,
    List<TagRecord> tags,
    long createdDate,
    long lastChangedDate,
    Long lastAccessedDate,
    Long deletedDate,
    Long deletionDate,
    List<VersionRecord> versions,
    String resourcePolicy,
    RotationRecord rotation) {

  public SecretRecord {
    tags = List.copyOf(tags);
    versions = List.copyOf(versions);
  }

  public SecretRecord withContent(String description, String kmsKeyId, List<VersionRecord> versions, long changed) {
    return new SecretRecord(arn, name, description, kmsKeyId, tags, createdDate, changed, lastAccessedDate,
        deletedDate, deletionDate, versions, resourcePolicy, rotation);
  }

  public SecretRecord withTags(List<TagRecord> tags, long changed) {
    return new SecretRecord(arn, name, description, kmsKeyId, tags, createdDate, changed, lastAccessedDate,
        deletedDate, deletionDate, versions, resourcePolicy, rotation);
  }

  /** Marks (or, with nulls, unmarks) the secret for deletion. */
  public SecretRecord withDeletion(Long deletedDate, Long deletionDate, long changed) {
    return new SecretRecord(arn, name, description, kmsKeyId, tags, createdDate, changed, lastAccessedDate,
        deletedDate, deletionDate, versions, resourcePolicy, rotation);
  }

  public SecretRecord withAccess(long day, List<VersionRecord> versions) {
    return new SecretRecord(arn, name, description, kmsKeyId, tags, createdDate, lastChangedDate, day,
        deletedDate, deletionDate, versions, resourcePolicy, rotation);
  }

  public SecretRecord withResourcePolicy(String policy, long changed) {
    return new SecretRecord(arn, name, description, kmsKeyId, tags, createdDate, changed, lastAccessedDate,
        deletedDate, deletionDate, versions, policy, rotation);
  }

  public SecretRecord withRotation(RotationRecord newRotation) {
    return new SecretRecord(arn, name, description, kmsKeyId, tags, createdDate, lastChangedDate, lastAccessedDate,
        deletedDate, deletionDate, versions, resourcePolicy, newRotation);
  }

  public SecretRecord withVersions(List<VersionRecord> newVersions, long changed) {
    return new SecretRecord(arn, name, description, kmsKeyId, tags, createdDate, changed, lastAccessedDate,
        deletedDate, deletionDate, newVersions, resourcePolicy, rotation);
  }

  public record TagRecord(String key, String value) {}

  /**
   * How a secret rotates: which rotator, on what schedule, and when it last and next does.
   *
   * @param failures rotations failed in a row since the last success, for the retry backoff
   */
  public record RotationRecord(boolean enabled, String rotatorArn, Integer automaticallyAfterDays,
      String scheduleExpression, String duration, Long nextRotationDate, Long lastRotatedDate, int failures) {}

  /**
   * One version's bookkeeping; its encrypted value is stored separately.
   *
   * @param kmsKeyId the key the secret named when this version was sealed, or null for the default
   */
  public record VersionRecord(String versionId, long createdDate, Long lastAccessedDate, List<String> stages,
      String kmsKeyId) {
    public VersionRecord {
      stages = List.copyOf(stages);
    }
  }
}
