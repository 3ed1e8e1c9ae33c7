package dev.stowaway.vault.store.mapdb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournaledVolumeIT {

  private static final long NO_CHECKPOINT = Long.MAX_VALUE;
  private static final long CACHE = 1 << 20;

  @TempDir
  Path dir;

  private Path store() {
    return dir.resolve("store.db");
  }

  private Path journal() {
    return dir.resolve("store.db.journal");
  }

  private static byte[] read(JournaledVolume v, long offset, int size) {
    byte[] b = new byte[size];
    v.getData(offset, b, 0, size);
    return b;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void syncedWritesAreInTheStoreFileAfterClose() throws IOException {
    try (JournaledVolume v = JournaledVolume.open(store(), NO_CHECKPOINT, CACHE)) {
      v.ensureAvailable(10_000);
      v.putLong(8, 0x0102030405060708L);
      v.putData(4090, ascii("across-a-page"), 0, 13); // 6 bytes in the first page, 7 in the second
      v.sync();
    }
    byte[] file = Files.readAllBytes(store());
    assertEquals(10_000, file.length);
    assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, Arrays.copyOfRange(file, 8, 16));
    assertArrayEquals(ascii("across-a-page"), Arrays.copyOfRange(file, 4090, 4103));
    assertEquals(0, Files.size(journal()), "closing checkpoints: the journal is empty");
  }

  @Test
  void aSyncAppendsItsChangesToTheJournalAsOneBatch() throws IOException {
    try (JournaledVolume v = JournaledVolume.open(store(), NO_CHECKPOINT, CACHE)) {
      v.ensureAvailable(100);
      v.putData(0, ascii("hello"), 0, 5);
      v.sync();
      assertEquals(RedoJournal.HEADER_BYTES + 12 + 5 + 4, v.journalBytes());
      assertEquals(RedoJournal.HEADER_BYTES + 12 + 5 + 4, Files.size(journal()));
    }
  }

  @Test
  void aJournalGrownPastItsBoundIsCheckpointedAtTheNextSync() throws IOException {
    try (JournaledVolume v = JournaledVolume.open(store(), 100, CACHE)) {
      v.ensureAvailable(4096);
      byte[] ones = new byte[40];
      Arrays.fill(ones, (byte) 1);
      v.putData(0, ones, 0, 40);
      v.sync();
      assertEquals(RedoJournal.HEADER_BYTES + 12 + 40 + 4, v.journalBytes(), "under the bound: kept");
      v.putData(100, ones, 0, 40);
      v.sync();
      assertEquals(0, v.journalBytes(), "past it: store file forced, journal emptied");
      assertEquals(0, Files.size(journal()));
    }
  }

  @Test
  void rewritingBytesWithWhatTheyHoldLeavesNothingToJournal() throws IOException {
    try (JournaledVolume v = JournaledVolume.open(store(), NO_CHECKPOINT, CACHE)) {
      v.ensureAvailable(100);
      v.putData(0, ascii("same"), 0, 4);
      v.sync();
      long journaled = v.journalBytes();
      v.putData(0, ascii("same"), 0, 4);
      v.putLong(50, 0L);
      v.sync();
      assertEquals(journaled, v.journalBytes());
    }
  }

  @Test
  void theWriterReadsItsPendingWritesAndTheFileHasNoneOfThemBeforeSync() throws IOException {
    try (JournaledVolume v = JournaledVolume.open(store(), NO_CHECKPOINT, CACHE)) {
      v.ensureAvailable(8192);
      v.putData(0, ascii("committed"), 0, 9);
      v.sync();
      v.putData(0, ascii("PENDING"), 0, 7);
      v.putInt(5000, 42);
      assertArrayEquals(ascii("PENDINGed"), read(v, 0, 9));
      assertEquals(42, v.getInt(5000));
      assertArrayEquals(ascii("committed"), Arrays.copyOf(Files.readAllBytes(store()), 9));
    }
  }

  @Test
  void discardReturnsToTheLastSync() throws IOException {
    try (JournaledVolume v = JournaledVolume.open(store(), NO_CHECKPOINT, CACHE)) {
      v.ensureAvailable(100);
      v.putData(0, ascii("kept"), 0, 4);
      v.sync();
      v.ensureAvailable(50_000);
      v.putData(0, ascii("lost"), 0, 4);
      v.discard();
      assertArrayEquals(ascii("kept"), read(v, 0, 4));
      assertEquals(100, v.length());
      v.sync();
    }
    assertArrayEquals(ascii("kept"), Arrays.copyOf(Files.readAllBytes(store()), 4));
    assertEquals(100, Files.size(store()));
  }

  @Test
  void clearedPagesPastTheEndReadAsZerosAndTheFileGrowsToTheLength() throws IOException {
    try (JournaledVolume v = JournaledVolume.open(store(), NO_CHECKPOINT, CACHE)) {
      v.ensureAvailable(1 << 20);
      v.clear(0, 1 << 20);
      v.putLong((1 << 20) - 8, -1L);
      assertEquals(0L, v.getLong(512 * 1024));
      v.sync();
      assertEquals(RedoJournal.HEADER_BYTES + 12 + 8 + 4, v.journalBytes(), "zeros past the end are not logged");
    }
    byte[] file = Files.readAllBytes(store());
    assertEquals(1 << 20, file.length);
    assertEquals(0, file[512 * 1024]);
    assertEquals(-1, file[(1 << 20) - 1]);
  }

  @Test
  void openReplaysJournaledWritesTheStoreFileLost() throws IOException {
    try (JournaledVolume v = JournaledVolume.open(store(), NO_CHECKPOINT, CACHE)) {
      v.ensureAvailable(8192);
      v.putData(0, ascii("old"), 0, 3);
    }
    byte[] checkpointed = Files.readAllBytes(store());
    // a power loss after the journal was forced: the store file's writes since the checkpoint are gone
    try (RedoJournal j = RedoJournal.open(journal())) {
      j.append(new RedoJournal.Batch(12_288, List.of(new RedoJournal.Entry(0, ascii("new"), 0, 3),
          new RedoJournal.Entry(9000, ascii("grown"), 0, 5))));
    }
    Files.write(store(), checkpointed);
    try (JournaledVolume v = JournaledVolume.open(store(), NO_CHECKPOINT, CACHE)) {
      assertEquals(new RedoJournal.Replay(1, 0), v.recovered());
      assertArrayEquals(ascii("new"), read(v, 0, 3));
      assertArrayEquals(ascii("grown"), read(v, 9000, 5));
      assertEquals(12_288, v.length());
      assertEquals(0, Files.size(journal()), "replayed into the store file, forced, and checkpointed");
    }
  }

  @Test
  void aTornLastBatchIsNotAppliedAndTheStoreOpens() throws IOException {
    try (JournaledVolume v = JournaledVolume.open(store(), NO_CHECKPOINT, CACHE)) {
      v.ensureAvailable(100);
      v.putData(0, ascii("old"), 0, 3);
    }
    try (RedoJournal j = RedoJournal.open(journal())) {
      j.append(new RedoJournal.Batch(100, List.of(new RedoJournal.Entry(0, ascii("new"), 0, 3))));
    }
    Files.write(journal(), Arrays.copyOf(Files.readAllBytes(journal()), (int) Files.size(journal()) - 2));
    try (JournaledVolume v = JournaledVolume.open(store(), NO_CHECKPOINT, CACHE)) {
      assertEquals(new RedoJournal.Replay(0, RedoJournal.HEADER_BYTES + 12 + 3 + 2), v.recovered());
      assertArrayEquals(ascii("old"), read(v, 0, 3));
    }
    assertEquals(0, Files.size(journal()));
  }

  @Test
  void aJournalWithoutItsStoreFileIsRefused() throws IOException {
    try (RedoJournal j = RedoJournal.open(journal())) {
      j.append(new RedoJournal.Batch(100, List.of(new RedoJournal.Entry(0, ascii("one"), 0, 3))));
    }
    IOException e = assertThrows(IOException.class, () -> JournaledVolume.open(store(), NO_CHECKPOINT, CACHE));
    assertEquals(journal() + " holds commits of a store file that is not there; move it away with the store file it "
        + "belongs to", e.getMessage());
    assertEquals(false, Files.exists(store()));
  }

  @Test
  void aDamagedJournalIsRefusedAndLeftAsItWas() throws IOException {
    JournaledVolume.open(store(), NO_CHECKPOINT, CACHE).close();
    try (RedoJournal j = RedoJournal.open(journal())) {
      j.append(new RedoJournal.Batch(100, List.of(new RedoJournal.Entry(0, ascii("one"), 0, 3))));
      j.append(new RedoJournal.Batch(100, List.of(new RedoJournal.Entry(0, ascii("two"), 0, 3))));
    }
    byte[] journal = Files.readAllBytes(journal());
    journal[RedoJournal.HEADER_BYTES + 12] ^= 1;
    Files.write(journal(), journal);
    assertThrows(RedoJournal.JournalDamagedException.class,
        () -> JournaledVolume.open(store(), NO_CHECKPOINT, CACHE).close());
    assertArrayEquals(journal, Files.readAllBytes(journal()), "kept for whoever restores it");
    assertThrows(RedoJournal.JournalDamagedException.class,
        () -> JournaledVolume.open(store(), NO_CHECKPOINT, CACHE).close(), "refused again, not locked out");
  }
}
