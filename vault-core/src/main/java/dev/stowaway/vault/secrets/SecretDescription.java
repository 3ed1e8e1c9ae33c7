package dev.stowaway.vault.secrets;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** DescribeSecret / ListSecrets metadata. It carries no value, so it cannot leak one. */
public record SecretDescription(
    String arn,
    String name,
    String description,
    String kmsKeyId,
    List<Tag> tags,
    Instant createdDate,
    Instant lastChangedDate,
    Instant lastAccessedDate,
    Instant deletedDate,
    Map<String, List<String>> versionIdsToStages,
    Rotation rotation) {

  /** What DescribeSecret shows of rotation; null when rotation was never configured. */
  public record Rotation(boolean enabled, String rotatorArn, Integer automaticallyAfterDays, String scheduleExpression,
      String duration, Instant nextRotationDate, Instant lastRotatedDate) {}
}
