package dev.stowaway.vault.kms;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * KMS-style encryption context: non-secret key/value pairs bound into every layer as GCM
 * additional authenticated data, so a ciphertext only opens where it was sealed.
 */
public record EncryptionContext(Map<String, String> entries) {

  public EncryptionContext {
    entries = Collections.unmodifiableMap(new TreeMap<>(entries));
  }

  public static EncryptionContext of(String k1, String v1, String k2, String v2) {
    return new EncryptionContext(Map.of(k1, v1, k2, v2));
  }

  public static EncryptionContext of(String k1, String v1) {
    return new EncryptionContext(Map.of(k1, v1));
  }

  /** Canonical bytes: entries sorted by key, each part length-prefixed so no two maps collide. */
  byte[] aad() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Map.Entry<String, String> e : entries.entrySet()) {
      writePart(out, e.getKey());
      writePart(out, e.getValue());
    }
    return out.toByteArray();
  }

  private static void writePart(ByteArrayOutputStream out, String part) {
    byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
    int n = bytes.length;
    out.write(n >>> 24);
    out.write(n >>> 16);
    out.write(n >>> 8);
    out.write(n);
    out.writeBytes(bytes);
  }
}
