package dev.stowaway.vault.store.mapdb;

import dev.stowaway.vault.store.SecretStore;
import dev.stowaway.vault.store.SecretStoreContract;

/** The store contract on MapDB (in memory: the same engine as the file). */
class MapDbSecretStoreContractTest extends SecretStoreContract {

  @Override
  protected SecretStore newStore() {
    return MapDbSecretStore.openInMemory();
  }
}
