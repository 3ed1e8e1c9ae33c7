package dev.stowaway.vault.secrets;

import dev.stowaway.vault.VaultError;
import dev.stowaway.vault.VaultException;
import dev.stowaway.vault.store.SecretRecord.VersionRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A secret's versions and the staging-label rules AWS applies to them: a label sits on one
 * version at a time, moving AWSCURRENT leaves AWSPREVIOUS on the version it left, a version holds
 * at most 20 labels, and a version with no label is deprecated.
 */
final class VersionSet {

  static final String CURRENT = "AWSCURRENT";
  static final String PREVIOUS = "AWSPREVIOUS";
  static final String PENDING = "AWSPENDING";
  static final int MAX_VERSIONS = 100;
  static final Duration MIN_DEPRECATED_AGE = Duration.ofHours(24);

  private final Map<String, Version> versions = new LinkedHashMap<>();

  private static final class Version {
    final String id;
    final long createdDate;
    Long lastAccessedDate;
    final Set<String> stages;
    final String kmsKeyId;

    Version(String id, long createdDate, Long lastAccessedDate, List<String> stages, String kmsKeyId) {
      this.id = id;
      this.createdDate = createdDate;
      this.lastAccessedDate = lastAccessedDate;
      this.stages = new LinkedHashSet<>(stages);
      this.kmsKeyId = kmsKeyId;
    }
  }

  VersionSet(List<VersionRecord> records) {
    for (VersionRecord r : records) {
      versions.put(r.versionId(), new Version(r.versionId(), r.createdDate(), r.lastAccessedDate(), r.stages(), r.kmsKeyId()));
    }
  }

  List<VersionRecord> toRecords() {
    List<VersionRecord> out = new ArrayList<>(versions.size());
    for (Version v : versions.values()) {
      out.add(new VersionRecord(v.id, v.createdDate, v.lastAccessedDate, List.copyOf(v.stages), v.kmsKeyId));
    }
    return out;
  }

  boolean contains(String versionId) {
    return versions.containsKey(versionId);
  }

  Optional<String> holderOf(String stage) {
    return versions.values().stream().filter(v -> v.stages.contains(stage)).map(v -> v.id).findFirst();
  }

  List<String> stagesOf(String versionId) {
    Version v = versions.get(versionId);
    return v == null ? List.of() : List.copyOf(v.stages);
  }

  /** Adds a new version carrying {@code stages}, taking each label from wherever it was. */
  void add(String versionId, long createdDate, List<String> stages) {
    add(versionId, createdDate, stages, null);
  }

  void add(String versionId, long createdDate, List<String> stages, String kmsKeyId) {
    Optional<String> oldCurrent = holderOf(CURRENT);
    for (String stage : stages) {
      detach(stage);
    }
    versions.put(versionId, new Version(versionId, createdDate, null, stages, kmsKeyId));
    if (stages.contains(CURRENT) && oldCurrent.isPresent()) {
      detach(PREVIOUS);
      versions.get(oldCurrent.get()).stages.add(PREVIOUS);
    }
  }

  /** UpdateSecretVersionStage, with AWS's rules and messages. */
  void moveStage(String stage, String removeFrom, String moveTo) {
    if (removeFrom != null && !versions.containsKey(removeFrom)) {
      throw VaultException.invalidParameter("Not a valid version: " + removeFrom);
    }
    if (moveTo != null && !versions.containsKey(moveTo)) {
      throw VaultException.invalidParameter("Not a valid version: " + moveTo);
    }
    if (removeFrom == null && moveTo == null) {
      throw VaultException.invalidParameter(
          "You must specify at least one of RemoveFromVersionId and MoveToVersionId.");
    }
    Optional<String> holder = holderOf(stage);
    if (removeFrom != null && !versions.get(removeFrom).stages.contains(stage)) {
      throw VaultException.invalidParameter(
          "Version stage " + stage + " not found in version " + removeFrom);
    }
    if (holder.isPresent() && !holder.get().equals(moveTo) && !holder.get().equals(removeFrom)) {
      throw VaultException.invalidParameter("The parameter RemoveFromVersionId can't be empty. "
          + "Staging label " + stage + " is currently attached to version " + holder.get()
          + ", so you must explicitly reference that version in RemoveFromVersionId.");
    }
    if (CURRENT.equals(stage) && moveTo == null) {
      throw VaultException.invalidParameter("You can't remove the staging label AWSCURRENT from "
          + "version " + removeFrom + " without attaching it to another version: specify MoveToVersionId.");
    }
    if (moveTo != null && !moveTo.equals(removeFrom) && !versions.get(moveTo).stages.contains(stage)
        && versions.get(moveTo).stages.size() >= SecretConstraints.MAX_LABELS_PER_VERSION) {
      throw new VaultException(VaultError.LIMIT_EXCEEDED, "A version can have at most "
          + SecretConstraints.MAX_LABELS_PER_VERSION + " staging labels; version " + moveTo + " already has "
          + SecretConstraints.MAX_LABELS_PER_VERSION + ".");
    }
    if (removeFrom != null) {
      versions.get(removeFrom).stages.remove(stage);
    }
    if (moveTo != null) {
      versions.get(moveTo).stages.add(stage);
      if (CURRENT.equals(stage) && removeFrom != null && !removeFrom.equals(moveTo)) {
        detach(PREVIOUS);
        versions.get(removeFrom).stages.add(PREVIOUS);
        versions.get(moveTo).stages.remove(PREVIOUS);
      }
    }
  }

  void touch(String versionId, long day) {
    versions.get(versionId).lastAccessedDate = day;
  }

  /**
   * Keeps at most {@link #MAX_VERSIONS}: drops the oldest deprecated versions, never one younger
   * than a day. Returns the ids it dropped; refuses if that is not enough.
   */
  List<String> prune(long now) {
    List<String> dropped = new ArrayList<>();
    if (versions.size() <= MAX_VERSIONS) {
      return dropped;
    }
    List<Version> candidates = versions.values().stream()
        .filter(v -> v.stages.isEmpty())
        .filter(v -> now - v.createdDate >= MIN_DEPRECATED_AGE.toMillis())
        .sorted(Comparator.comparingLong(v -> v.createdDate))
        .toList();
    for (Version v : candidates) {
      if (versions.size() <= MAX_VERSIONS) {
        break;
      }
      versions.remove(v.id);
      dropped.add(v.id);
    }
    if (versions.size() > MAX_VERSIONS) {
      throw new VaultException(VaultError.LIMIT_EXCEEDED, "You have exceeded the maximum number of "
          + "versions (" + MAX_VERSIONS + ") of this secret. Secrets Manager removes a deprecated "
          + "version once it is more than 24 hours old.");
    }
    return dropped;
  }

  private void detach(String stage) {
    for (Version v : versions.values()) {
      v.stages.remove(stage);
    }
  }
}
