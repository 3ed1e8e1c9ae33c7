package dev.stowaway.vault.testing;

import dev.stowaway.vault.Vault;
import dev.stowaway.vault.kms.RootKey;
import dev.stowaway.vault.store.SecretStore;
import dev.stowaway.vault.store.mapdb.MapDbSecretStore;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;

/** Vaults for tests: the real engine, a known root key, repeatable randomness. */
public final class TestVaults {

  public static final String REGION = "us-east-1";
  public static final String ACCOUNT = "123456789012";

  private TestVaults() {}

  /** Deterministic randomness: the same seed gives the same ids and keys. */
  public static SecureRandom seededRandom(long seed) {
    try {
      SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
      random.setSeed(seed);
      return random;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public static RootKey rootKey(int fill) {
    byte[] bytes = new byte[RootKey.BYTES];
    java.util.Arrays.fill(bytes, (byte) fill);
    return RootKey.of(bytes);
  }

  public static Vault inMemory(Clock clock) {
    return open(MapDbSecretStore.openInMemory(), rootKey(7), clock);
  }

  public static Vault open(SecretStore store, RootKey rootKey, Clock clock) {
    return Vault.open(store, rootKey, clock, seededRandom(42), REGION, ACCOUNT);
  }
}
