package dev.stowaway.vault.secrets;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A secret's plaintext, string or binary. It prints as {@code [REDACTED]} so a log line or an
 * exception cannot leak it by accident; {@link #destroy()} zeroes the bytes it holds.
 */
public final class SecretValue implements AutoCloseable {

  private static final byte STRING = 'S';
  private static final byte BINARY = 'B';

  private final byte[] bytes;
  private final boolean binary;

  private SecretValue(byte[] bytes, boolean binary) {
    this.bytes = bytes;
    this.binary = binary;
  }

  public static SecretValue ofString(String value) {
    return new SecretValue(value.getBytes(StandardCharsets.UTF_8), false);
  }

  /** Takes ownership of {@code value}: it is zeroed with this object. */
  public static SecretValue ofBinary(byte[] value) {
    return new SecretValue(value, true);
  }

  public boolean isBinary() {
    return binary;
  }

  public String asString() {
    if (binary) {
      throw new IllegalStateException("this secret value is binary");
    }
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** A copy of the binary value. */
  public byte[] asBinary() {
    if (!binary) {
      throw new IllegalStateException("this secret value is a string");
    }
    return bytes.clone();
  }

  /** Size as AWS counts it: UTF-8 bytes of a string, or bytes of a binary. */
  public int size() {
    return bytes.length;
  }

  /** The form sealed in an envelope: a type byte, then the bytes. */
  byte[] serialize() {
    byte[] out = new byte[bytes.length + 1];
    out[0] = binary ? BINARY : STRING;
    System.arraycopy(bytes, 0, out, 1, bytes.length);
    return out;
  }

  static SecretValue deserialize(byte[] serialized) {
    if (serialized.length == 0 || (serialized[0] != STRING && serialized[0] != BINARY)) {
      throw new IllegalArgumentException("unknown secret value encoding");
    }
    return new SecretValue(Arrays.copyOfRange(serialized, 1, serialized.length), serialized[0] == BINARY);
  }

  /** Constant-time comparison, used for ClientRequestToken idempotency. */
  boolean sameAs(SecretValue other) {
    return binary == other.binary && java.security.MessageDigest.isEqual(bytes, other.bytes);
  }

  public void destroy() {
    Arrays.fill(bytes, (byte) 0);
  }

  @Override
  public void close() {
    destroy();
  }

  @Override
  public String toString() {
    return "[REDACTED]";
  }
}
