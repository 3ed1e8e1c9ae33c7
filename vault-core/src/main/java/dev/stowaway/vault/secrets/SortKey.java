package dev.stowaway.vault.secrets;

import dev.stowaway.vault.store.SecretRecord;
import java.util.Comparator;

/** ListSecrets' SortBy: what secrets are ordered by, ties broken by ARN. */
public enum SortKey {
  CREATED_DATE("created-date"),
  LAST_ACCESSED_DATE("last-accessed-date"),
  LAST_CHANGED_DATE("last-changed-date"),
  NAME("name");

  private final String wireName;

  SortKey(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  public static SortKey fromWire(String value) {
    for (SortKey k : values()) {
      if (k.wireName.equals(value)) {
        return k;
      }
    }
    return null;
  }

  /** A string whose natural order is this key's order: names as they are, dates zero-padded. */
  String keyOf(SecretRecord s) {
    return switch (this) {
      case NAME -> s.name();
      case CREATED_DATE -> padded(s.createdDate());
      case LAST_CHANGED_DATE -> padded(s.lastChangedDate());
      case LAST_ACCESSED_DATE -> padded(s.lastAccessedDate() == null ? 0 : s.lastAccessedDate());
    };
  }

  Comparator<SecretRecord> comparator() {
    return Comparator.comparing(this::keyOf).thenComparing(SecretRecord::arn);
  }

  private static String padded(long millis) {
    return String.format("%020d", Math.max(0, millis));
  }
}
