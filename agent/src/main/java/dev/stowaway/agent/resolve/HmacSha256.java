package dev.stowaway.agent.resolve;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * HMAC-SHA256 (RFC 2104) over the JDK's SHA-256 MessageDigest, for SigV4 and the value
 * fingerprints. The JCA's {@code Mac} would do the same, but its first use in the application's JVM
 * initialises {@code javax.crypto} (its policy files, and a walk over the security providers that
 * loads several of them): about 50 ms of the application's start, measured in a Spring Boot start.
 * Tested against {@code Mac}.
 */
final class HmacSha256 {

  private HmacSha256() {}

  static byte[] of(byte[] key, String data) {
    MessageDigest sha = digest();
    byte[] block = new byte[64];
    if (key.length > block.length) {
      System.arraycopy(sha.digest(key), 0, block, 0, 32);
    } else {
      System.arraycopy(key, 0, block, 0, key.length);
    }
    byte[] pad = new byte[64];
    byte[] message = data.getBytes(StandardCharsets.UTF_8); // a secret value, for the fingerprints
    byte[] inner = null;
    try {
      for (int i = 0; i < 64; i++) {
        pad[i] = (byte) (block[i] ^ 0x36);
      }
      sha.update(pad);
      inner = sha.digest(message);
      for (int i = 0; i < 64; i++) {
        pad[i] = (byte) (block[i] ^ 0x5c);
      }
      sha.update(pad);
      return sha.digest(inner);
    } finally {
      Arrays.fill(block, (byte) 0);
      Arrays.fill(pad, (byte) 0);
      Arrays.fill(message, (byte) 0);
      if (inner != null) {
        Arrays.fill(inner, (byte) 0);
      }
    }
  }

  private static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
