package dev.stowaway.sidecar.cli;

import static dev.stowaway.sidecar.testing.ByteSearch.indexOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stowaway.sidecar.testing.RunningSidecar;
import dev.stowaway.sidecar.testing.SignedHttp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AccessKey;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.SecretVersionsListEntry;

/** {@code stowaway backup} from a serving sidecar and {@code stowaway restore} into a new data directory. */
class BackupRestoreCommandIT {

  @TempDir Path source;
  @TempDir Path target;
  @TempDir Path elsewhere;

  private record Result(int exit, String out, String err) {}

  private static Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = Stowaway.run(args, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private Path backupOfASidecarUnderWriteLoad() throws Exception {
    Path backup = elsewhere.resolve("vault.backup");
    try (RunningSidecar sidecar = RunningSidecar.in(source); SecretsManagerClient sm = sidecar.client()) {
      sm.createSecret(r -> r.name("prod/db").secretString("backup-plaintext-0"));
      sm.createSecret(r -> r.name("prod/api").secretString("api-plaintext"));
      AtomicBoolean go = new AtomicBoolean(true);
      Thread writer = new Thread(() -> {
        for (int i = 1; go.get() && i < 60; i++) {
          int n = i;
          sm.putSecretValue(r -> r.secretId("prod/db").secretString("backup-plaintext-" + n));
        }
      });
      writer.start();
      Result made = run("backup", "--out", backup.toString(), "--endpoint", sidecar.endpoint().toString(),
          "--data-dir", source.toString());
      go.set(false);
      writer.join();
      assertEquals(0, made.exit(), made.out() + made.err());
      assertTrue(made.out().contains("stowaway: wrote " + backup), made.out());
      assertTrue(made.out().contains("2 secrets"), made.out());
      assertTrue(made.out().contains("it is sealed under this vault's root key"), made.out());
    }
    Files.copy(source.resolve("root.key"), target.resolve("root.key"));
    return backup;
  }

  @Test
  void aBackupTakenWhileServingRestoresIntoAWorkingVault() throws Exception {
    Path backup = backupOfASidecarUnderWriteLoad();
    byte[] bytes = Files.readAllBytes(backup);
    for (String plain : List.of("backup-plaintext-", "api-plaintext", "prod/db", "admin")) {
      assertEquals(-1, indexOf(bytes, plain.getBytes(StandardCharsets.UTF_8)), plain + " is in the backup file");
    }

    Result restored = run("restore", "--from", backup.toString(), "--data-dir", target.toString());
    assertEquals(0, restored.exit(), restored.out() + restored.err());
    assertTrue(restored.out().contains("stowaway: restored: every count matches the backup, and 2 sampled secret(s) "
        + "decrypt the same"), restored.out());
    try (var files = Files.list(target)) {
      assertTrue(files.noneMatch(f -> f.getFileName().toString().startsWith(".restore-")), "scratch file left");
    }

    Files.copy(source.resolve("admin-credentials"), target.resolve("admin-credentials"));
    try (RunningSidecar restoredSidecar = RunningSidecar.in(target); SecretsManagerClient sm = restoredSidecar.client()) {
      assertEquals("api-plaintext", sm.getSecretValue(r -> r.secretId("prod/api")).secretString());
      // A consistent snapshot: whatever puts it caught, one AWSCURRENT, and every version opens.
      List<SecretVersionsListEntry> versions = sm.listSecretVersionIds(r -> r.secretId("prod/db")
          .includeDeprecated(true)).versions();
      assertEquals(1, versions.stream().filter(v -> v.versionStages().contains("AWSCURRENT")).count());
      for (SecretVersionsListEntry v : versions) {
        assertTrue(sm.getSecretValue(r -> r.secretId("prod/db").versionId(v.versionId())).secretString()
            .startsWith("backup-plaintext-"));
      }
    }
  }

  @Test
  void aRestoreRefusesAnotherRootKeyATamperedOrTruncatedBackupAndAnExistingVault() throws Exception {
    Path backup = backupOfASidecarUnderWriteLoad();
    byte[] bytes = Files.readAllBytes(backup);

    Path otherKey = Files.createDirectory(elsewhere.resolve("other"));
    Files.write(otherKey.resolve("root.key"), new byte[32]);
    Result wrongKey = run("restore", "--from", backup.toString(), "--data-dir", otherKey.toString());
    assertEquals(1, wrongKey.exit());
    assertTrue(wrongKey.err().contains("this root key does not open the backup"), wrongKey.err());

    byte[] flipped = bytes.clone();
    flipped[flipped.length / 2] ^= 1;
    Path tampered = Files.write(elsewhere.resolve("tampered.backup"), flipped);
    Result altered = run("restore", "--from", tampered.toString(), "--data-dir", target.toString());
    assertEquals(1, altered.exit());
    assertTrue(altered.err().contains("was altered") || altered.err().contains("does not open"), altered.err());
    assertTrue(!Files.exists(target.resolve("vault.db")), "nothing was restored");

    Path cut = Files.write(elsewhere.resolve("cut.backup"), java.util.Arrays.copyOf(bytes, bytes.length - 100));
    Result truncated = run("restore", "--from", cut.toString(), "--data-dir", target.toString());
    assertEquals(1, truncated.exit());
    assertTrue(truncated.err().contains("cut short"), truncated.err());

    Result intoSource = run("restore", "--from", backup.toString(), "--data-dir", source.toString());
    assertEquals(2, intoSource.exit());
    assertTrue(intoSource.err().contains(source.resolve("vault.db") + " exists"), intoSource.err());

    // vault.db moved away but its journal left behind: it could hold commits of that vault
    Files.move(source.resolve("vault.db"), elsewhere.resolve("moved.db"));
    Result besideAJournal = run("restore", "--from", backup.toString(), "--data-dir", source.toString());
    assertEquals(2, besideAJournal.exit());
    assertTrue(besideAJournal.err().contains(source.resolve("vault.db.journal") + " exists: restore into a data "
        + "directory without a vault (stop its sidecar and move vault.db and vault.db.journal away first)"),
        besideAJournal.err());
  }

  @Test
  void onlyACallerAllowedStowawayCreateBackupGetsOne() throws IOException {
    try (RunningSidecar sidecar = RunningSidecar.in(source)) {
      AccessKey key;
      try (IamClient iam = IamClient.builder().endpointOverride(sidecar.endpoint())
          .region(software.amazon.awssdk.regions.Region.AWS_GLOBAL).credentialsProvider(sidecar.adminCredentials())
          .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create()).build()) {
        iam.createUser(r -> r.userName("reader"));
        key = iam.createAccessKey(r -> r.userName("reader")).accessKey();
      }
      byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
      var headers = SignedHttp.sign("POST", sidecar.endpoint(), Map.of("Content-Type", "application/x-amz-json-1.1",
          "X-Amz-Target", "Stowaway.CreateBackup"), body, key.accessKeyId(), key.secretAccessKey(), "us-east-1",
          "stowaway", Clock.systemUTC());
      HttpResponse<String> refused = SignedHttp.send("POST", sidecar.endpoint(), headers, body);
      assertEquals(400, refused.statusCode());
      assertTrue(refused.body().contains("AccessDeniedException"), refused.body());
      assertTrue(refused.body().contains("is not authorized to perform: stowaway:CreateBackup"), refused.body());
    }
  }
}
