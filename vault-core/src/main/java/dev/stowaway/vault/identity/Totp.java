package dev.stowaway.vault.identity;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.OptionalLong;
import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.digests.SHA1Digest;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA512Digest;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * Time-based one-time passwords (RFC 6238) as virtual MFA devices use them: HMAC-SHA-1, six
 * digits, 30-second steps. The other hashes and lengths exist for the RFC's test vectors.
 */
public final class Totp {

  public enum Hash { SHA1, SHA256, SHA512 }

  static final long STEP_SECONDS = 30;
  static final int DIGITS = 6;
  /** Steps either side of now a code may come from: clocks drift and people type slowly. */
  static final int TOLERANCE = 1;

  private static final int[] POWERS = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000};

  private Totp() {}

  /** The time step {@code epochMillis} falls in. */
  public static long step(long epochMillis) {
    return Math.floorDiv(epochMillis / 1000, STEP_SECONDS);
  }

  /** The six-digit HMAC-SHA-1 code of {@code step}. */
  public static String code(byte[] seed, long step) {
    return code(seed, step, DIGITS, Hash.SHA1);
  }

  /** RFC 4226's HOTP of the step counter, truncated dynamically to {@code digits} decimal digits. */
  public static String code(byte[] seed, long step, int digits, Hash hash) {
    HMac mac = new HMac(digest(hash));
    mac.init(new KeyParameter(seed));
    byte[] counter = new byte[8];
    for (int i = 7; i >= 0; i--) {
      counter[i] = (byte) (step >>> (8 * (7 - i)));
    }
    mac.update(counter, 0, counter.length);
    byte[] h = new byte[mac.getMacSize()];
    mac.doFinal(h, 0);
    mac.reset();
    int offset = h[h.length - 1] & 0x0f;
    int binary = ((h[offset] & 0x7f) << 24) | ((h[offset + 1] & 0xff) << 16) | ((h[offset + 2] & 0xff) << 8)
        | (h[offset + 3] & 0xff);
    Arrays.fill(h, (byte) 0);
    String digitsText = Integer.toString(binary % POWERS[digits]);
    return "0".repeat(digits - digitsText.length()) + digitsText;
  }

  /**
   * The step within {@link #TOLERANCE} of {@code nowStep} whose code is {@code code}, provided it is
   * later than {@code lastUsedStep}: a code, once accepted, is never accepted again.
   */
  public static OptionalLong accept(byte[] seed, String code, long nowStep, long lastUsedStep) {
    if (code == null || code.length() != DIGITS) {
      return OptionalLong.empty();
    }
    long found = Long.MIN_VALUE;
    // every candidate is computed and compared in constant time, so timing tells nothing of which matched
    for (long s = nowStep - TOLERANCE; s <= nowStep + TOLERANCE; s++) {
      boolean same = MessageDigest.isEqual(code(seed, s).getBytes(StandardCharsets.US_ASCII),
          code.getBytes(StandardCharsets.US_ASCII));
      if (same && s > lastUsedStep && found == Long.MIN_VALUE) {
        found = s;
      }
    }
    return found == Long.MIN_VALUE ? OptionalLong.empty() : OptionalLong.of(found);
  }

  private static Digest digest(Hash hash) {
    return switch (hash) {
      case SHA1 -> new SHA1Digest();
      case SHA256 -> new SHA256Digest();
      case SHA512 -> new SHA512Digest();
    };
  }
}
