package dev.stowaway.vault.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stowaway.vault.testing.MutableClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each kind of tampering the issue names is caught, and the report says where. */
class AuditVerifierIT {

  private final MutableClock clock = MutableClock.at("2026-11-30T10:00:00Z");
  @TempDir Path dir;
  private List<Path> files;

  @BeforeEach
  void writeALog() throws IOException {
    AuditLogs.write(dir, clock, 40, 2_000);
    files = AuditLogs.recordFiles(dir);
    assertTrue(files.size() >= 4);
  }

  private String firstProblem() throws IOException {
    AuditVerifier.Report report = AuditVerifier.verify(dir, null);
    assertFalse(report.intact(), "tampering went unnoticed");
    return report.messages().get(0);
  }

  private static List<String> lines(Path file) throws IOException {
    return new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
  }

  private static void write(Path file, List<String> lines) throws IOException {
    Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
  }

  private String name(int file) {
    return files.get(file).getFileName().toString();
  }

  @Test
  void anUntouchedLogVerifies() throws IOException {
    AuditVerifier.Report report = AuditVerifier.verify(dir, null);
    assertEquals(List.of(), report.problems());
    assertEquals(40, report.records());
    assertEquals(files.size(), report.files());
    assertEquals(64, report.fingerprint().length());
  }

  @Test
  void oneEditedByteIsFoundInItsRecord() throws IOException {
    Path file = files.get(1);
    List<String> lines = lines(file);
    lines.set(1, lines.get(1).replace("prod/db-", "prod/dc-"));
    write(file, lines);
    assertEquals("record " + (firstSequence(1) + 1) + " (just before file " + name(1) + " line 3) was modified: its "
        + "hash does not match the link record " + (firstSequence(1) + 2) + " carries", firstProblem());
  }

  @Test
  void anEditedLastRecordIsFoundByTheDigest() throws IOException {
    Path file = files.get(files.size() - 1);
    List<String> lines = lines(file);
    int last = lines.size() - 1;
    lines.set(last, lines.get(last).replace("prod/db-40", "prod/db-41"));
    write(file, lines);
    assertEquals("file " + name(files.size() - 1) + " line " + (last + 1) + " (record 40) was modified after digest "
        + AuditLogs.digestFiles(dir).size() + " signed it", firstProblem());
  }

  @Test
  void aDeletedLineIsFound() throws IOException {
    Path file = files.get(1);
    List<String> lines = lines(file);
    lines.remove(2);
    write(file, lines);
    long missing = firstSequence(1) + 2;
    assertEquals("file " + name(1) + " line 3 holds record " + (missing + 1) + " where record " + missing
        + " belongs: record " + missing + " was deleted", firstProblem());
  }

  @Test
  void swappedLinesAreFound() throws IOException {
    Path file = files.get(1);
    List<String> lines = lines(file);
    String second = lines.get(1);
    lines.set(1, lines.get(2));
    lines.set(2, second);
    write(file, lines);
    long expected = firstSequence(1) + 1;
    assertEquals("file " + name(1) + " line 2 holds record " + (expected + 1) + " where record " + expected
        + " belongs: records were reordered (record " + expected + " comes later, at line 3)", firstProblem());
  }

  @Test
  void anInsertedCopyOfALineIsFound() throws IOException {
    Path file = files.get(1);
    List<String> lines = lines(file);
    lines.add(2, lines.get(0));
    write(file, lines);
    assertEquals("file " + name(1) + " line 3 holds record " + firstSequence(1) + " where record "
        + (firstSequence(1) + 2) + " belongs: a record was inserted or repeated", firstProblem());
  }

  @Test
  void aFileTruncatedMidRecordIsFound() throws IOException {
    Path file = files.get(1);
    byte[] content = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(content, content.length - 10));
    String problem = firstProblem();
    assertTrue(problem.startsWith("file " + name(1) + " line ") && problem.contains(" is incomplete: the file was "
        + "truncated in the middle of record"), problem);
  }

  @Test
  void aFileTruncatedAtARecordBoundaryIsFound() throws IOException {
    Path file = files.get(1);
    List<String> lines = lines(file);
    int kept = lines.size() - 2;
    write(file, lines.subList(0, kept));
    long next = firstSequence(1) + kept;
    assertEquals("file " + name(2) + " should start with record " + next + " but its name says " + firstSequence(2)
        + ": records " + next + " to " + (firstSequence(2) - 1) + " are missing (a file was deleted or cut short)",
        firstProblem());
  }

  @Test
  void aDeletedFileIsFound() throws IOException {
    Files.delete(files.get(2));
    assertTrue(firstProblem().startsWith("file " + name(3) + " should start with record " + firstSequence(2)));
    AuditVerifier.Report report = AuditVerifier.verify(dir, null);
    assertTrue(report.messages().contains("file " + name(2) + " was deleted: digest " + digestCovering(name(2))
        + " covers records " + firstSequence(2) + " to " + (firstSequence(3) - 1)), report.problems().toString());
  }

  @Test
  void aFileReplacedWithAnOlderCopyIsFound() throws IOException {
    Path last = files.get(files.size() - 1);
    Path older = dir.resolveSibling("older.jsonl");
    List<String> lines = lines(last);
    write(older, lines.subList(0, 1));
    Files.move(older, last, StandardCopyOption.REPLACE_EXISTING);
    String expected = "file " + name(files.size() - 1) + " was truncated or replaced with an older copy: digest "
        + digestCovering(name(files.size() - 1)) + " signed " + (String.join("\n", lines).length() + 1)
        + " bytes, it now holds " + (lines.get(0).length() + 1);
    AuditVerifier.Report report = AuditVerifier.verify(dir, null);
    assertTrue(report.messages().contains(expected), report.problems().toString());
  }

  @Test
  void aRemovedDigestInTheMiddleIsFound() throws IOException {
    List<Path> digests = AuditLogs.digestFiles(dir);
    Files.delete(digests.get(2));
    assertEquals("digest 3 is missing (deleted): the next digest present is " + digests.get(3).getFileName(),
        firstProblem());
  }

  @Test
  void aRemovedNewestDigestLeavesRecordsUncovered() throws IOException {
    List<Path> digests = AuditLogs.digestFiles(dir);
    Files.delete(digests.get(digests.size() - 1));
    AuditVerifier.Report report = AuditVerifier.verify(dir, null);
    assertEquals(AuditVerifier.Verdict.TRUNCATED, report.verdict());
    assertTrue(firstProblem().endsWith("records 33 to 40 are not covered by any digest: newer digests were deleted (and "
        + "the log perhaps cut back), or the sidecar stopped without signing one (a crash or kill) and has not started "
        + "since (starting it signs what is unsigned)"), firstProblem());
  }

  @Test
  void anEditedDigestFailsItsSignature() throws IOException {
    Path digest = AuditLogs.digestFiles(dir).get(1);
    Files.writeString(digest, Files.readString(digest).replace("\"lastSequence\":", "\"lastSequence\":1"));
    assertEquals("digest " + digest.getFileName() + " was modified: its signature does not verify with the public key",
        firstProblem());
  }

  @Test
  void aDigestReplacedWithAnOlderOneIsFound() throws IOException {
    List<Path> digests = AuditLogs.digestFiles(dir);
    Files.copy(digests.get(1), digests.get(2), StandardCopyOption.REPLACE_EXISTING);
    assertEquals("digest " + digests.get(2).getFileName() + " holds digest 2: a digest file was replaced with another",
        firstProblem());
  }

  @Test
  void aForeignPublicKeyVerifiesNothing() throws IOException {
    Path other = dir.resolveSibling(dir.getFileName() + "-other");
    AuditLog.open(other, dev.stowaway.vault.testing.TestVaults.rootKey(7), clock,
        dev.stowaway.vault.testing.TestVaults.seededRandom(2), AuditLog.Settings.defaults()).close();
    Path pem = other.resolve("digests").resolve("public-key.pem");
    AuditVerifier.Report report = AuditVerifier.verify(dir, pem);
    assertTrue(report.messages().get(0).endsWith("was modified: its signature does not verify with the public key"));
  }

  private long firstSequence(int file) {
    return AuditFiles.firstSequence(name(file));
  }

  private long digestCovering(String file) throws IOException {
    long number = 0;
    for (Path digest : AuditLogs.digestFiles(dir)) {
      if (Files.readString(digest).contains("\"name\":\"" + file + "\"")) {
        number = AuditFiles.digestNumber(digest.getFileName().toString());
      }
    }
    return number;
  }
}
