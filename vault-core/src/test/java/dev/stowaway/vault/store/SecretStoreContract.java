package dev.stowaway.vault.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stowaway.vault.Vault;
import dev.stowaway.vault.secrets.CreateSecret;
import dev.stowaway.vault.secrets.PutSecretValue;
import dev.stowaway.vault.secrets.SecretValue;
import dev.stowaway.vault.testing.MutableClock;
import dev.stowaway.vault.testing.TestVaults;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every adapter of the store port must do, whatever it stores in. One subclass per adapter
 * supplies a fresh, empty store.
 */
public abstract class SecretStoreContract {

  protected SecretStore store;

  /** A new, empty store. */
  protected abstract SecretStore newStore();

  @BeforeEach
  void open() {
    store = newStore();
  }

  @AfterEach
  void close() {
    store.close();
  }

  private static SecretRecord secret(String arn, String name) {
    return new SecretRecord(arn, name, null, null, List.of(), 1, 1, null, null, null, List.of(), null, null);
  }

  @Test
  void aWriteIsReadBackWithItsNameIndex() {
    store.write(tx -> {
      tx.putSecret(secret("arn:a", "a"));
      tx.putVersionData("arn:a", "v1", new byte[] {1, 2, 3});
      return null;
    });
    assertEquals("a", store.read(v -> v.secret("arn:a")).orElseThrow().name());
    assertEquals(Optional.of("arn:a"), store.read(v -> v.arnForName("a")));
    assertArrayEquals(new byte[] {1, 2, 3}, store.read(v -> v.versionData("arn:a", "v1")).orElseThrow());
  }

  @Test
  void aWriteThatThrowsLeavesNothing() {
    assertThrows(IllegalStateException.class, () -> store.write(tx -> {
      tx.putSecret(secret("arn:a", "a"));
      throw new IllegalStateException("no");
    }));
    assertEquals(Optional.empty(), store.read(v -> v.secret("arn:a")));
    assertEquals(Optional.empty(), store.read(v -> v.arnForName("a")));
  }

  @Test
  void removingASecretRemovesItsNameAndEveryVersion() {
    store.write(tx -> {
      tx.putSecret(secret("arn:a", "a"));
      tx.putSecret(secret("arn:a_b", "a_b"));
      tx.putVersionData("arn:a", "v1", new byte[] {1});
      tx.putVersionData("arn:a", "v2", new byte[] {2});
      tx.putVersionData("arn:a_b", "v1", new byte[] {3});
      return null;
    });
    store.write(tx -> {
      tx.removeSecret("arn:a");
      return null;
    });
    assertEquals(Optional.empty(), store.read(v -> v.arnForName("a")));
    assertEquals(Optional.empty(), store.read(v -> v.versionData("arn:a", "v2")));
    assertArrayEquals(new byte[] {3}, store.read(v -> v.versionData("arn:a_b", "v1")).orElseThrow(),
        "a secret whose ARN starts like the removed one keeps its versions");
  }

  @Test
  void listsComeInKeyOrder() {
    store.write(tx -> {
      for (String name : List.of("/b", "/a/z", "/a", "/A")) {
        tx.putParameter(new ParameterRecord(name, "arn" + name, List.of(), List.of(new ParameterRecord.Version(1,
            "String", "v", null, null, null, null, "Standard", "text", List.of(), 1, null))));
      }
      tx.putAlias("alias/b", "k2");
      tx.putAlias("alias/a", "k1");
      return null;
    });
    assertEquals(List.of("/A", "/a", "/a/z", "/b"), store.read(StoreView::parameters).stream()
        .map(ParameterRecord::name).toList());
    assertEquals(Map.of("alias/a", "k1", "alias/b", "k2"), store.read(StoreView::aliases));
    assertEquals("alias/a", store.read(StoreView::aliases).firstKey());
    store.write(tx -> {
      tx.removeAlias("alias/a");
      tx.removeParameter("/b");
      return null;
    });
    assertEquals(List.of("alias/b"), List.copyOf(store.read(StoreView::aliases).keySet()));
    assertEquals(3, store.read(StoreView::parameters).size());
  }

  @Test
  void everyRecordKindRoundTrips() {
    store.write(tx -> {
      tx.putEventRule(new EventRuleRecord("r", "arn:r", "{}", "ENABLED", null, 1, List.of(
          new EventRuleRecord.Target("t", "file:x", null))));
      tx.putRole(new RoleRecord("role", "AROA1", "arn:role", "/", 1, null, 3600, "{}", List.of(), List.of()));
      return null;
    });
    assertEquals("file:x", store.read(v -> v.eventRule("r")).orElseThrow().targets().get(0).arn());
    assertEquals("AROA1", store.read(v -> v.role("role")).orElseThrow().roleId());
    store.write(tx -> {
      tx.removeEventRule("r");
      tx.removeRole("role");
      return null;
    });
    assertTrue(store.read(StoreView::eventRules).isEmpty());
    assertTrue(store.read(StoreView::roles).isEmpty());
  }

  @Test
  void aVaultRunsOnTheStore() {
    MutableClock clock = MutableClock.at("2026-03-01T10:00:00Z");
    Vault vault = TestVaults.open(store, TestVaults.rootKey(7), clock);
    vault.secrets().create(new CreateSecret("prod/db", null, null, SecretValue.ofString("one"), null, List.of()));
    vault.secrets().putValue(new PutSecretValue("prod/db", SecretValue.ofString("two"), null, null));
    assertEquals("two", vault.secrets().getValue("prod/db", null, null).value().asString());
    assertEquals("one", vault.secrets().getValue("prod/db", null, "AWSPREVIOUS").value().asString());
  }
}
