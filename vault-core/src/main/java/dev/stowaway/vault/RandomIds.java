package dev.stowaway.vault;

import java.security.SecureRandom;
import java.util.UUID;

/** Identifiers drawn from the injected {@link SecureRandom}, so tests can make them repeatable. */
public final class RandomIds {

  private static final char[] ALPHANUMERIC =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

  private final SecureRandom random;

  public RandomIds(SecureRandom random) {
    this.random = random;
  }

  /** A version-4 UUID. */
  public String uuid() {
    byte[] b = new byte[16];
    random.nextBytes(b);
    b[6] = (byte) ((b[6] & 0x0f) | 0x40);
    b[8] = (byte) ((b[8] & 0x3f) | 0x80);
    long msb = 0;
    long lsb = 0;
    for (int i = 0; i < 8; i++) {
      msb = (msb << 8) | (b[i] & 0xff);
      lsb = (lsb << 8) | (b[i + 8] & 0xff);
    }
    return new UUID(msb, lsb).toString();
  }

  public String alphanumeric(int length) {
    return fromAlphabet(ALPHANUMERIC, length);
  }

  public String fromAlphabet(char[] alphabet, int length) {
    char[] out = new char[length];
    for (int i = 0; i < length; i++) {
      out[i] = alphabet[random.nextInt(alphabet.length)];
    }
    return new String(out);
  }

  /** Fresh random bytes, for key material the caller zeroes when done. */
  public byte[] bytes(int length) {
    byte[] out = new byte[length];
    random.nextBytes(out);
    return out;
  }
}
