package dev.stowaway.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stowaway.sidecar.testing.SidecarProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.SecretsManagerException;

/**
 * Power loss, simulated: writes, a clean stop (the store checkpoints: its file is forced, its
 * journal emptied), more writes, a SIGKILL; then the store file loses what was written to it since the
 * checkpoint (the page cache, gone with the power) and the journal's tail is cut or scrambled, or
 * the store file or the audit log is damaged. Start-up then either recovers a state the writes
 * passed through, or refuses with one clear line. Never does it serve a value that was not written
 * for that secret.
 */
class TornWriteIT {

  private static final int SECRETS = 6;

  @TempDir Path dataDir;

  /** Each damage, and whether start-up recovers from it (true) or refuses (false). */
  enum Damage {
    JOURNAL_TAIL_CUT(true), JOURNAL_TAIL_GARBAGE(true), STORE_TAIL_CUT(false), STORE_PAGE_ZEROED(true),
    AUDIT_TAIL_CUT(true), AUDIT_RECORD_EDITED(false);

    final boolean recovers;

    Damage(boolean recovers) {
      this.recovers = recovers;
    }
  }

  private SecretsManagerClient client(SidecarProcess sidecar) throws IOException {
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(dataDir.resolve("admin-credentials"))) {
      p.load(in);
    }
    return SecretsManagerClient.builder().endpointOverride(sidecar.endpoint()).region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
            p.getProperty("aws_access_key_id"), p.getProperty("aws_secret_access_key"))))
        .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()))
        .httpClient(UrlConnectionHttpClient.create()).build();
  }

  @ParameterizedTest
  @EnumSource(Damage.class)
  void startUpRecoversOrRefusesButNeverServesWrongData(Damage damage) throws Exception {
    Map<String, Set<String>> written = new HashMap<>();
    Map<String, String> latest = new HashMap<>();
    try (SidecarProcess sidecar = SidecarProcess.start(dataDir); SecretsManagerClient sm = client(sidecar)) {
      for (int s = 0; s < SECRETS; s++) {
        String name = "torn/s" + s;
        sm.createSecret(r -> r.name(name).secretString(name + "-v0"));
        written.computeIfAbsent(name, k -> new HashSet<>()).add(name + "-v0");
        put(sm, name, 1, 2, written, latest);
      }
      assertEquals(143, sidecar.terminate(), sidecar.output()); // 128 + SIGTERM, after the store closed
    }
    byte[] checkpointed = Files.readAllBytes(dataDir.resolve("vault.db"));
    assertEquals(0, Files.size(dataDir.resolve("vault.db.journal")), "a clean stop checkpoints");
    try (SidecarProcess sidecar = SidecarProcess.start(dataDir); SecretsManagerClient sm = client(sidecar)) {
      for (int s = 0; s < SECRETS; s++) {
        put(sm, "torn/s" + s, 3, 5, written, latest);
      }
      assertEquals(137, sidecar.kill());
    }
    if (damage.name().startsWith("JOURNAL_")) {
      Files.write(dataDir.resolve("vault.db"), checkpointed);
    }
    damage(damage);

    SidecarProcess restarted = SidecarProcess.launch(dataDir, Map.of());
    try {
      boolean started = restarted.awaitServingOrExit();
      assertEquals(damage.recovers, started, restarted.output());
      if (!started) {
        String out = restarted.output();
        assertEquals(2, restarted.awaitExit(), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("stowaway: ")), "a clear line: " + out);
        assertFalse(out.contains("\tat "), "no stack trace: " + out);
        System.out.println(damage + ": refused to start: " + out.lines().filter(l -> l.startsWith("stowaway: "))
            .reduce((a, b) -> b).orElse(""));
        return;
      }
      int served = 0;
      int servedLatest = 0;
      int refused = 0;
      try (SecretsManagerClient sm = client(restarted)) {
        for (Map.Entry<String, Set<String>> secret : written.entrySet()) {
          try {
            String value = sm.getSecretValue(r -> r.secretId(secret.getKey())).secretString();
            assertTrue(secret.getValue().contains(value), damage + ": " + secret.getKey() + " served a value never "
                + "written for it");
            served++;
            if (value.equals(latest.get(secret.getKey()))) {
              servedLatest++;
            }
          } catch (SecretsManagerException e) {
            assertTrue(e.statusCode() < 500 || e.awsErrorDetails().errorCode().equals("InternalServiceError"),
                e.getMessage());
            refused++;
          }
        }
      }
      System.out.println(damage + ": started; " + served + " secrets served written values, " + refused
          + " refused");
      if (damage.name().startsWith("JOURNAL_")) {
        // the journal lost its last commit at most: every secret but one at most is as last written
        assertEquals(0, refused, restarted.output());
        assertTrue(servedLatest >= SECRETS - 1, servedLatest + " of " + SECRETS + " secrets as last written");
        assertTrue(restarted.output().contains("commit(s) from " + dataDir.resolve("vault.db.journal")
            + "; discarded "), restarted.output());
      }
      if (damage == Damage.AUDIT_TAIL_CUT) {
        assertTrue(restarted.output().contains("bytes of an unfinished audit record at the end of"), restarted.output());
      }
      restarted.terminate();
    } finally {
      restarted.kill();
    }
  }

  private void damage(Damage damage) throws IOException {
    switch (damage) {
      // the store file is as the checkpoint left it (see above); the journal's last commit is torn
      case JOURNAL_TAIL_CUT -> cut(dataDir.resolve("vault.db.journal"), 40);
      case JOURNAL_TAIL_GARBAGE -> scramble(dataDir.resolve("vault.db.journal"), 512);
      case STORE_TAIL_CUT -> cut(dataDir.resolve("vault.db"), Files.size(dataDir.resolve("vault.db")) / 2);
      case STORE_PAGE_ZEROED -> zero(dataDir.resolve("vault.db"), Files.size(dataDir.resolve("vault.db")) / 4, 4096);
      case AUDIT_TAIL_CUT -> cut(newestAudit(), 40);
      case AUDIT_RECORD_EDITED -> scramble(newestAudit(), 120);
      default -> throw new IllegalArgumentException(damage.name());
    }
  }

  private static void put(SecretsManagerClient sm, String name, int from, int to, Map<String, Set<String>> written,
      Map<String, String> latest) {
    for (int v = from; v <= to; v++) {
      String value = name + "-v" + v;
      sm.putSecretValue(r -> r.secretId(name).secretString(value));
      written.get(name).add(value);
      latest.put(name, value);
    }
  }

  private Path newestAudit() throws IOException {
    try (Stream<Path> files = Files.list(dataDir.resolve("audit"))) {
      return files.filter(f -> f.getFileName().toString().endsWith(".jsonl")).max(Comparator.naturalOrder())
          .orElseThrow();
    }
  }

  private static void cut(Path file, long bytes) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(Math.max(0, f.length() - bytes));
    }
  }

  /** Deterministic garbage over the last {@code bytes}, as a half-written sector. */
  private static void scramble(Path file, int bytes) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      long from = Math.max(0, f.length() - bytes);
      f.seek(from);
      for (long i = from; i < f.length(); i++) {
        f.write((int) ((i * 31 + 7) & 0xff));
      }
    }
  }

  private static void zero(Path file, long at, int bytes) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(at);
      f.write(new byte[bytes]);
    }
  }
}
