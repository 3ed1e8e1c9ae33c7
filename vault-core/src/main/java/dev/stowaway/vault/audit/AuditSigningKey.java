package dev.stowaway.vault.audit;

import dev.stowaway.vault.kms.RootKey;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.crypto.util.PublicKeyFactory;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;

/**
 * The Ed25519 key that signs digests. Its private half lives only sealed under the root key
 * ({@code audit/signing-key.sealed}); the public half is exported as PEM beside the digests so
 * that anyone can verify them offline.
 */
final class AuditSigningKey {

  static final String ALGORITHM = "Ed25519";
  private static final Logger LOG = System.getLogger(AuditSigningKey.class.getName());
  private static final String PURPOSE = "stowaway:audit-signing-key:v1";

  private final Ed25519PrivateKeyParameters privateKey;
  private final Ed25519PublicKeyParameters publicKey;

  private AuditSigningKey(Ed25519PrivateKeyParameters privateKey) {
    this.privateKey = privateKey;
    this.publicKey = privateKey.generatePublicKey();
  }

  /** Unseals the key in {@code auditDir}, or makes one on first use, and exports the public key. */
  static AuditSigningKey loadOrCreate(Path auditDir, RootKey rootKey, SecureRandom random) throws IOException {
    Path sealedFile = auditDir.resolve(AuditFiles.SEALED_SIGNING_KEY);
    AuditSigningKey key;
    if (Files.exists(sealedFile)) {
      byte[] seed = rootKey.open(Files.readAllBytes(sealedFile), PURPOSE);
      try {
        key = new AuditSigningKey(new Ed25519PrivateKeyParameters(seed, 0));
      } finally {
        Arrays.fill(seed, (byte) 0);
      }
    } else {
      byte[] seed = new byte[Ed25519PrivateKeyParameters.KEY_SIZE];
      random.nextBytes(seed);
      try {
        key = new AuditSigningKey(new Ed25519PrivateKeyParameters(seed, 0));
        writeAtomically(sealedFile, rootKey.seal(seed, PURPOSE, random));
      } finally {
        Arrays.fill(seed, (byte) 0);
      }
    }
    Path digests = auditDir.resolve(AuditFiles.DIGESTS);
    Files.createDirectories(digests, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Path pem = digests.resolve(AuditFiles.PUBLIC_KEY);
    String exported = key.publicKeyPem();
    if (!Files.exists(pem)) {
      writeAtomically(pem, exported.getBytes(StandardCharsets.US_ASCII));
    } else if (!Files.readString(pem, StandardCharsets.US_ASCII).equals(exported)) {
      // Never overwrite: a replaced public key is evidence, and verify will show what it breaks.
      LOG.log(Level.WARNING, pem + " does not hold this vault's audit signing key (fingerprint "
          + key.fingerprint() + "); digests will not verify against it");
    }
    return key;
  }

  byte[] sign(byte[] body) {
    Ed25519Signer signer = new Ed25519Signer();
    signer.init(true, privateKey);
    signer.update(body, 0, body.length);
    return signer.generateSignature();
  }

  String fingerprint() {
    return fingerprint(publicKey);
  }

  String publicKeyPem() {
    try {
      byte[] der = SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(publicKey).getEncoded();
      return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
          + "\n-----END PUBLIC KEY-----\n";
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reads a PEM public key as written by {@link #publicKeyPem()}. */
  static Ed25519PublicKeyParameters readPublicKey(String pem) {
    String base64 = pem.replace("-----BEGIN PUBLIC KEY-----", "").replace("-----END PUBLIC KEY-----", "")
        .replaceAll("\\s", "");
    try {
      AsymmetricKeyParameter key = PublicKeyFactory.createKey(Base64.getDecoder().decode(base64));
      if (key instanceof Ed25519PublicKeyParameters ed25519) {
        return ed25519;
      }
      throw new IllegalArgumentException("the public key is not an Ed25519 key");
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("the public key is not a PEM Ed25519 public key", e);
    }
  }

  static boolean verify(Ed25519PublicKeyParameters key, byte[] body, byte[] signature) {
    Ed25519Signer verifier = new Ed25519Signer();
    verifier.init(false, key);
    verifier.update(body, 0, body.length);
    return verifier.verifySignature(signature);
  }

  /** SHA-256 of the raw 32-byte public key, in hex: short enough to compare by eye. */
  static String fingerprint(Ed25519PublicKeyParameters key) {
    try {
      return AuditFiles.hex(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A new file, complete and synced before it appears under its name. */
  static void writeAtomically(Path file, byte[] bytes) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try (var channel = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
      channel.write(java.nio.ByteBuffer.wrap(bytes));
      channel.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    syncDirectory(file.getParent());
  }

  /** Makes a new name in {@code dir} durable: without this a crash can lose a created file. */
  static void syncDirectory(Path dir) throws IOException {
    try (var channel = java.nio.channels.FileChannel.open(dir, java.nio.file.StandardOpenOption.READ)) {
      channel.force(true);
    }
  }
}
