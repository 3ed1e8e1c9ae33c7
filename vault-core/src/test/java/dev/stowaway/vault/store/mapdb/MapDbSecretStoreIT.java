package dev.stowaway.vault.store.mapdb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stowaway.vault.Vault;
import dev.stowaway.vault.secrets.CreateSecret;
import dev.stowaway.vault.secrets.PutSecretValue;
import dev.stowaway.vault.secrets.SecretValue;
import dev.stowaway.vault.store.SecretRecord;
import dev.stowaway.vault.testing.MutableClock;
import dev.stowaway.vault.testing.TestVaults;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MapDbSecretStoreIT {

  @TempDir
  Path dir;

  private static SecretRecord record(String arn, String name) {
    return new SecretRecord(arn, name, null, null, List.of(), 1, 1, null, null, null, List.of(), null, null);
  }

  @Test
  void committedWritesSurviveCloseAndReopen() {
    Path file = dir.resolve("vault.db");
    try (MapDbSecretStore store = MapDbSecretStore.open(file)) {
      store.write(tx -> {
        tx.putSecret(record("arn:1", "one"));
        tx.putVersionData("arn:1", "v1", new byte[] {1, 2, 3});
        return null;
      });
    }
    try (MapDbSecretStore store = MapDbSecretStore.open(file)) {
      assertEquals(Optional.of("arn:1"), store.read(v -> v.arnForName("one")));
      assertArrayEquals(new byte[] {1, 2, 3}, store.read(v -> v.versionData("arn:1", "v1")).orElseThrow());
    }
  }

  @Test
  void failedUnitOfWorkLeavesNothingBehind() {
    try (MapDbSecretStore store = MapDbSecretStore.open(dir.resolve("vault.db"))) {
      assertThrows(IllegalStateException.class, () -> store.write(tx -> {
        tx.putSecret(record("arn:1", "one"));
        throw new IllegalStateException("boom");
      }));
      assertEquals(Optional.empty(), store.read(v -> v.secret("arn:1")));
      assertEquals(Optional.empty(), store.read(v -> v.arnForName("one")));
    }
  }

  @Test
  void removingASecretRemovesOnlyItsVersions() {
    try (MapDbSecretStore store = MapDbSecretStore.open(dir.resolve("vault.db"))) {
      store.write(tx -> {
        tx.putSecret(record("arn:a", "a"));
        tx.putSecret(record("arn:ab", "ab"));
        tx.putVersionData("arn:a", "v1", new byte[] {1});
        tx.putVersionData("arn:ab", "v1", new byte[] {2});
        tx.removeSecret("arn:a");
        return null;
      });
      assertEquals(Optional.empty(), store.read(v -> v.versionData("arn:a", "v1")));
      assertTrue(store.read(v -> v.versionData("arn:ab", "v1")).isPresent());
      assertEquals(Optional.empty(), store.read(v -> v.arnForName("a")));
    }
  }

  @Test
  void vaultReadsItsSecretsAfterReopen() {
    Path file = dir.resolve("vault.db");
    MutableClock clock = MutableClock.at("2026-03-01T10:00:00Z");
    try (Vault vault = TestVaults.open(MapDbSecretStore.open(file), TestVaults.rootKey(9), clock)) {
      vault.secrets().create(new CreateSecret("prod/db", null, null, SecretValue.ofString("one"), null, List.of()));
      vault.secrets().putValue(new PutSecretValue("prod/db", SecretValue.ofString("two"), null, null));
    }
    try (Vault vault = TestVaults.open(MapDbSecretStore.open(file), TestVaults.rootKey(9), clock)) {
      assertEquals("two", vault.secrets().getValue("prod/db", null, null).value().asString());
      assertEquals("one", vault.secrets().getValue("prod/db", null, "AWSPREVIOUS").value().asString());
    }
  }

  @Test
  void secondOpenOfTheSameFileIsRefusedWithAHint() {
    Path file = dir.resolve("vault.db");
    try (MapDbSecretStore first = MapDbSecretStore.open(file)) {
      dev.stowaway.vault.store.StoreException e =
          assertThrows(dev.stowaway.vault.store.StoreException.class, () -> MapDbSecretStore.open(file));
      assertEquals("cannot open the vault store " + file + ": it is locked by another process (is another sidecar "
          + "using this data directory?)", e.getMessage());
    }
  }

  @Test
  void closedStoreRefusesWork() {
    MapDbSecretStore store = MapDbSecretStore.open(dir.resolve("vault.db"));
    store.close();
    assertThrows(dev.stowaway.vault.store.StoreException.class, () -> store.read(v -> v.secrets()));
  }
}
