package dev.stowaway.vault.kms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RootKeyTest {

  private static final byte[] SALT = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  @Test
  void samePassphraseAndSaltDeriveTheSameKey() {
    try (RootKey a = RootKey.derive("open sesame".toCharArray(), SALT);
         RootKey b = RootKey.derive("open sesame".toCharArray(), SALT)) {
      assertArrayEquals(a.exportBytes(), b.exportBytes());
    }
  }

  @Test
  void anotherPassphraseDerivesAnotherKey() {
    try (RootKey a = RootKey.derive("open sesame".toCharArray(), SALT);
         RootKey b = RootKey.derive("open sesame!".toCharArray(), SALT)) {
      assertFalse(Arrays.equals(a.exportBytes(), b.exportBytes()));
    }
  }

  @Test
  void toStringRevealsNothing() {
    try (RootKey key = RootKey.of(new byte[32])) {
      assertEquals("RootKey[REDACTED]", key.toString());
    }
  }

  @Test
  void closedKeyCannotBeUsed() {
    RootKey key = RootKey.of(new byte[32]);
    key.close();
    IllegalStateException thrown = assertThrows(IllegalStateException.class, key::exportBytes);
    assertEquals("root key was destroyed", thrown.getMessage());
  }

  @Test
  void wrongLengthIsRefused() {
    IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, () -> RootKey.of(new byte[16]));
    assertEquals("a root key is exactly 32 bytes, got 16", thrown.getMessage());
  }
}
