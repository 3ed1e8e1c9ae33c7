package dev.stowaway.vault.secrets;

import dev.stowaway.vault.VaultError;
import dev.stowaway.vault.VaultException;
import dev.stowaway.vault.store.SecretRecord;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Opaque NextToken values. A listing token names the last secret returned (its sort key and
 * ARN), so secrets created or deleted between pages neither repeat nor go missing.
 */
record PageToken(SortKey sortBy, String key, String arn) {

  private static final char SEPARATOR = '\u0000';

  static String after(SortKey sortBy, SecretRecord last) {
    return encode("s" + SEPARATOR + sortBy.wireName() + SEPARATOR + sortBy.keyOf(last) + SEPARATOR + last.arn());
  }

  /** Parses a token made for a listing sorted by {@code sortBy}; anything else is invalid. */
  static PageToken parse(String token, SortKey sortBy) {
    if (token == null) {
      return null;
    }
    String[] parts = decode(token).split(String.valueOf(SEPARATOR), -1);
    if (parts.length != 4 || !parts[0].equals("s") || !parts[1].equals(sortBy.wireName())) {
      throw invalid();
    }
    return new PageToken(sortBy, parts[2], parts[3]);
  }

  /** True if {@code s} comes after this token's secret in the listing's order. */
  boolean precedes(SecretRecord s, boolean ascending) {
    int c = key.compareTo(sortBy.keyOf(s));
    if (c == 0) {
      c = arn.compareTo(s.arn());
    }
    return ascending ? c < 0 : c > 0;
  }

  static String offsetToken(int offset) {
    return encode("o" + SEPARATOR + offset);
  }

  static int offset(String token) {
    if (token == null) {
      return 0;
    }
    String raw = decode(token);
    if (!raw.startsWith("o" + SEPARATOR)) {
      throw invalid();
    }
    try {
      int offset = Integer.parseInt(raw.substring(2));
      if (offset < 0) {
        throw invalid();
      }
      return offset;
    } catch (NumberFormatException e) {
      throw invalid();
    }
  }

  private static String encode(String raw) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
  }

  private static String decode(String token) {
    try {
      return new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw invalid();
    }
  }

  private static VaultException invalid() {
    return new VaultException(VaultError.INVALID_NEXT_TOKEN, "The NextToken value is invalid.");
  }
}
