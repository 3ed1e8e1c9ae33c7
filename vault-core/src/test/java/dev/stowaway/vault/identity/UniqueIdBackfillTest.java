package dev.stowaway.vault.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stowaway.vault.Vault;
import dev.stowaway.vault.store.AccessKeyRecord;
import dev.stowaway.vault.store.SecretStore;
import dev.stowaway.vault.store.SessionRecord;
import dev.stowaway.vault.store.StoreTransaction;
import dev.stowaway.vault.store.StoreView;
import dev.stowaway.vault.store.mapdb.MapDbSecretStore;
import dev.stowaway.vault.testing.MutableClock;
import dev.stowaway.vault.testing.TestVaults;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Keys and sessions stored before they named principals by unique id are bound when the vault opens. */
class UniqueIdBackfillTest {

  private final MutableClock clock = MutableClock.at("2026-06-01T00:00:10Z");
  private final SecretStore storage = MapDbSecretStore.openInMemory();
  /** Reopening the vault keeps the data, as a restart does. */
  private final SecretStore store = new SecretStore() {
    @Override
    public <T> T read(Function<? super StoreView, T> work) {
      return storage.read(work);
    }

    @Override
    public <T> T write(Function<? super StoreTransaction, T> work) {
      return storage.write(work);
    }

    @Override
    public void close() {}
  };

  @AfterEach
  void close() {
    storage.close();
  }

  private Vault open() {
    return TestVaults.open(store, TestVaults.rootKey(7), clock);
  }

  /** Rewrites a record as a version without unique ids would have written it. */
  private static AccessKeyRecord unbound(AccessKeyRecord k) {
    return new AccessKeyRecord(k.accessKeyId(), k.userName(), null, k.userArn(), k.status(), k.createdDate(),
        k.sealedSecret());
  }

  private static SessionRecord unbound(SessionRecord s) {
    return s.boundTo(null, null);
  }

  @Test
  void anOldKeyIsBoundToTheUserOfItsName() {
    String keyId;
    String userId;
    try (Vault vault = open()) {
      userId = vault.identity().createUser("ann", null).userId();
      keyId = vault.identity().createAccessKey("ann").accessKeyId();
    }
    store.write(tx -> {
      tx.putAccessKey(unbound(tx.accessKey(keyId).orElseThrow()));
      return null;
    });
    try (Vault vault = open()) {
      assertEquals(userId, store.read(view -> view.accessKey(keyId)).orElseThrow().userId());
      assertTrue(vault.accessKeys().signingKey(keyId).isPresent());
    }
  }

  @Test
  void anOldKeyWhoseUserIsGoneIsRemovedRatherThanLeftForTheNextUserOfItsName() {
    String keyId;
    try (Vault vault = open()) {
      vault.identity().createUser("ann", null);
      vault.identity().createUser("bob", null);
      keyId = vault.identity().createAccessKey("bob").accessKeyId();
    }
    // as a lost race with DeleteUser left it: a key whose user is gone
    store.write(tx -> {
      tx.putAccessKey(unbound(tx.accessKey(keyId).orElseThrow()));
      tx.removeUser("bob");
      return null;
    });
    try (Vault vault = open()) {
      assertEquals(Optional.empty(), store.read(view -> view.accessKey(keyId)));
      assertEquals(Optional.empty(), store.read(view -> view.user("bob")), "a vault with users makes none for a key");
      vault.identity().createUser("bob", null);
      assertEquals(0, vault.identity().listAccessKeys("bob").size());
    }
  }

  @Test
  void oldSessionsAreBoundToTheirRoleAndUserOrRemovedWhenEitherIsGone() {
    String trust = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},"
        + "\"Action\":\"sts:AssumeRole\"}}";
    String kept;
    String orphan;
    String roleId;
    try (Vault vault = open()) {
      vault.identity().createUser("ann", null);
      roleId = vault.roles().createRole("ops", null, trust, null, null).roleId();
      vault.roles().createRole("gone", null, trust, null, null);
      Caller ann = vault.identity().callerForUser("ann", vault.identity().userId("ann").orElseThrow(), null)
          .orElseThrow();
      kept = vault.roleSessions().assumeRole(ann, "arn:aws:iam::123456789012:role/ops", "s1", null, null, null, null,
          null).credentials().accessKeyId();
      orphan = vault.roleSessions().assumeRole(ann, "arn:aws:iam::123456789012:role/gone", "s2", null, null, null,
          null, null).credentials().accessKeyId();
    }
    store.write(tx -> {
      tx.putSession(unbound(tx.session(kept).orElseThrow()));
      tx.putSession(unbound(tx.session(orphan).orElseThrow()));
      tx.removeRole("gone");
      return null;
    });
    try (Vault vault = open()) {
      SessionRecord bound = store.read(view -> view.session(kept)).orElseThrow();
      assertEquals(roleId, bound.roleId());
      assertEquals(vault.identity().userId("ann").orElseThrow(), bound.userId());
      assertEquals(Optional.empty(), store.read(view -> view.session(orphan)));
    }
  }
}
