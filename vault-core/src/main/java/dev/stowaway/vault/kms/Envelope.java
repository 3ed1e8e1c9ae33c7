package dev.stowaway.vault.kms;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.ByteArrayInputStream;

/**
 * What is stored for each encrypted value: the KMS key that wraps the data key, the wrapped
 * data key, and the value sealed under the data key. Nothing in it is plaintext.
 *
 * <p>Binary form (big-endian): {@code u8 format | u16 keyIdLen | keyId | [v2: u16 materialVersion] |
 * u16 wrappedLen | wrapped | nonce[12] | u32 ctLen | ciphertext+tag}. Version 1 envelopes, written
 * before keys rotated, all use material version 0.
 */
public record Envelope(int formatVersion, String keyId, int materialVersion, byte[] wrappedDataKey, byte[] nonce,
    byte[] ciphertext) {

  public static final int FORMAT_V1 = 1;
  public static final int FORMAT_V2 = 2;

  public byte[] encode() {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(ciphertext.length + 128);
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeByte(formatVersion);
      out.writeUTF(keyId);
      if (formatVersion >= FORMAT_V2) {
        out.writeShort(materialVersion);
      }
      out.writeShort(wrappedDataKey.length);
      out.write(wrappedDataKey);
      out.write(nonce);
      out.writeInt(ciphertext.length);
      out.write(ciphertext);
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Parses a stored envelope; a damaged one is reported without echoing its bytes. */
  public static Envelope decode(byte[] encoded) {
    try {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(encoded));
      int format = in.readUnsignedByte();
      if (format != FORMAT_V1 && format != FORMAT_V2) {
        throw new IllegalArgumentException("unknown envelope format " + format);
      }
      String keyId = in.readUTF();
      int materialVersion = format >= FORMAT_V2 ? in.readUnsignedShort() : 0;
      byte[] wrapped = new byte[in.readUnsignedShort()];
      in.readFully(wrapped);
      byte[] nonce = new byte[AesGcm.NONCE_BYTES];
      in.readFully(nonce);
      int length = in.readInt();
      if (length < 0 || length > encoded.length) {
        throw new IllegalArgumentException("envelope ciphertext length is out of range");
      }
      byte[] ciphertext = new byte[length];
      in.readFully(ciphertext);
      if (in.available() != 0) {
        throw new IllegalArgumentException("trailing bytes after envelope");
      }
      return new Envelope(format, keyId, materialVersion, wrapped, nonce, ciphertext);
    } catch (IOException e) {
      throw new IllegalArgumentException("truncated envelope");
    }
  }

  @Override
  public String toString() {
    return "Envelope[keyId=" + keyId + ", ciphertext=" + ciphertext.length + " bytes]";
  }
}
