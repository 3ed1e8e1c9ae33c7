package dev.stowaway.sidecar.rotation;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;

/**
 * MariaDB's {@code mysql_native_password} hash, {@code *} and the upper-case hex of
 * SHA1(SHA1(password)): what {@code PASSWORD('…')} computes on the server, computed here so that the
 * password itself never appears in a statement (and so in the general log).
 */
final class NativePasswordHash {

  private NativePasswordHash() {}

  static String of(String password) {
    byte[] bytes = password.getBytes(StandardCharsets.UTF_8);
    byte[] once = null;
    try {
      MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
      once = sha1.digest(bytes);
      return "*" + HexFormat.of().formatHex(sha1.digest(once)).toUpperCase(Locale.ROOT);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-1", e);
    } finally {
      Arrays.fill(bytes, (byte) 0);
      if (once != null) {
        Arrays.fill(once, (byte) 0);
      }
    }
  }
}
