package dev.stowaway.vault.kms;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * The 256-bit key at the top of the hierarchy. It wraps KMS key material and nothing else; it
 * never encrypts secret values directly.
 */
public final class RootKey implements AutoCloseable {

  public static final int BYTES = AesGcm.KEY_BYTES;
  /** Argon2id cost: 64 MiB, 3 passes, as OWASP recommends for interactive-ish derivation. */
  private static final int ARGON2_MEMORY_KIB = 64 * 1024;
  private static final int ARGON2_ITERATIONS = 3;

  private final byte[] key;
  private volatile boolean destroyed;

  private RootKey(byte[] key) {
    this.key = key;
  }

  /** Takes a copy; the caller should zero its own array. */
  public static RootKey of(byte[] key) {
    if (key.length != BYTES) {
      throw new IllegalArgumentException("a root key is exactly " + BYTES + " bytes, got " + key.length);
    }
    return new RootKey(key.clone());
  }

  public static RootKey generate(SecureRandom random) {
    byte[] key = new byte[BYTES];
    random.nextBytes(key);
    return new RootKey(key);
  }

  /** Derives the root key from a passphrase with Argon2id; the salt is not secret. */
  public static RootKey derive(char[] passphrase, byte[] salt) {
    if (passphrase.length == 0) {
      throw new IllegalArgumentException("the root passphrase is empty");
    }
    ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(passphrase));
    byte[] password = new byte[encoded.remaining()];
    encoded.get(password);
    Arrays.fill(encoded.array(), (byte) 0);
    try {
      Argon2BytesGenerator argon2 = new Argon2BytesGenerator();
      argon2.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
          .withVersion(Argon2Parameters.ARGON2_VERSION_13)
          .withMemoryAsKB(ARGON2_MEMORY_KIB)
          .withIterations(ARGON2_ITERATIONS)
          .withParallelism(1)
          .withSalt(salt)
          .build());
      byte[] key = new byte[BYTES];
      argon2.generateBytes(password, key);
      return new RootKey(key);
    } finally {
      Arrays.fill(password, (byte) 0);
    }
  }

  /** A copy of the key bytes, for writing {@code root.key}; zero it after use. */
  public byte[] exportBytes() {
    checkAlive();
    return key.clone();
  }

  byte[] wrap(byte[] material, byte[] aad, SecureRandom random) {
    checkAlive();
    return AesGcm.seal(key, material, aad, random);
  }

  byte[] unwrap(byte[] wrapped, byte[] aad) throws InvalidCipherTextException {
    checkAlive();
    return AesGcm.open(key, wrapped, aad);
  }

  /**
   * Seals key material that is not a KMS key (the audit signing key) under the root key. The
   * purpose is bound in as associated data, so material sealed for one use cannot be opened as
   * another.
   */
  public byte[] seal(byte[] material, String purpose, SecureRandom random) {
    return wrap(material, purpose.getBytes(StandardCharsets.UTF_8), random);
  }

  /**
   * Opens what {@link #seal} sealed for the same purpose; the caller zeroes the result.
   *
   * @throws RootKeyMismatchException if this root key did not seal it
   */
  public byte[] open(byte[] sealed, String purpose) {
    try {
      return unwrap(sealed, purpose.getBytes(StandardCharsets.UTF_8));
    } catch (InvalidCipherTextException e) {
      throw RootKeyMismatchException.forMaterial(purpose);
    }
  }

  private void checkAlive() {
    if (destroyed) {
      throw new IllegalStateException("root key was destroyed");
    }
  }

  @Override
  public void close() {
    destroyed = true;
    Arrays.fill(key, (byte) 0);
  }

  @Override
  public String toString() {
    return "RootKey[REDACTED]";
  }
}
