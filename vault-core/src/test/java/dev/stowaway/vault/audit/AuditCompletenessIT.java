package dev.stowaway.vault.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stowaway.vault.audit.AuditVerifier.Report;
import dev.stowaway.vault.audit.AuditVerifier.Verdict;
import dev.stowaway.vault.audit.AuditVerifier.Window;
import dev.stowaway.vault.testing.MutableClock;
import dev.stowaway.vault.testing.TestVaults;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Truncation and deletion, as issue 17 (finding 3) tried them: digests come on a cadence and end
 * with a signed final digest, so a log cut back, a digest deleted or an audit directory emptied is
 * reported (missing, truncated, empty), with and without a restart in between; a running log's
 * newest records are only "not yet covered". The clock is a fake one: nothing waits minutes.
 */
class AuditCompletenessIT {

  private static final Duration INTERVAL = Duration.ofMinutes(5);
  private static final AuditLog.Settings SETTINGS = AuditLog.Settings.defaults().withDigestInterval(INTERVAL);
  private final MutableClock clock = MutableClock.at("2026-11-30T10:00:00Z");
  private final ObjectMapper json = new ObjectMapper();
  @TempDir Path dir;
  @TempDir Path elsewhere;

  private AuditLog open() throws IOException {
    return AuditLogs.open(dir, clock, SETTINGS);
  }

  /** The sidecar runs one interval on: the digest that falls due is written. */
  private void fiveMinutesPass(AuditLog log) {
    clock.advance(INTERVAL);
    log.awaitDueDigest();
  }

  private Report verifyAt(Instant until) throws IOException {
    return AuditVerifier.verify(dir, null, Window.until(until));
  }

  private Report verifyAnHourLater() throws IOException {
    return verifyAt(clock.instant().plus(Duration.ofHours(1)));
  }

  private List<Path> digests() throws IOException {
    return AuditLogs.digestFiles(dir);
  }

  private JsonNode body(Path digest) throws IOException {
    return json.readTree(Files.readAllLines(digest, StandardCharsets.UTF_8).get(0));
  }

  private Instant time(Path digest) throws IOException {
    return Instant.parse(body(digest).path("digestTime").asText());
  }

  /** Digest 1 at start, records 1-3, digest 2 five minutes on, records 4-6, then the final digest 3. */
  private void aRunWithSixRecords() throws IOException {
    try (AuditLog log = open()) {
      for (int i = 1; i <= 3; i++) {
        log.append(AuditLogs.event(i));
      }
      fiveMinutesPass(log);
      for (int i = 4; i <= 6; i++) {
        log.append(AuditLogs.event(i));
      }
      clock.advance(Duration.ofMinutes(2));
    }
    assertEquals(3, digests().size());
  }

  /** The attack: the newest (final) digest deleted, and the log cut back to what the one before covers. */
  private void deleteTheNewestDigestAndCutTheLogBack() throws IOException {
    List<Path> digests = digests();
    Files.delete(digests.get(digests.size() - 1));
    Path file = AuditLogs.recordFiles(dir).get(0);
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    Files.writeString(file, String.join("\n", lines.subList(0, 3)) + "\n", StandardCharsets.UTF_8);
  }

  private static void assertHasNote(Report report, String start) {
    assertTrue(report.notes().stream().anyMatch(n -> n.startsWith(start)), "no note starting '" + start + "' in "
        + report.notes());
  }

  @Test
  void digestsComeOnTheCadenceEvenWhenNothingIsWritten() throws IOException {
    try (AuditLog log = open()) {
      for (int i = 0; i < 3; i++) {
        fiveMinutesPass(log);
      }
      assertEquals(4, digests().size(), "one at start, one per interval");
    }
    List<Path> digests = digests();
    assertEquals(List.of("start", "interval", "interval", "interval", "final"),
        digests.stream().map(d -> readReason(d)).toList());
    JsonNode second = body(digests.get(1));
    assertEquals(300, second.path("digestIntervalSeconds").asLong());
    assertEquals(digests.get(0).getFileName().toString(), second.path("previousDigestFile").asText());
    Report report = AuditVerifier.verify(dir, null, Window.until(clock.instant().plus(Duration.ofDays(30))));
    assertEquals(List.of(), report.problems());
    assertEquals(Verdict.INTACT, report.verdict());
  }

  private String readReason(Path digest) {
    try {
      return body(digest).path("reason").asText();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void aLogStoppedCleanlyStaysIntactLongAfter() throws IOException {
    aRunWithSixRecords();
    Report report = AuditVerifier.verify(dir, null, Window.until(clock.instant().plus(Duration.ofDays(365))));
    assertEquals(List.of(), report.problems());
    assertEquals(List.of(), report.notes());
    assertEquals(6, report.records());
    assertEquals(time(digests().get(0)), report.from(), "by default from the first digest found");
  }

  @Test
  void deletingTheNewestDigestAndCuttingTheLogBackIsTruncated() throws IOException {
    aRunWithSixRecords();
    Path key = Files.copy(dir.resolve("digests").resolve("public-key.pem"), elsewhere.resolve("key.pem"));
    Instant second = time(digests().get(1));
    deleteTheNewestDigestAndCutTheLogBack();
    Report report = AuditVerifier.verify(dir, key, Window.until(clock.instant().plus(Duration.ofHours(1))));
    assertEquals(Verdict.TRUNCATED, report.verdict());
    assertEquals(List.of("the log stops at digest 2 (" + second + ") without a final digest, and no digest follows "
        + "though the next was due by " + second.plus(Duration.ofMinutes(6)) + ": newer digests were deleted (and the "
        + "log perhaps cut back), or the sidecar stopped without signing one (a crash or kill) and has not started "
        + "since (starting it signs what is unsigned)"), report.messages());
  }

  @Test
  void deletingTheNewestDigestAndCuttingTheLogBackThenRestartingLeavesAMissingPeriod() throws IOException {
    aRunWithSixRecords();
    Instant second = time(digests().get(1));
    deleteTheNewestDigestAndCutTheLogBack();
    clock.advance(Duration.ofHours(1));
    try (AuditLog log = open()) {
      log.append(AuditLogs.event(7));
    }
    Instant restarted = time(digests().get(2));
    Report report = verifyAnHourLater();
    assertEquals(Verdict.MISSING, report.verdict());
    assertEquals(List.of("no digest from " + second + " (digest 2) to " + restarted + " (digest 3), though one is due "
        + "every 300 s: the sidecar was down without a final digest (a crash or kill), or the digests of that period "
        + "were deleted and the log cut back"), report.messages());
  }

  @Test
  void aRestartWithinOneIntervalOfTheDeletedDigestCanOnlyBeNotedAsACrash() throws IOException {
    // The limit of any cadence: what is deleted less than one interval (plus grace) before a
    // restart looks like a crash. The report says so rather than calling it clean.
    aRunWithSixRecords();
    deleteTheNewestDigestAndCutTheLogBack();
    try (AuditLog log = open()) {
      log.append(AuditLogs.event(7));
    }
    Report report = verifyAnHourLater();
    assertEquals(List.of(), report.problems());
    assertHasNote(report, "the sidecar started again at " + time(digests().get(2)) + " (digest 3) after a run that "
        + "ended without a final digest after digest 2");
  }

  @Test
  void aDigestDeletedInTheMiddleIsMissingBeforeAndAfterARestart() throws IOException {
    aRunWithSixRecords();
    Path middle = digests().get(1);
    Files.delete(middle);
    String expected = "digest 2 is missing (deleted): the next digest present is " + digests().get(1).getFileName();
    assertEquals(Verdict.MISSING, verifyAnHourLater().verdict());
    assertEquals(expected, verifyAnHourLater().messages().get(0));
    clock.advance(Duration.ofMinutes(1));
    try (AuditLog log = open()) {
      log.append(AuditLogs.event(7));
    }
    assertEquals(Verdict.MISSING, verifyAnHourLater().verdict());
    assertEquals(expected, verifyAnHourLater().messages().get(0));
  }

  @Test
  void deletingEveryAuditFileAndDigestIsEmptyNeverIntact() throws IOException {
    aRunWithSixRecords();
    Path key = Files.copy(dir.resolve("digests").resolve("public-key.pem"), elsewhere.resolve("key.pem"));
    for (Path file : AuditLogs.recordFiles(dir)) {
      Files.delete(file);
    }
    try (Stream<Path> files = Files.list(dir.resolve("digests"))) {
      for (Path file : files.toList()) {
        Files.delete(file);
      }
    }
    for (Path publicKey : new Path[] {key, null}) {
      Report report = AuditVerifier.verify(dir, publicKey, Window.until(clock.instant()));
      assertEquals(Verdict.EMPTY, report.verdict());
      assertEquals(List.of("there is no audit at all in " + dir + ": no record files and no digests (deleted, or not "
          + "the audit directory of a sidecar that ever ran)"), report.messages());
    }
  }

  @Test
  void aRestartAfterEveryFileAndDigestWasDeletedSaysTheLogWentMissing() throws IOException {
    aRunWithSixRecords();
    for (Path file : AuditLogs.recordFiles(dir)) {
      Files.delete(file);
    }
    for (Path digest : digests()) {
      Files.delete(digest);
    }
    clock.advance(Duration.ofMinutes(1));
    try (AuditLog log = AuditLog.open(dir, TestVaults.rootKey(7), clock, TestVaults.seededRandom(1), SETTINGS, true,
        (source, name, time, details) -> AuditLogs.event(0).put("eventSource", source).put("eventName", name)
            .put("eventTime", time.toString()).set("serviceEventDetails", details))) {
      assertEquals(2, log.append(AuditLogs.event(7)), "record 1 tells what was found");
    }
    Report report = verifyAnHourLater();
    assertEquals(Verdict.MISSING, report.verdict());
    assertEquals(List.of("digest 1 (" + digests().get(0).getFileName() + "): when the sidecar started at "
        + clock.instant() + " the vault already existed but its audit log did not: every earlier record and digest "
        + "was deleted"), report.messages());
    assertHasNote(report, "record 1 (file " + AuditLogs.recordFiles(dir).get(0).getFileName() + " line 1, "
        + clock.instant() + ") AuditLogMissing: the vault already existed but its audit log did not");
  }

  @Test
  void aRestartAfterEveryDigestWasDeletedSaysTheDigestsWentMissing() throws IOException {
    aRunWithSixRecords();
    for (Path digest : digests()) {
      Files.delete(digest);
    }
    assertEquals(List.of("records 1 to 6 are not covered by any signed digest: every digest was deleted"),
        verifyAnHourLater().messages());
    try (AuditLog log = open()) {
      assertEquals(8, log.append(AuditLogs.event(7)));
    }
    Report report = verifyAnHourLater();
    assertEquals(Verdict.MISSING, report.verdict());
    assertEquals("digest 1 (" + digests().get(0).getFileName() + "): when the sidecar started at " + clock.instant()
        + " it found records but no digest: every earlier digest was deleted", report.messages().get(0));
  }

  @Test
  void aLogCutWithoutTouchingTheDigestsIsTruncated() throws IOException {
    aRunWithSixRecords();
    Path file = AuditLogs.recordFiles(dir).get(0);
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    Files.writeString(file, String.join("\n", lines.subList(0, 4)) + "\n", StandardCharsets.UTF_8);
    Report report = verifyAnHourLater();
    assertEquals(Verdict.TRUNCATED, report.verdict());
    assertTrue(report.messages().get(0).startsWith("file " + file.getFileName() + " was truncated or replaced with an "
        + "older copy: digest 3 signed "), report.messages().toString());
    assertEquals(1, report.problems().size(), report.messages().toString());
  }

  @Test
  void aLogCutBelowItsNewestDigestDoesNotOpenAgain() throws IOException {
    aRunWithSixRecords();
    Path file = AuditLogs.recordFiles(dir).get(0);
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    Files.writeString(file, String.join("\n", lines.subList(0, 4)) + "\n", StandardCharsets.UTF_8);
    AuditLogDamagedException e = assertThrows(AuditLogDamagedException.class, this::open);
    assertEquals("the audit log ends at record 4 but digest 3 signed records up to 6: records were cut off the end; "
        + "run 'stowaway audit verify' to see what changed, and move the audit directory aside to start a new log",
        e.getMessage());
    assertEquals(Verdict.TRUNCATED, verifyAnHourLater().verdict(), "and nothing was signed over it");
  }

  /** A crash: the directory as a running log leaves it, copied while the log is open. */
  private Path crashAfterFiveRecords() throws IOException {
    Path crashed = elsewhere.resolve("crashed");
    try (AuditLog log = open()) {
      for (int i = 1; i <= 3; i++) {
        log.append(AuditLogs.event(i));
      }
      fiveMinutesPass(log);
      log.append(AuditLogs.event(4));
      log.append(AuditLogs.event(5));
      copy(dir, crashed);
    }
    return crashed;
  }

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> tree = Files.walk(from)) {
      for (Path source : tree.toList()) {
        Files.copy(source, to.resolve(from.relativize(source).toString()));
      }
    }
  }

  @Test
  void aLogThatStopsWithoutAFinalDigestIsTruncatedOnceTheNextDigestIsOverdue() throws IOException {
    Path crashed = crashAfterFiveRecords();
    Instant second = time(AuditLogs.digestFiles(crashed).get(1));
    Report soon = AuditVerifier.verify(crashed, null, Window.until(second.plus(Duration.ofMinutes(4))));
    assertEquals(List.of(), soon.problems());
    Report late = AuditVerifier.verify(crashed, null, Window.until(second.plus(Duration.ofMinutes(7))));
    assertEquals(Verdict.TRUNCATED, late.verdict());
    assertEquals("the log stops at digest 2 (" + second + ") without a final digest, and no digest follows though "
        + "the next was due by " + second.plus(Duration.ofMinutes(6)) + "; records 4 to 5 are not covered by any "
        + "digest: newer digests were deleted (and the log perhaps cut back), or the sidecar stopped without signing "
        + "one (a crash or kill) and has not started since (starting it signs what is unsigned)",
        late.messages().get(0));
  }

  @Test
  void aRestartSoonAfterACrashSignsWhatWasUnsignedAndNotesTheCrash() throws IOException {
    Path crashed = crashAfterFiveRecords();
    clock.advance(Duration.ofMinutes(1));
    try (AuditLog log = AuditLogs.open(crashed, clock, SETTINGS)) {
      assertEquals(6, log.append(AuditLogs.event(6)));
    }
    Report report = AuditVerifier.verify(crashed, null, Window.until(clock.instant().plus(Duration.ofDays(1))));
    assertEquals(List.of(), report.problems());
    assertEquals(6, report.records());
    assertHasNote(report, "the sidecar started again at " + clock.instant() + " (digest 3) after a run that ended "
        + "without a final digest after digest 2");
  }

  @Test
  void aLiveLogsNewestRecordsAreNotYetCoveredRatherThanTampered() throws IOException {
    try (AuditLog log = open()) {
      log.append(AuditLogs.event(1));
      fiveMinutesPass(log);
      log.append(AuditLogs.event(2));
      log.append(AuditLogs.event(3));
      Instant second = time(digests().get(1));
      Report report = verifyAt(clock.instant());
      assertEquals(List.of(), report.problems());
      assertEquals(List.of("records 2 to 3 are not yet covered by a digest: the newest, digest 2, is from " + second
          + " and the next is due by " + second.plus(Duration.ofMinutes(6)) + " (the sidecar is running, or stopped "
          + "since)"), report.notes());
    }
  }

  @Test
  void aRecordBeingWrittenAtTheEndOfALiveLogIsANote() throws IOException {
    try (AuditLog log = open()) {
      log.append(AuditLogs.event(1));
      Path file = AuditLogs.recordFiles(dir).get(0);
      Files.writeString(file, "{\"seq\":2,\"prev\":\"ab", java.nio.file.StandardOpenOption.APPEND);
      Report report = verifyAt(clock.instant());
      assertEquals(List.of(), report.problems());
      assertHasNote(report, "file " + file.getFileName() + " line 2 is incomplete: a record being written");
    }
  }

  @Test
  void aFrozenWriterLeavesAMissingPeriodThatAWindowAfterItDoesNotInclude() throws IOException {
    Instant afterGap;
    try (AuditLog log = open()) {
      log.append(AuditLogs.event(1));
      fiveMinutesPass(log);
      clock.advance(Duration.ofMinutes(30)); // no digest for half an hour, as if the writer had stalled
      log.awaitDueDigest();
      afterGap = clock.instant();
      fiveMinutesPass(log);
    }
    Instant until = clock.instant().plus(Duration.ofHours(1));
    Report whole = AuditVerifier.verify(dir, null, Window.until(until));
    assertEquals(Verdict.MISSING, whole.verdict());
    assertEquals(List.of("no digest from " + afterGap.minus(Duration.ofMinutes(30)) + " (digest 2) to " + afterGap
        + " (digest 3), though one is due every 300 s: digests of that period were deleted, or the sidecar could not "
        + "write them"), whole.messages());
    Report later = AuditVerifier.verify(dir, null, new Window(afterGap.plusSeconds(1), until));
    assertEquals(List.of(), later.problems());
    assertEquals(afterGap.plusSeconds(1), later.from());
  }

  @Test
  void digestsOfTheEarlierFormatStillVerifyAndSayWhatCannotBeChecked() throws IOException {
    aRunWithSixRecords();
    rewriteAsVersionOne();
    Report report = verifyAnHourLater();
    assertEquals(List.of(), report.problems());
    assertEquals(List.of("digests up to 3 come from an earlier version that recorded neither their cadence nor a "
        + "clean stop: periods without a digest and a log cut short after digest 3 cannot be told apart from a quiet "
        + "or crashed sidecar"), report.notes());

    clock.advance(Duration.ofMinutes(1));
    try (AuditLog log = open()) {
      log.append(AuditLogs.event(7));
    }
    assertEquals("earlier-version", body(digests().get(3)).path("startedAfter").asText());
    Report upgraded = verifyAnHourLater();
    assertEquals(List.of(), upgraded.problems());
    assertEquals(List.of(), upgraded.notes(), "the newest digests are of the new format");
  }

  /** What the previous version wrote: no reason, cadence or previous file, digestVersion 1, re-signed. */
  private void rewriteAsVersionOne() throws IOException {
    AuditSigningKey key = AuditSigningKey.loadOrCreate(dir, TestVaults.rootKey(7), TestVaults.seededRandom(1));
    String previousSignature = null;
    for (Path digest : digests()) {
      ObjectNode body = (ObjectNode) body(digest);
      body.remove(List.of("reason", "digestIntervalSeconds", "startedAfter", "previousDigestFile"));
      body.put("digestVersion", 1);
      if (previousSignature != null) {
        body.put("previousDigestSignature", previousSignature);
      }
      byte[] bytes = json.writeValueAsBytes(body);
      previousSignature = Base64.getEncoder().encodeToString(key.sign(bytes));
      Files.writeString(digest, new String(bytes, StandardCharsets.UTF_8) + "\n" + previousSignature + "\n");
    }
  }
}
