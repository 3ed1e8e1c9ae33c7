package dev.stowaway.vault.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stowaway.vault.kms.RootKeyMismatchException;
import dev.stowaway.vault.testing.MutableClock;
import dev.stowaway.vault.testing.TestVaults;
import dev.stowaway.vault.testing.Unwritable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditLogIT {

  private final MutableClock clock = MutableClock.at("2026-11-30T10:00:00Z");
  private final ObjectMapper json = new ObjectMapper();
  @TempDir Path dir;

  @Test
  void appendedRecordsAreChainedAndVerify() throws IOException {
    try (AuditLog log = AuditLogs.open(dir, clock, AuditLog.Settings.defaults())) {
      assertEquals(1, log.append(AuditLogs.event(1)));
      assertEquals(2, log.append(AuditLogs.event(2)));
    }
    List<String> lines = Files.readAllLines(AuditLogs.recordFiles(dir).get(0));
    assertEquals(2, lines.size());
    JsonNode first = json.readTree(lines.get(0));
    assertEquals("0".repeat(64), first.path("prev").asText());
    assertEquals("prod/db-1", first.path("event").path("requestParameters").path("secretId").asText());
    assertEquals(2, json.readTree(lines.get(1)).path("seq").asLong());
    AuditVerifier.Report report = AuditVerifier.verify(dir, null);
    assertEquals(List.of(), report.problems());
    assertEquals(2, report.records());
  }

  @Test
  void reopeningCarriesTheChainOn() throws IOException {
    AuditLogs.write(dir, clock, 3, 1 << 20);
    try (AuditLog log = AuditLogs.open(dir, clock, AuditLog.Settings.defaults())) {
      assertEquals(4, log.append(AuditLogs.event(4)));
    }
    AuditVerifier.Report report = AuditVerifier.verify(dir, null);
    assertEquals(List.of(), report.problems());
    assertEquals(4, report.records());
  }

  @Test
  void filesRollBySizeAndEachRollIsDigested() throws IOException {
    AuditLogs.write(dir, clock, 40, 2_000);
    List<Path> files = AuditLogs.recordFiles(dir);
    assertTrue(files.size() >= 4, "files: " + files);
    for (Path file : files) {
      assertTrue(Files.size(file) <= 2_000, file + " is " + Files.size(file) + " bytes");
    }
    // One digest at start, one per roll, one at close.
    assertEquals(1 + (files.size() - 1) + 1, AuditLogs.digestFiles(dir).size());
    assertEquals(List.of(), AuditVerifier.verify(dir, null).problems());
  }

  @Test
  void filesRollByAge() throws IOException {
    try (AuditLog log = AuditLogs.open(dir, clock, AuditLog.Settings.defaults())) {
      log.append(AuditLogs.event(1));
      for (int i = 0; i < 13; i++) { // 65 minutes, a digest every five as a running log writes them
        clock.advance(Duration.ofMinutes(5));
        log.awaitDueDigest();
      }
      log.append(AuditLogs.event(2));
    }
    assertEquals(2, AuditLogs.recordFiles(dir).size());
    assertEquals(List.of(), AuditVerifier.verify(dir, null).problems());
  }

  @Test
  void aDigestIsSignedWhenTheIntervalPasses() throws Exception {
    try (AuditLog log = AuditLogs.open(dir, clock, AuditLog.Settings.defaults())) {
      log.append(AuditLogs.event(1));
      int before = AuditLogs.digestFiles(dir).size();
      clock.advance(Duration.ofMinutes(5));
      // The writer looks at the clock at least once a second; a record wakes it at once.
      log.append(AuditLogs.event(2));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (AuditLogs.digestFiles(dir).size() == before && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      assertEquals(before + 1, AuditLogs.digestFiles(dir).size());
    }
  }

  @Test
  void anUnfinishedLastLineIsCutOffOnOpen() throws IOException {
    AuditLogs.write(dir, clock, 2, 1 << 20);
    Path file = AuditLogs.recordFiles(dir).get(0);
    // A crash after the write began but before the sync that would have acknowledged it.
    Files.writeString(file, "{\"seq\":3,\"prev\":\"ab", StandardOpenOption.APPEND);
    try (AuditLog log = AuditLogs.open(dir, clock, AuditLog.Settings.defaults())) {
      assertEquals(3, log.append(AuditLogs.event(3)));
    }
    assertEquals(List.of(), AuditVerifier.verify(dir, null).problems());
  }

  @Test
  void garbageAtTheEndIsDamageNotATornWriteAndStopsTheLogFromOpening() throws IOException {
    AuditLogs.write(dir, clock, 2, 1 << 20);
    Path file = AuditLogs.recordFiles(dir).get(0);
    byte[] bytes = Files.readAllBytes(file);
    for (int i = bytes.length - 30; i < bytes.length; i++) {
      bytes[i] = (byte) (i * 31 + 7); // a scrambled sector over the end of an acknowledged record
    }
    Files.write(file, bytes);
    AuditLogDamagedException e = assertThrows(AuditLogDamagedException.class,
        () -> AuditLogs.open(dir, clock, AuditLog.Settings.defaults()));
    assertTrue(e.getMessage().contains("ends in bytes that are not part of a record"), e.getMessage());
    assertEquals(bytes.length, Files.size(file), "nothing is cut off");
  }

  @Test
  void aDamagedNewestFileStopsTheLogFromOpening() throws IOException {
    AuditLogs.write(dir, clock, 2, 1 << 20);
    Path file = AuditLogs.recordFiles(dir).get(0);
    Files.writeString(file, "not a record\n", StandardOpenOption.APPEND);
    AuditLogDamagedException e = assertThrows(AuditLogDamagedException.class,
        () -> AuditLogs.open(dir, clock, AuditLog.Settings.defaults()));
    assertTrue(e.getMessage().contains(file.getFileName() + " line 3 is not an audit record"), e.getMessage());
  }

  @Test
  void aDifferentRootKeyCannotOpenTheSigningKey() throws IOException {
    AuditLogs.write(dir, clock, 1, 1 << 20);
    RootKeyMismatchException e = assertThrows(RootKeyMismatchException.class, () -> AuditLog.open(dir,
        TestVaults.rootKey(8), clock, TestVaults.seededRandom(1), AuditLog.Settings.defaults()));
    assertTrue(e.getMessage().contains("stowaway:audit-signing-key"), e.getMessage());
  }

  @Test
  void concurrentAppendsShareSyncsAndKeepOneChain() throws Exception {
    List<Integer> batchSizes = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try (AuditLog log = AuditLogs.open(dir, clock, AuditLog.Settings.defaults())) {
      log.observe(new AuditLog.Observer() {
        @Override
        public void committed(int records, long nanos) {
          synchronized (batchSizes) {
            batchSizes.add(records);
          }
        }

        @Override
        public void failed(int records) {}
      });
      List<Future<Long>> results = new ArrayList<>();
      for (int i = 0; i < 400; i++) {
        int n = i;
        results.add(pool.submit(() -> log.append(AuditLogs.event(n))));
      }
      long sum = 0;
      for (Future<Long> result : results) {
        sum += result.get();
      }
      assertEquals(400L * 401 / 2, sum, "every sequence number from 1 to 400 exactly once");
    } finally {
      pool.shutdown();
    }
    assertEquals(400, batchSizes.stream().mapToInt(Integer::intValue).sum());
    assertEquals(List.of(), AuditVerifier.verify(dir, null).problems());
  }

  @Test
  void anUnwritableDirectoryFailsAppendsUntilItIsWritableAgain() throws IOException {
    try (AuditLog log = AuditLogs.open(dir, clock, AuditLog.Settings.defaults())) {
      log.append(AuditLogs.event(1));
      try (Unwritable locked = Unwritable.make(dir)) {
        AuditUnavailableException e = assertThrows(AuditUnavailableException.class, () -> log.append(AuditLogs.event(2)));
        assertEquals("the audit log cannot be written", e.getMessage());
        assertTrue(log.isFailing());
        assertThrows(AuditUnavailableException.class, log::checkWritable);
      }
      log.checkWritable();
      assertFalse(log.isFailing());
      assertEquals(2, log.append(AuditLogs.event(3)), "the refused record took no place in the chain");
    }
    AuditVerifier.Report report = AuditVerifier.verify(dir, null);
    assertEquals(List.of(), report.problems());
    assertEquals(2, report.records());
  }

  @Test
  void aDoneChangeThatCouldNotBeRecordedIsWrittenFirstOnceTheLogRecovers() throws IOException {
    try (AuditLog log = AuditLogs.open(dir, clock, AuditLog.Settings.defaults())) {
      log.append(AuditLogs.event(1));
      try (Unwritable locked = Unwritable.make(dir)) {
        assertThrows(AuditUnavailableException.class, () -> log.appendDone(AuditLogs.event(2)));
        assertThrows(AuditUnavailableException.class, () -> log.append(AuditLogs.event(3)));
      }
      assertEquals(3, log.append(AuditLogs.event(4)), "the kept record took sequence 2");
    }
    List<String> lines = Files.readAllLines(AuditLogs.recordFiles(dir).get(0));
    assertEquals(List.of("prod/db-1", "prod/db-2", "prod/db-4"), lines.stream()
        .map(l -> readTree(l).path("event").path("requestParameters").path("secretId").asText()).toList());
    assertEquals(List.of(), AuditVerifier.verify(dir, null).problems());
  }

  private JsonNode readTree(String line) {
    try {
      return json.readTree(line);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void subscribersSeeRecordsOnlyOnceTheyAreDurable() throws IOException {
    List<ObjectNode> seen = new ArrayList<>();
    try (AuditLog log = AuditLogs.open(dir, clock, AuditLog.Settings.defaults())) {
      log.subscribe(seen::add);
      log.append(AuditLogs.event(1));
      try (Unwritable locked = Unwritable.make(dir)) {
        assertThrows(AuditUnavailableException.class, () -> log.append(AuditLogs.event(2)));
      }
    }
    assertEquals(1, seen.size());
    assertEquals("prod/db-1", seen.get(0).path("requestParameters").path("secretId").asText());
  }

  @Test
  void anAuditFileRemovedUnderTheLogIsNoticedAndTheNextRecordsLandOnDisk() throws IOException {
    Path removed;
    try (AuditLog log = AuditLogs.open(dir, clock, AuditLog.Settings.defaults())) {
      log.append(AuditLogs.event(1));
      log.append(AuditLogs.event(2));
      removed = AuditLogs.recordFiles(dir).get(0);
      Files.delete(removed);
      assertEquals(4, log.append(AuditLogs.event(3)), "record 3 tells what happened");
      List<Path> files = AuditLogs.recordFiles(dir);
      assertEquals(1, files.size());
      List<String> lines = Files.readAllLines(files.get(0));
      JsonNode incident = json.readTree(lines.get(0)).path("event");
      assertEquals("AuditFileRemoved", incident.path("eventName").asText());
      assertEquals(AuditLog.INCIDENT_SOURCE, incident.path("eventSource").asText());
      assertEquals(removed.getFileName().toString(), incident.path("serviceEventDetails").path("file").asText());
      assertEquals("prod/db-3", json.readTree(lines.get(1)).path("event").path("requestParameters").path("secretId")
          .asText(), "the record is in a file at the audit path, not in the deleted inode");
    }
    AuditVerifier.Report report = AuditVerifier.verify(dir, null);
    assertEquals(AuditVerifier.Verdict.TAMPERED, report.verdict());
    String now = AuditLogs.recordFiles(dir).get(0).getFileName().toString();
    assertEquals(List.of("file " + now + " should start with record 1 but its name says 3: records 1 to 2 are missing "
        + "(a file was deleted or cut short)", "file " + removed.getFileName() + " was deleted: digest 2 covers records "
        + "1 to 2"), report.messages());
    assertEquals(List.of("record 3 (file " + now + " line 1, 2026-11-30T10:00:00Z) AuditFileRemoved: the audit file "
        + "was removed while the log was writing it (" + removed.getFileName() + ", records 1 to 2)"), report.notes());
  }

  @Test
  void anAuditFileReplacedUnderTheLogIsNoticedAndNotWrittenInto() throws IOException {
    Path replaced;
    try (AuditLog log = AuditLogs.open(dir, clock, AuditLog.Settings.defaults())) {
      log.append(AuditLogs.event(1));
      replaced = AuditLogs.recordFiles(dir).get(0);
      Path forged = dir.resolveSibling("forged.jsonl");
      Files.writeString(forged, Files.readString(replaced).replace("prod/db-1", "prod/xx-1"));
      Files.move(forged, replaced, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      long forgedSize = Files.size(replaced);
      assertEquals(3, log.append(AuditLogs.event(2)));
      assertEquals(forgedSize, Files.size(replaced), "nothing more goes into the file put in its place");
      List<Path> files = AuditLogs.recordFiles(dir);
      assertEquals(2, files.size());
      assertEquals("AuditFileReplaced", json.readTree(Files.readAllLines(files.get(1)).get(0)).path("event")
          .path("eventName").asText());
    }
    AuditVerifier.Report report = AuditVerifier.verify(dir, null);
    assertEquals(AuditVerifier.Verdict.TAMPERED, report.verdict());
    assertEquals("file " + replaced.getFileName() + " was modified within the " + Files.size(replaced)
        + " bytes digest 2 signed", report.messages().get(report.messages().size() - 1));
  }

  @Test
  void theSealedSigningKeyHoldsNoKeyBytesInTheClear() throws IOException {
    AuditLogs.write(dir, clock, 1, 1 << 20);
    byte[] sealed = Files.readAllBytes(dir.resolve(AuditFiles.SEALED_SIGNING_KEY));
    assertEquals(12 + 32 + 16, sealed.length, "nonce, key, tag");
    assertTrue(Files.readString(dir.resolve("digests").resolve("public-key.pem"), StandardCharsets.US_ASCII)
        .startsWith("-----BEGIN PUBLIC KEY-----\n"));
  }
}
