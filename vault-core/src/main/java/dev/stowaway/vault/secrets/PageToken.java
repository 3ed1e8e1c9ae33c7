package dev.stowaway.vault.secrets;

import dev.stowaway.vault.VaultException;
import dev.stowaway.vault.store.SecretRecord;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Opaque NextToken values. A listing token names the last secret returned (creation time and
 * ARN), so secrets created or deleted between pages neither repeat nor go missing.
 */
record PageToken(long createdDate, String arn) {

  static String after(SecretRecord last) {
    return encode("s:" + last.createdDate() + ":" + last.arn());
  }

  static PageToken parse(String token) {
    if (token == null) {
      return null;
    }
    String raw = decode(token);
    String[] parts = raw.split(":", 3);
    if (parts.length != 3 || !parts[0].equals("s")) {
      throw invalid();
    }
    try {
      return new PageToken(Long.parseLong(parts[1]), parts[2]);
    } catch (NumberFormatException e) {
      throw invalid();
    }
  }

  /** True if {@code s} comes after this token's secret in the listing's order. */
  boolean isBefore(SecretRecord s, boolean ascending) {
    int c = Long.compare(createdDate, s.createdDate());
    if (c == 0) {
      c = arn.compareTo(s.arn());
    }
    return ascending ? c < 0 : c > 0;
  }

  static String offsetToken(int offset) {
    return encode("o:" + offset);
  }

  static int offset(String token) {
    if (token == null) {
      return 0;
    }
    String raw = decode(token);
    if (!raw.startsWith("o:")) {
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
    return VaultException.invalidParameter("Invalid NextToken value.");
  }
}
