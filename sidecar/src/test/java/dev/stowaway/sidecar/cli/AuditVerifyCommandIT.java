package dev.stowaway.sidecar.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stowaway.sidecar.testing.RunningSidecar;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
