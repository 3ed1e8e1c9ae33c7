package dev.stowaway.vault.store;

import java.util.List;

/**
 * A KMS key: its material sealed under the root key (AAD = the key id and material version),
 * never plaintext. Rotation adds material; the old stays, so what it encrypted still decrypts.
 *
 * @param deletionDate when a key scheduled for deletion goes, or null
 * @param rotatedMaterials material added by rotations, oldest first; the newest encrypts
 */
public record KmsKeyRecord(
    String keyId,
    String arn,
    String description,
    long createdDate,
    boolean enabled,
    boolean awsManaged,
    byte[] wrappedMaterial,
    Long deletionDate,
    boolean rotationEnabled,
    Integer rotationPeriodInDays,
    Long nextRotationDate,
    List<RotatedMaterial> rotatedMaterials) {

  /** Material a rotation added: version 1, 2, … (the original is version 0). */
  public record RotatedMaterial(int version, long rotationDate, boolean onDemand, byte[] wrappedMaterial) {}

  public KmsKeyRecord {
    rotatedMaterials = rotatedMaterials == null ? List.of() : List.copyOf(rotatedMaterials);
  }

  /** A key as first made: enabled, no rotation. */
  public KmsKeyRecord(String keyId, String arn, String description, long createdDate, boolean enabled,
      boolean awsManaged, byte[] wrappedMaterial) {
    this(keyId, arn, description, createdDate, enabled, awsManaged, wrappedMaterial, null, false, null, null, List.of());
  }

  public int currentMaterialVersion() {
    return rotatedMaterials.isEmpty() ? 0 : rotatedMaterials.get(rotatedMaterials.size() - 1).version();
  }

  /** Enabled, Disabled or PendingDeletion, as KMS names them. */
  public String keyState() {
    return deletionDate != null ? "PendingDeletion" : enabled ? "Enabled" : "Disabled";
  }

  public KmsKeyRecord withEnabled(boolean on) {
    return new KmsKeyRecord(keyId, arn, description, createdDate, on, awsManaged, wrappedMaterial, deletionDate,
        rotationEnabled, rotationPeriodInDays, nextRotationDate, rotatedMaterials);
  }

  public KmsKeyRecord withDeletionDate(Long date) {
    return new KmsKeyRecord(keyId, arn, description, createdDate, enabled, awsManaged, wrappedMaterial, date,
        rotationEnabled, rotationPeriodInDays, nextRotationDate, rotatedMaterials);
  }

  public KmsKeyRecord withRotation(boolean on, Integer periodInDays, Long next) {
    return new KmsKeyRecord(keyId, arn, description, createdDate, enabled, awsManaged, wrappedMaterial, deletionDate,
        on, periodInDays, next, rotatedMaterials);
  }

  public KmsKeyRecord withMaterial(RotatedMaterial material, Long next) {
    List<RotatedMaterial> all = new java.util.ArrayList<>(rotatedMaterials);
    all.add(material);
    return new KmsKeyRecord(keyId, arn, description, createdDate, enabled, awsManaged, wrappedMaterial, deletionDate,
        rotationEnabled, rotationPeriodInDays, next, all);
  }

  @Override
  public String toString() {
    return "KmsKeyRecord[" + keyId + ", " + keyState() + ", material sealed]";
  }
}
