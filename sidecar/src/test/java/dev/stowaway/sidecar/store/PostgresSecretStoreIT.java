package dev.stowaway.sidecar.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stowaway.sidecar.testing.ScratchPostgres;
import dev.stowaway.vault.Vault;
import dev.stowaway.vault.kms.RootKeyMismatchException;
import dev.stowaway.vault.secrets.CreateSecret;
import dev.stowaway.vault.secrets.PutSecretValue;
import dev.stowaway.vault.secrets.SecretValue;
import dev.stowaway.vault.store.SecretStore;
import dev.stowaway.vault.store.SecretStoreContract;
import dev.stowaway.vault.testing.TestVaults;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The store contract on PostgreSQL, and what sharing one database between vaults must give. */
class PostgresSecretStoreIT extends SecretStoreContract {

  private static ScratchPostgres database;

  @BeforeAll
  static void createDatabase() {
    database = ScratchPostgres.create();
  }

  @AfterAll
  static void dropDatabase() {
    if (database != null) {
      database.close();
    }
  }

  @Override
  protected SecretStore newStore() {
    PostgresSecretStore store = PostgresSecretStore.open(database.url(), database.user(), database.password());
    try {
      database.execute("TRUNCATE stowaway_records");
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
    return store;
  }

  /** A vault as a sidecar opens it: its own randomness, so its ids are its own. */
  private static Vault vault(SecretStore on) {
    return Vault.open(on, TestVaults.rootKey(7), Clock.systemUTC(), new java.security.SecureRandom(), TestVaults.REGION,
        TestVaults.ACCOUNT);
  }

  private PostgresSecretStore second() {
    return PostgresSecretStore.open(database.url(), database.user(), database.password());
  }

  @Test
  void twoVaultsOnOneDatabaseSeeEachOthersWrites() {
    try (PostgresSecretStore other = second()) {
      Vault a = vault(store);
      Vault b = vault(other);
      a.secrets().create(new CreateSecret("prod/db", null, null, SecretValue.ofString("from-a"), null, List.of()));
      assertEquals("from-a", b.secrets().getValue("prod/db", null, null).value().asString());
    }
  }

  @Test
  void concurrentPutsThroughTwoVaultsLoseNoVersionAndKeepOneCurrent() throws Exception {
    try (PostgresSecretStore other = second()) {
      Vault a = vault(store);
      Vault b = vault(other);
      a.secrets().create(new CreateSecret("prod/db", null, null, SecretValue.ofString("v0"), null, List.of()));
      ExecutorService pool = Executors.newFixedThreadPool(8);
      List<Future<String>> puts = new ArrayList<>();
      try {
        for (int i = 1; i <= 40; i++) {
          Vault through = i % 2 == 0 ? a : b;
          int n = i;
          puts.add(pool.submit(() -> through.secrets().putValue(new PutSecretValue("prod/db",
              SecretValue.ofString("v" + n), null, null)).versionId()));
        }
        for (Future<String> put : puts) {
          put.get();
        }
      } finally {
        pool.shutdown();
      }
      Map<String, List<String>> stages = b.secrets().describe("prod/db").versionIdsToStages();
      var all = a.secrets().listVersionIds("prod/db", true, 100, null).versions();
      assertEquals(41, all.size(), "every put made its version");
      assertEquals(1, stages.values().stream().filter(l -> l.contains("AWSCURRENT")).count());
      assertEquals(1, stages.values().stream().filter(l -> l.contains("AWSPREVIOUS")).count());
      // The token idempotency holds across both: the same token through b returns a's version.
      String token = "0123456789abcdef0123456789abcdef";
      String first = a.secrets().putValue(new PutSecretValue("prod/db", SecretValue.ofString("same"), token, null))
          .versionId();
      assertEquals(first, b.secrets().putValue(new PutSecretValue("prod/db", SecretValue.ofString("same"), token, null))
          .versionId());
    }
  }

  @Test
  void theDatabaseHoldsNoPlaintext() throws Exception {
    Vault vault = TestVaults.open(store, TestVaults.rootKey(7), Clock.systemUTC());
    vault.secrets().create(new CreateSecret("prod/db", null, null, SecretValue.ofString("PLAINTEXT-in-pg-0042"), null,
        List.of()));
    vault.parameters().put("/app/p", "PLAINTEXT-param-in-pg-7", "SecureString", false, null, null, null, null, null,
        null);
    StringBuilder dump = new StringBuilder();
    try (Connection c = DriverManager.getConnection(database.url(), database.user(), database.password());
         Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT kind, id, body FROM stowaway_records")) {
      while (r.next()) {
        dump.append(r.getString(1)).append(r.getString(2)).append(new String(r.getBytes(3), StandardCharsets.ISO_8859_1));
      }
    }
    assertTrue(dump.length() > 0);
    assertTrue(!dump.toString().contains("PLAINTEXT-in-pg-0042") && !dump.toString().contains("PLAINTEXT-param-in-pg-7"));
  }

  @Test
  void aDifferentRootKeyIsRefusedAtOpen() {
    TestVaults.open(store, TestVaults.rootKey(7), Clock.systemUTC());
    try (PostgresSecretStore other = second()) {
      RootKeyMismatchException e = assertThrows(RootKeyMismatchException.class,
          () -> TestVaults.open(other, TestVaults.rootKey(8), Clock.systemUTC()));
      assertTrue(e.getMessage().startsWith("the root key does not match this vault"), e.getMessage());
    }
  }

  @Test
  void sidecarsStartingTogetherOnAnEmptyDatabaseMigrateItOnceAndMakeOneOfEachManagedKey() throws Exception {
    try (ScratchPostgres fresh = ScratchPostgres.create()) {
      int sidecars = 6;
      ExecutorService pool = Executors.newFixedThreadPool(sidecars);
      java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(sidecars);
      List<Future<PostgresSecretStore>> opened = new ArrayList<>();
      try {
        for (int i = 0; i < sidecars; i++) {
          opened.add(pool.submit(() -> {
            together.await();
            PostgresSecretStore store = PostgresSecretStore.open(fresh.url(), fresh.user(), fresh.password());
            vault(store); // makes the managed KMS keys unless another sidecar already has
            return store;
          }));
        }
        List<PostgresSecretStore> stores = new ArrayList<>();
        for (Future<PostgresSecretStore> f : opened) {
          stores.add(f.get());
        }
        for (PostgresSecretStore store : stores) {
          store.close();
        }
      } finally {
        pool.shutdownNow();
      }
      try (Connection c = DriverManager.getConnection(fresh.url(), fresh.user(), fresh.password());
           Statement s = c.createStatement();
           ResultSet r = s.executeQuery("SELECT version, count(*) FROM stowaway_schema GROUP BY version ORDER BY 1")) {
        List<String> versions = new ArrayList<>();
        while (r.next()) {
          versions.add(r.getInt(1) + "x" + r.getInt(2));
        }
        assertEquals(List.of("1x1", "2x1", "3x1", "4x1"), versions);
      }
      try (Connection c = DriverManager.getConnection(fresh.url(), fresh.user(), fresh.password());
           Statement s = c.createStatement();
           ResultSet r = s.executeQuery("SELECT count(*) FROM stowaway_records WHERE kind = 'kms-key'")) {
        r.next();
        assertEquals(2, r.getInt(1), "one aws/secretsmanager and one aws/ssm key, whoever made them");
      }
    }
  }

  @Test
  void migrationsRecordTheirVersionAndRunOnce() throws Exception {
    try (PostgresSecretStore again = second();
         Connection c = DriverManager.getConnection(database.url(), database.user(), database.password());
         Statement s = c.createStatement();
         ResultSet r = s.executeQuery("SELECT version FROM stowaway_schema ORDER BY version")) {
      List<Integer> versions = new ArrayList<>();
      while (r.next()) {
        versions.add(r.getInt(1));
      }
      assertEquals(List.of(1, 2, 3, 4), versions);
    }
  }
}
