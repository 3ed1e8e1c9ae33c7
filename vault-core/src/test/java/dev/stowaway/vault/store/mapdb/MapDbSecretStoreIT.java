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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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

  /**
   * A power loss after some commits: the journal (forced at each commit) is whole, the store file is
   * as the last checkpoint left it; {@code cutJournalBy} bytes of the journal's end are lost too.
   */
  private Path powerLossAfterCommits(int commits, int cutJournalBy) throws IOException {
    Path file = dir.resolve("vault.db");
    Path journal = dir.resolve("vault.db.journal");
    MapDbSecretStore.open(file).close();
    byte[] checkpointed = Files.readAllBytes(file);
    byte[] journaled;
    try (MapDbSecretStore store = MapDbSecretStore.open(file)) {
      for (int i = 0; i < commits; i++) {
        String arn = "arn:" + i;
        store.write(tx -> {
          tx.putSecret(record(arn, "s" + arn));
          tx.putVersionData(arn, "v1", new byte[300]);
          return null;
        });
      }
      journaled = Files.readAllBytes(journal);
    }
    Files.write(file, checkpointed);
    Files.write(journal, java.util.Arrays.copyOf(journaled, journaled.length - cutJournalBy));
    return file;
  }

  @Test
  void everyCommitSurvivesLosingTheStoreFilesWritesSinceTheCheckpoint() throws IOException {
    Path file = powerLossAfterCommits(40, 0);
    try (MapDbSecretStore store = MapDbSecretStore.open(file)) {
      assertEquals("40 commit(s) replayed from the journal, 0 byte(s) of an unfinished commit discarded",
          store.recovery());
      assertEquals(40, store.read(v -> v.secrets()).size());
      assertEquals(Optional.of("arn:39"), store.read(v -> v.arnForName("sarn:39")));
      assertEquals(300, store.read(v -> v.versionData("arn:39", "v1")).orElseThrow().length);
    }
  }

  @Test
  void aCommitCutOffInTheJournalIsLostWholeAndTheStoreGoesOn() throws IOException {
    Path file = powerLossAfterCommits(40, 5);
    try (MapDbSecretStore store = MapDbSecretStore.open(file)) {
      assertTrue(store.recovery().startsWith("39 commit(s) replayed from the journal, "), store.recovery());
      assertEquals(39, store.read(v -> v.secrets()).size());
      assertEquals(Optional.empty(), store.read(v -> v.arnForName("sarn:39")));
      assertEquals(Optional.empty(), store.read(v -> v.versionData("arn:39", "v1")));
      store.write(tx -> {
        tx.putSecret(record("arn:after", "after"));
        return null;
      });
    }
    try (MapDbSecretStore store = MapDbSecretStore.open(file)) {
      assertEquals(40, store.read(v -> v.secrets()).size());
      assertEquals(Optional.of("arn:after"), store.read(v -> v.arnForName("after")));
    }
  }

  @Test
  void aStoreWrittenThroughMapDbsOwnTransactionsOpensAndItsLeftoverLogGoes() throws IOException {
    // as sidecars before the journal left vault.db: MapDB's StoreWAL, and a log file beside it
    Path file = dir.resolve("vault.db");
    try (org.mapdb.DB old = org.mapdb.DBMaker.fileDB(file.toFile()).transactionEnable().make()) {
      old.treeMap("secret-names", org.mapdb.Serializer.STRING, org.mapdb.Serializer.STRING).createOrOpen()
          .put("one", "arn:1");
      old.commit();
    }
    Files.write(dir.resolve("vault.db.wal.0"), new byte[64]);
    try (MapDbSecretStore store = MapDbSecretStore.open(file)) {
      assertEquals(Optional.of("arn:1"), store.read(v -> v.arnForName("one")));
      store.write(tx -> {
        tx.putSecret(record("arn:2", "two"));
        return null;
      });
    }
    assertTrue(!Files.exists(dir.resolve("vault.db.wal.0")));
    try (MapDbSecretStore store = MapDbSecretStore.open(file)) {
      assertEquals(Optional.of("arn:2"), store.read(v -> v.arnForName("two")));
    }
  }

  private static void putSecret(MapDbSecretStore store, String arn, String name) {
    store.write(tx -> {
      tx.putSecret(record(arn, name));
      return null;
    });
  }

  @Test
  void aCommitThatCannotBeJournaledFailsLeavesNothingAndTheStoreGoesOn() {
    Path file = dir.resolve("vault.db");
    try (MapDbSecretStore store = MapDbSecretStore.open(file)) {
      putSecret(store, "arn:before", "before");
      store.volume().failNextSync(JournaledVolume.FailurePoint.BEFORE_JOURNAL);
      dev.stowaway.vault.store.StoreException e = assertThrows(dev.stowaway.vault.store.StoreException.class,
          () -> putSecret(store, "arn:lost", "lost"));
      assertTrue(e.getMessage().startsWith("the vault store could not commit: "), e.getMessage());
      assertEquals(Optional.empty(), store.read(v -> v.arnForName("lost")));
      assertEquals(Optional.of("arn:before"), store.read(v -> v.arnForName("before")));
      putSecret(store, "arn:after", "after");
      assertEquals(2, store.read(v -> v.secrets()).size());
    }
    try (MapDbSecretStore store = MapDbSecretStore.open(file)) {
      assertEquals(List.of("arn:after", "arn:before"), store.read(v -> v.secrets()).stream().map(SecretRecord::arn)
          .sorted().toList());
    }
  }

  @Test
  void aCommitJournaledButNotWrittenIntoTheFileIsReplayedFromTheJournal() {
    Path file = dir.resolve("vault.db");
    try (MapDbSecretStore store = MapDbSecretStore.open(file)) {
      putSecret(store, "arn:before", "before");
      store.volume().failNextSync(JournaledVolume.FailurePoint.BEFORE_FILE);
      // durable but unconfirmed, as any store's commit whose answer is lost: the caller retries
      assertThrows(dev.stowaway.vault.store.StoreException.class, () -> putSecret(store, "arn:durable", "durable"));
      assertEquals(Optional.of("arn:durable"), store.read(v -> v.arnForName("durable")));
      putSecret(store, "arn:after", "after");
    }
    try (MapDbSecretStore store = MapDbSecretStore.open(file)) {
      assertEquals(List.of("arn:after", "arn:before", "arn:durable"), store.read(v -> v.secrets()).stream()
          .map(SecretRecord::arn).sorted().toList());
    }
  }

  @Test
  void aFreshStoreReportsNothingReplayed() {
    try (MapDbSecretStore store = MapDbSecretStore.open(dir.resolve("vault.db"))) {
      assertEquals("0 commit(s) replayed from the journal, 0 byte(s) of an unfinished commit discarded",
          store.recovery());
    }
  }

  @Test
  void closedStoreRefusesWork() {
    MapDbSecretStore store = MapDbSecretStore.open(dir.resolve("vault.db"));
    store.close();
    assertThrows(dev.stowaway.vault.store.StoreException.class, () -> store.read(v -> v.secrets()));
  }

  @Test
  void writesQueuedBehindACommitAreCommittedTogether() throws Exception {
    Path file = dir.resolve("vault.db");
    try (MapDbSecretStore store = MapDbSecretStore.open(file)) {
      CountDownLatch firstRunning = new CountDownLatch(1);
      CountDownLatch releaseFirst = new CountDownLatch(1);
      ExecutorService writers = Executors.newFixedThreadPool(9);
      try {
        long before = store.commits();
        Future<?> first = writers.submit(() -> store.write(tx -> {
          tx.putSecret(record("arn:0", "s0"));
          firstRunning.countDown();
          await(releaseFirst);
          return null;
        }));
        firstRunning.await();
        List<Future<?>> queued = new ArrayList<>();
        for (int i = 1; i <= 8; i++) {
          int n = i;
          queued.add(writers.submit(() -> store.write(tx -> {
            tx.putSecret(record("arn:" + n, "s" + n));
            return null;
          })));
        }
        awaitQueued(store, 8);
        releaseFirst.countDown();
        first.get(30, TimeUnit.SECONDS);
        for (Future<?> f : queued) {
          f.get(30, TimeUnit.SECONDS);
        }
        assertEquals(2, store.commits() - before, "one commit for the first write, one for the eight behind it");
      } finally {
        writers.shutdownNow();
      }
    }
    try (MapDbSecretStore store = MapDbSecretStore.open(file)) {
      for (int i = 0; i <= 8; i++) {
        String name = "s" + i;
        assertEquals(Optional.of("arn:" + i), store.read(v -> v.arnForName(name)), name + " after reopen");
      }
    }
  }

  @Test
  void aWriteThatThrowsInAGroupLeavesTheOthersCommitted() throws Exception {
    Path file = dir.resolve("vault.db");
    try (MapDbSecretStore store = MapDbSecretStore.open(file)) {
      CountDownLatch firstRunning = new CountDownLatch(1);
      CountDownLatch releaseFirst = new CountDownLatch(1);
      ExecutorService writers = Executors.newFixedThreadPool(4);
      try {
        Future<?> first = writers.submit(() -> store.write(tx -> {
          firstRunning.countDown();
          await(releaseFirst);
          tx.putSecret(record("arn:1", "one"));
          return null;
        }));
        firstRunning.await();
        Future<?> failing = writers.submit(() -> store.write(tx -> {
          tx.putSecret(record("arn:2", "two"));
          tx.putVersionData("arn:1", "v9", new byte[] {9});
          throw new IllegalStateException("refused");
        }));
        Future<?> third = writers.submit(() -> store.write(tx -> {
          tx.putSecret(record("arn:3", "three"));
          return null;
        }));
        awaitQueued(store, 2);
        releaseFirst.countDown();
        first.get(30, TimeUnit.SECONDS);
        third.get(30, TimeUnit.SECONDS);
        ExecutionException e = assertThrows(ExecutionException.class, () -> failing.get(30, TimeUnit.SECONDS));
        assertEquals("refused", e.getCause().getMessage());
      } finally {
        writers.shutdownNow();
      }
    }
    try (MapDbSecretStore store = MapDbSecretStore.open(file)) {
      assertEquals(Optional.of("arn:1"), store.read(v -> v.arnForName("one")));
      assertEquals(Optional.of("arn:3"), store.read(v -> v.arnForName("three")));
      assertEquals(Optional.empty(), store.read(v -> v.arnForName("two")));
      assertEquals(Optional.empty(), store.read(v -> v.secret("arn:2")));
      assertEquals(Optional.empty(), store.read(v -> v.versionData("arn:1", "v9")));
    }
  }

  @Test
  void aReadInsideAWriteSeesTheWrite() {
    try (MapDbSecretStore store = MapDbSecretStore.open(dir.resolve("vault.db"))) {
      Optional<SecretRecord> seen = store.write(tx -> {
        tx.putSecret(record("arn:1", "one"));
        return store.read(v -> v.secret("arn:1"));
      });
      assertEquals("one", seen.orElseThrow().name());
    }
  }

  @Test
  void aReadAfterAWriteSeesItThoughTheRecordWasReadBefore() {
    try (MapDbSecretStore store = MapDbSecretStore.open(dir.resolve("vault.db"))) {
      assertEquals(Optional.empty(), store.read(v -> v.arnForName("one"))); // cached as absent
      store.write(tx -> {
        tx.putSecret(record("arn:1", "one"));
        tx.putVersionData("arn:1", "v1", new byte[] {1});
        return null;
      });
      assertEquals(Optional.of("arn:1"), store.read(v -> v.arnForName("one")));
      store.write(tx -> {
        tx.putSecret(record("arn:1", "renamed"));
        tx.putVersionData("arn:1", "v1", new byte[] {2});
        return null;
      });
      assertEquals(Optional.empty(), store.read(v -> v.arnForName("one")));
      assertEquals("renamed", store.read(v -> v.secret("arn:1")).orElseThrow().name());
      assertArrayEquals(new byte[] {2}, store.read(v -> v.versionData("arn:1", "v1")).orElseThrow());
    }
  }

  @Test
  void aChangedCopyOfAVersionValueDoesNotChangeTheStore() {
    try (MapDbSecretStore store = MapDbSecretStore.open(dir.resolve("vault.db"))) {
      byte[] envelope = {1, 2, 3};
      store.write(tx -> {
        tx.putSecret(record("arn:1", "one"));
        tx.putVersionData("arn:1", "v1", envelope);
        return null;
      });
      envelope[0] = 0;
      store.read(v -> v.versionData("arn:1", "v1")).orElseThrow()[1] = 0; // as a caller zeroing what it read
      assertArrayEquals(new byte[] {1, 2, 3}, store.read(v -> v.versionData("arn:1", "v1")).orElseThrow());
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Until {@code n} writes wait behind the one running (they queue before they block on the lock). */
  private static void awaitQueued(MapDbSecretStore store, int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (store.queuedWrites() < n) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(store.queuedWrites() + " writes queued, expected " + n);
      }
      Thread.sleep(1);
    }
  }
}
