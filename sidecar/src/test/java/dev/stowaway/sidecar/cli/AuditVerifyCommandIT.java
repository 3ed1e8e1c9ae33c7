package dev.stowaway.sidecar.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stowaway.sidecar.testing.AuditRecords;
import dev.stowaway.sidecar.testing.RunningSidecar;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/** {@code stowaway audit verify}: what it prints and how it exits, on an intact log and a tampered one. */
class AuditVerifyCommandIT {

  @TempDir Path dataDir;
  @TempDir Path otherDataDir;

  private record Result(int exit, String out, String err) {}

  private Result verify(String... extra) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    String[] args = Stream.concat(Stream.of("audit", "verify", "--data-dir", dataDir.toString()), Stream.of(extra))
        .toArray(String[]::new);
    int exit = Stowaway.run(args, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private void someTraffic() {
    someTraffic(dataDir);
  }

  private static void someTraffic(Path dataDir) {
    try (RunningSidecar sidecar = RunningSidecar.in(dataDir); SecretsManagerClient client = sidecar.client()) {
      client.createSecret(r -> r.name("prod/db").secretString("v1"));
      for (int i = 0; i < 5; i++) {
        client.getSecretValue(r -> r.secretId("prod/db"));
      }
    }
  }

  @Test
  void anIntactLogIsReportedWithWhatWasChecked() {
    someTraffic();
    Result result = verify();
    assertEquals(0, result.exit(), result.out() + result.err());
    assertTrue(result.out().contains("stowaway: verifying the audit log in " + dataDir.resolve("audit")), result.out());
    assertTrue(result.out().contains("stowaway: intact: verified 6 records in 1 files and 2 signed digests"),
        result.out());
    assertTrue(result.out().matches("(?s).*SHA-256 fingerprint [0-9a-f]{64}\\n.*"), result.out());
  }

  @Test
  void aTamperedRecordFailsAndIsNamed() throws IOException {
    someTraffic();
    Path file;
    try (Stream<Path> files = Files.list(dataDir.resolve("audit"))) {
      file = files.filter(f -> f.getFileName().toString().endsWith(".jsonl")).findFirst().orElseThrow();
    }
    List<String> lines = Files.readAllLines(file);
    lines.set(2, lines.get(2).replace("\"GetSecretValue\"", "\"GetSecretValuf\""));
    Files.write(file, lines);
    Result result = verify();
    assertEquals(1, result.exit());
    assertTrue(result.out().contains("stowaway: TAMPERED: record 3 (just before file " + file.getFileName()
        + " line 4) was modified"), result.out());
  }

  @Test
  void everyStreamGivenIsCheckedAndOneTamperedStreamFailsTheWhole() throws IOException {
    someTraffic(dataDir);
    someTraffic(otherDataDir);
    Result intact = verify("--data-dir", otherDataDir.toString());
    assertEquals(0, intact.exit(), intact.out() + intact.err());
    assertTrue(intact.out().contains("verifying the audit log in " + otherDataDir.resolve("audit")), intact.out());
    assertTrue(intact.out().contains("stowaway: all 2 audit streams are intact"), intact.out());

    Path file;
    try (Stream<Path> files = Files.list(otherDataDir.resolve("audit"))) {
      file = files.filter(f -> f.getFileName().toString().endsWith(".jsonl")).findFirst().orElseThrow();
    }
    List<String> lines = Files.readAllLines(file);
    lines.remove(3);
    Files.write(file, lines);
    Result tampered = verify("--data-dir", otherDataDir.toString());
    assertEquals(1, tampered.exit());
    assertTrue(tampered.out().contains("stowaway: intact: verified 6 records"), tampered.out());
    assertTrue(tampered.out().contains("stowaway: TAMPERED:"), tampered.out());
    assertTrue(tampered.out().contains("stowaway: at least one of the 2 audit streams is not intact"), tampered.out());
  }

  private void readsAfterARestart() {
    try (RunningSidecar sidecar = RunningSidecar.in(dataDir); SecretsManagerClient client = sidecar.client()) {
      for (int i = 0; i < 6; i++) {
        client.getSecretValue(r -> r.secretId("prod/db"));
      }
    }
  }

  private List<Path> recordFiles() throws IOException {
    try (Stream<Path> files = Files.list(dataDir.resolve("audit"))) {
      return files.filter(f -> f.getFileName().toString().endsWith(".jsonl")).sorted().toList();
    }
  }

  private List<Path> digestFiles() throws IOException {
    try (Stream<Path> files = Files.list(dataDir.resolve("audit").resolve("digests"))) {
      return files.filter(f -> f.getFileName().toString().startsWith("digest-")).sorted().toList();
    }
  }

  private static String digestTime(Path digest) throws IOException {
    return new com.fasterxml.jackson.databind.ObjectMapper().readTree(Files.readAllLines(digest).get(0))
        .path("digestTime").asText();
  }

  private static String anHourFromNow() {
    return Instant.now().plus(Duration.ofHours(1)).toString();
  }

  @Test
  void theNewestDigestDeletedAndTheLogCutBackIsTruncatedEvenWithAKeptPublicKey(@TempDir Path safe) throws IOException {
    someTraffic();
    readsAfterARestart(); // digests 1 and 2 (final) for the first run, 3 and 4 (final) for the second
    Path key = Files.copy(dataDir.resolve("audit/digests/public-key.pem"), safe.resolve("key.pem"));
    List<Path> digests = digestFiles();
    assertEquals(4, digests.size());
    Files.delete(digests.get(3));
    Path file = recordFiles().get(0);
    Files.write(file, Files.readAllLines(file).subList(0, 6));
    Result result = verify("--public-key", key.toString(), "--until", anHourFromNow());
    assertEquals(1, result.exit(), result.out() + result.err());
    assertTrue(result.out().contains("stowaway: TRUNCATED: the log stops at digest 3 (" + digestTime(digests.get(2))
        + ") without a final digest, and no digest follows though the next was due by "), result.out());
  }

  @Test
  void deletingEveryAuditFileAndDigestIsEmptyNotIntact() throws IOException {
    someTraffic();
    for (Path file : recordFiles()) {
      Files.delete(file);
    }
    for (Path digest : digestFiles()) {
      Files.delete(digest);
    }
    Result result = verify();
    assertEquals(1, result.exit(), result.out() + result.err());
    assertTrue(result.out().contains("stowaway: EMPTY: there is no audit at all in " + dataDir.resolve("audit")
        + ": no record files and no digests"), result.out());
    assertFalse(result.out().contains("intact"), result.out());
  }

  @Test
  void aRestartAfterEveryAuditFileAndDigestWasDeletedSaysTheLogWentMissing() throws IOException {
    someTraffic();
    for (Path file : recordFiles()) {
      Files.delete(file);
    }
    for (Path digest : digestFiles()) {
      Files.delete(digest);
    }
    readsAfterARestart();
    Result result = verify();
    assertEquals(1, result.exit(), result.out() + result.err());
    assertTrue(result.out().contains("stowaway: MISSING: digest 1 (" + digestFiles().get(0).getFileName()
        + "): when the sidecar started at " + digestTime(digestFiles().get(0)) + " the vault already existed but its "
        + "audit log did not: every earlier record and digest was deleted"), result.out());
    assertTrue(result.out().contains(") AuditLogMissing: the vault already existed but its audit log did not"),
        result.out());
  }

  @Test
  void aRunningSidecarsNewestRecordsAreNotYetCoveredRatherThanTampered() {
    try (RunningSidecar sidecar = RunningSidecar.in(dataDir); SecretsManagerClient client = sidecar.client()) {
      client.createSecret(r -> r.name("prod/db").secretString("v1"));
      client.getSecretValue(r -> r.secretId("prod/db"));
      Result result = verify();
      assertEquals(0, result.exit(), result.out() + result.err());
      assertTrue(result.out().contains("stowaway: intact: verified 2 records in 1 files and 1 signed digests"),
          result.out());
      assertTrue(result.out().contains("stowaway:   note: records 1 to 2 are not yet covered by a digest: the newest, "
          + "digest 1, is from "), result.out());
    }
  }

  @Test
  void fromAndUntilTakeInstants() {
    Result bad = verify("--from", "yesterday");
    assertEquals(2, bad.exit());
    assertEquals("stowaway: --from must be an ISO-8601 instant such as 2026-11-30T10:00:00Z, got 'yesterday'\n",
        bad.err());
    Result backwards = verify("--from", "2026-11-30T10:00:00Z", "--until", "2026-11-30T09:00:00Z");
    assertEquals(2, backwards.exit());
    assertEquals("stowaway: --from 2026-11-30T10:00:00Z is after --until 2026-11-30T09:00:00Z\n", backwards.err());
  }

  @Test
  void anAuditFileRemovedUnderARunningSidecarIsRecordedAndVerifyTellsTheStory() throws IOException {
    String requestId;
    Path removed;
    try (RunningSidecar sidecar = RunningSidecar.in(dataDir); SecretsManagerClient client = sidecar.client()) {
      client.createSecret(r -> r.name("prod/db").secretString("v1"));
      removed = recordFiles().get(0);
      Files.delete(removed);
      requestId = client.getSecretValue(r -> r.secretId("prod/db")).responseMetadata().requestId();
      List<JsonNode> records = AuditRecords.in(dataDir);
      assertEquals(List.of("AuditFileRemoved", "GetSecretValue"), records.stream()
          .map(r -> r.path("eventName").asText()).toList(), "both in a file at the audit path");
      JsonNode incident = records.get(0);
      assertEquals("AwsServiceEvent", incident.path("eventType").asText());
      assertEquals("stowaway.audit", incident.path("eventSource").asText());
      assertEquals(removed.getFileName().toString(), incident.path("serviceEventDetails").path("file").asText());
      assertEquals(requestId, records.get(1).path("requestID").asText());
    }
    Result result = verify();
    assertEquals(1, result.exit(), result.out() + result.err());
    Path now = recordFiles().get(0);
    assertTrue(result.out().contains("stowaway: TAMPERED: file " + now.getFileName() + " should start with record 1 "
        + "but its name says 2: records 1 to 1 are missing (a file was deleted or cut short)\n"
        + "stowaway:   also TAMPERED: file " + removed.getFileName() + " was deleted: digest 2 covers records 1 to 1\n"
        + "stowaway:   note: record 2 (file " + now.getFileName() + " line 1, "), result.out());
    assertTrue(result.out().contains(") AuditFileRemoved: the audit file was removed while the log was writing it ("
        + removed.getFileName() + ", records 1 to 1)"), result.out());
  }

  @Test
  void anAuditFileReplacedUnderARunningSidecarIsNotWrittenIntoAndIsRecorded() throws IOException {
    Path replaced;
    long size;
    try (RunningSidecar sidecar = RunningSidecar.in(dataDir); SecretsManagerClient client = sidecar.client()) {
      client.createSecret(r -> r.name("prod/db").secretString("v1"));
      replaced = recordFiles().get(0);
      Path copy = Files.copy(replaced, replaced.resolveSibling("copy"));
      Files.move(copy, replaced, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      size = Files.size(replaced);
      client.getSecretValue(r -> r.secretId("prod/db"));
      assertEquals(size, Files.size(replaced), "the file put in its place is not written into");
      assertEquals(List.of("CreateSecret", "AuditFileReplaced", "GetSecretValue"), AuditRecords.in(dataDir).stream()
          .map(r -> r.path("eventName").asText()).toList());
    }
    Result result = verify();
    assertEquals(0, result.exit(), "an identical copy lost nothing: " + result.out());
    assertTrue(result.out().contains(") AuditFileReplaced: the audit file was replaced with another file while the log "
        + "was writing it (" + replaced.getFileName() + ", records 1 to 1)"), result.out());
  }

  @Test
  void aPublicKeyGoesWithOneStreamOnly() {
    Result result = verify("--data-dir", otherDataDir.toString(), "--public-key", "k.pem");
    assertEquals(2, result.exit());
    assertTrue(result.err().contains("--public-key checks one stream: give one --data-dir with it"), result.err());
  }

  @Test
  void aMissingDirectoryIsAUsageError() {
    Result result = verify("--data-dir", dataDir.resolve("nope").toString());
    assertEquals(2, result.exit());
    assertTrue(result.err().contains(dataDir.resolve("nope") + " a Stowaway data directory?"), result.err());
  }
}
