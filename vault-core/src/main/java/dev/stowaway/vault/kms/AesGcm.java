package dev.stowaway.vault.kms;

import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.modes.gcm.BasicGCMMultiplier;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * AES-256-GCM through Bouncy Castle's lightweight API, so no JCE provider (and no signed
 * provider jar) is needed. A sealed box is {@code nonce || ciphertext || tag}.
 */
final class AesGcm {

  static final int KEY_BYTES = 32;
  static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;

  private AesGcm() {}

  static byte[] seal(byte[] key, byte[] plaintext, byte[] aad, SecureRandom random) {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    byte[] sealed = run(true, key, nonce, plaintext, 0, plaintext.length, aad);
    byte[] box = new byte[NONCE_BYTES + sealed.length];
    System.arraycopy(nonce, 0, box, 0, NONCE_BYTES);
    System.arraycopy(sealed, 0, box, NONCE_BYTES, sealed.length);
    return box;
  }

  /** Opens a box made by {@link #seal}; any change to key, box or AAD fails authentication. */
  static byte[] open(byte[] key, byte[] box, byte[] aad) throws InvalidCipherTextException {
    if (box.length < NONCE_BYTES + TAG_BITS / 8) {
      throw new InvalidCipherTextException("sealed box too short");
    }
    byte[] nonce = Arrays.copyOf(box, NONCE_BYTES);
    try {
      return run(false, key, nonce, box, NONCE_BYTES, box.length - NONCE_BYTES, aad);
    } catch (AuthenticationFailed e) {
      throw new InvalidCipherTextException("GCM authentication failed");
    }
  }

  private static byte[] run(
      boolean encrypt, byte[] key, byte[] nonce, byte[] in, int off, int len, byte[] aad) {
    if (key.length != KEY_BYTES) {
      throw new IllegalArgumentException("AES-256 needs a 32-byte key");
    }
    KeyParameter keyParameter = new KeyParameter(key);
    try {
      // No precomputed multiplication table: building the default 4 KiB one for every key costs more
      // than the few blocks a secret, a data key or an access key takes.
      GCMModeCipher cipher = GCMBlockCipher.newInstance(AESEngine.newInstance(), new BasicGCMMultiplier());
      cipher.init(encrypt, new AEADParameters(keyParameter, TAG_BITS, nonce, aad));
      byte[] out = new byte[cipher.getOutputSize(len)];
      int n = cipher.processBytes(in, off, len, out, 0);
      n += cipher.doFinal(out, n);
      return n == out.length ? out : Arrays.copyOf(out, n);
    } catch (InvalidCipherTextException e) {
      throw new AuthenticationFailed();
    } finally {
      // KeyParameter keeps its own copy of the key; getKey() hands back that very array.
      Arrays.fill(keyParameter.getKey(), (byte) 0);
    }
  }

  /** Unchecked carrier so {@link #run} can serve both directions; {@link #open} rethrows. */
  static final class AuthenticationFailed extends RuntimeException {
    AuthenticationFailed() {
      super("GCM authentication failed", null, false, false);
    }
  }
}
