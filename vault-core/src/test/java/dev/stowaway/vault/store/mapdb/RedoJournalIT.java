package dev.stowaway.vault.store.mapdb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RedoJournalIT {

  @TempDir
  Path dir;

  private Path path() {
    return dir.resolve("store.db.journal");
  }

  private static RedoJournal.Batch batch(long fileLength, long offset, String bytes) {
    byte[] data = bytes.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    return new RedoJournal.Batch(fileLength, List.of(new RedoJournal.Entry(offset, data, 0, data.length)));
  }

  /** Each replayed batch as "fileLength:offset=bytes,...". */
  private List<String> replayed(RedoJournal journal) throws IOException {
    List<String> seen = new ArrayList<>();
    journal.replay(b -> {
      StringBuilder s = new StringBuilder().append(b.fileLength()).append(':');
      for (RedoJournal.Entry e : b.entries()) {
        s.append(e.offset()).append('=').append(new String(Arrays.copyOfRange(e.data(), e.from(), e.from() + e.length()),
            java.nio.charset.StandardCharsets.US_ASCII)).append(',');
      }
      seen.add(s.toString());
    });
    return seen;
  }

  private void appendThree() throws IOException {
    try (RedoJournal journal = RedoJournal.open(path())) {
      journal.append(batch(100, 0, "first"));
      journal.append(new RedoJournal.Batch(200, List.of(
          new RedoJournal.Entry(10, "xxsecondxx".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 2, 6),
          new RedoJournal.Entry(150, "more".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, 4))));
      journal.append(batch(200, 40, "third"));
    }
  }

  @Test
  void appendedBatchesReplayInOrderAfterReopen() throws IOException {
    appendThree();
    try (RedoJournal journal = RedoJournal.open(path())) {
      assertEquals(List.of("100:0=first,", "200:10=second,150=more,", "200:40=third,"), replayed(journal));
      assertEquals(Files.size(path()), journal.size());
    }
  }

  @Test
  void aBatchCutAnywhereIsDiscardedAndTheOnesBeforeItReplay() throws IOException {
    appendThree();
    byte[] whole = Files.readAllBytes(path());
    int third = whole.length - (RedoJournal.HEADER_BYTES + 8 + 4 + 5 + 4);
    for (int cut = third + 1; cut < whole.length; cut++) {
      Files.write(path(), Arrays.copyOf(whole, cut));
      try (RedoJournal journal = RedoJournal.open(path())) {
        List<String> seen = replayed(journal);
        assertEquals(List.of("100:0=first,", "200:10=second,150=more,"), seen, "cut at " + cut);
        assertEquals(third, journal.size(), "the next batch goes where the torn one began");
      }
    }
  }

  @Test
  void garbageAfterTheLastBatchIsDiscarded() throws IOException {
    appendThree();
    long complete = Files.size(path());
    try (RandomAccessFile f = new RandomAccessFile(path().toFile(), "rw")) {
      f.seek(complete);
      for (int i = 0; i < 700; i++) {
        f.write(i * 31 + 7);
      }
    }
    try (RedoJournal journal = RedoJournal.open(path())) {
      assertEquals(3, replayed(journal).size());
      assertEquals(complete, journal.size());
    }
  }

  @Test
  void aBatchAppendedAfterATornOneReplaysAfterTheOthers() throws IOException {
    appendThree();
    Files.write(path(), Arrays.copyOf(Files.readAllBytes(path()), (int) Files.size(path()) - 3));
    try (RedoJournal journal = RedoJournal.open(path())) {
      replayed(journal);
      journal.append(batch(300, 0, "fourth"));
    }
    try (RedoJournal journal = RedoJournal.open(path())) {
      assertEquals(List.of("100:0=first,", "200:10=second,150=more,", "300:0=fourth,"), replayed(journal));
    }
  }

  @Test
  void aDamagedBatchThatCompleteOnesFollowIsRefused() throws IOException {
    appendThree();
    try (RandomAccessFile f = new RandomAccessFile(path().toFile(), "rw")) {
      f.seek(RedoJournal.HEADER_BYTES + 12); // inside the first batch's bytes
      f.write('F');
    }
    try (RedoJournal journal = RedoJournal.open(path())) {
      RedoJournal.JournalDamagedException e = assertThrows(RedoJournal.JournalDamagedException.class,
          () -> replayed(journal));
      assertEquals("the store journal " + path() + " is damaged at byte 0, and a complete commit follows at byte "
          + (RedoJournal.HEADER_BYTES + 12 + 5 + 4), e.getMessage());
    }
  }

  @Test
  void anOlderBatchBehindTheLastIsNotReplayed() throws IOException {
    appendThree();
    byte[] whole = Files.readAllBytes(path());
    int first = RedoJournal.HEADER_BYTES + 12 + 5 + 4;
    // the first batch again (sequence 1) after the third (sequence 3), as a stale tail would leave it
    byte[] stale = Arrays.copyOf(whole, whole.length + first);
    System.arraycopy(whole, 0, stale, whole.length, first);
    Files.write(path(), stale);
    try (RedoJournal journal = RedoJournal.open(path())) {
      assertEquals(3, replayed(journal).size());
    }
  }

  @Test
  void resetEmptiesTheFile() throws IOException {
    appendThree();
    try (RedoJournal journal = RedoJournal.open(path())) {
      replayed(journal);
      journal.reset();
      assertEquals(0, journal.size());
    }
    assertEquals(0, Files.size(path()));
  }

  @Test
  void aCreatedJournalIsEmpty() throws IOException {
    try (RedoJournal journal = RedoJournal.open(path())) {
      assertTrue(replayed(journal).isEmpty());
      assertArrayEquals(new byte[0], Files.readAllBytes(path()));
    }
  }
}
