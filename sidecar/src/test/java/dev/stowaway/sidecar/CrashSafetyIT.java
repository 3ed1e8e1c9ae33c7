package dev.stowaway.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stowaway.sidecar.testing.AuditRecords;
import dev.stowaway.sidecar.testing.SidecarProcess;
import dev.stowaway.vault.audit.AuditVerifier;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.SecretVersionsListEntry;

/**
 * SIGKILL at random moments while three writers (PutSecretValue, UpdateSecretVersionStage,
 * CreateSecret) run against a sidecar process, restarting it each round. After every restart each
 * acknowledged write is there with its labels, every secret has one AWSCURRENT, and at the end the
 * audit log verifies and holds a record for every acknowledged request.
 */
class CrashSafetyIT {

  private static final int ROUNDS = 6;
  private static final int SECRETS = 8;
  private static final String LABELLED = "crash/s0";
  private static final long SEED = 20261130L;

  @TempDir Path dataDir;

  /** What the writers were told succeeded, and the one label move that may have been in flight. */
  private final Map<String, String> putValues = new ConcurrentHashMap<>(); // versionId -> value
  private final Map<String, String> putSecret = new ConcurrentHashMap<>(); // versionId -> secret
  private final Map<String, String> created = new ConcurrentHashMap<>(); // name -> value
  private final Set<String> acknowledgedRequestIds = ConcurrentHashMap.newKeySet();
  private final AtomicReference<String> blueAcknowledged = new AtomicReference<>(); // secret|versionId
  private final AtomicReference<String> blueInFlight = new AtomicReference<>();
  private final List<String> unexpected = java.util.Collections.synchronizedList(new ArrayList<>());

  private SecretsManagerClient client(URI endpoint) throws IOException {
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(dataDir.resolve("admin-credentials"))) {
      p.load(in);
    }
    return SecretsManagerClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
            p.getProperty("aws_access_key_id"), p.getProperty("aws_secret_access_key"))))
        .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()))
        .httpClient(UrlConnectionHttpClient.builder().socketTimeout(java.time.Duration.ofSeconds(10)).build())
        .build();
  }

  @Test
  void killedAtRandomMomentsTheSidecarKeepsEveryAcknowledgedWrite() throws Exception {
    Random random = new Random(SEED);
    try (SidecarProcess first = SidecarProcess.start(dataDir); SecretsManagerClient sm = client(first.endpoint())) {
      for (int s = 0; s < SECRETS; s++) {
        int n = s;
        var answer = sm.createSecret(r -> r.name("crash/s" + n).secretString("v0"));
        putValues.put(answer.versionId(), "v0");
        putSecret.put(answer.versionId(), "crash/s" + n);
        acknowledgedRequestIds.add(answer.responseMetadata().requestId());
      }
      first.terminate();
    }
    int[] counter = {0};
    for (int round = 1; round <= ROUNDS; round++) {
      SidecarProcess sidecar = SidecarProcess.start(dataDir);
      try (SecretsManagerClient sm = client(sidecar.endpoint())) {
        checkAuditTrail(round); // before any request: the start-up digest covers every record so far
        try {
          checkEverythingAcknowledged(sm, round);
        } catch (RuntimeException | AssertionError e) {
          throw new AssertionError(e.getMessage() + "\nsidecar output:\n" + sidecar.output(), e);
        }
        AtomicBoolean go = new AtomicBoolean(true);
        CountDownLatch done = new CountDownLatch(3);
        int roundNo = round;
        List<Thread> writers = List.of(
            new Thread(() -> puts(sm, go, done, roundNo, new Random(SEED + roundNo))),
            new Thread(() -> labels(sm, go, done, new Random(SEED * 7 + roundNo))),
            new Thread(() -> creates(sm, go, done, roundNo, counter)));
        writers.forEach(Thread::start);
        long runFor = 300 + random.nextInt(1200);
        assertFalse(done.await(runFor, TimeUnit.MILLISECONDS), "the writers stop only when the sidecar dies");
        assertEquals(137, sidecar.kill(), "SIGKILL: " + sidecar.output());
        go.set(false);
        assertTrue(done.await(60, TimeUnit.SECONDS), "the writers did not notice the sidecar was gone");
        assertEquals(List.of(), unexpected, "refusals other than the crash");
      } finally {
        sidecar.kill();
      }
      System.out.println("crash round " + round + ": " + putValues.size() + " puts, " + created.size()
          + " creates, " + acknowledgedRequestIds.size() + " acknowledged requests so far");
    }
    try (SidecarProcess last = SidecarProcess.start(dataDir); SecretsManagerClient sm = client(last.endpoint())) {
      checkEverythingAcknowledged(sm, ROUNDS + 1);
      assertFalse(last.output().contains("WARNING"), "the store opened without complaint:\n" + last.output());
      last.terminate();
    }
    checkAuditTrail(ROUNDS + 1);
  }

  private void checkAuditTrail(int round) throws IOException {
    AuditVerifier.Report report = AuditVerifier.verify(dataDir.resolve("audit"), null);
    assertEquals(List.of(), report.problems(), "round " + round);
    Set<String> recorded = new HashSet<>();
    for (JsonNode event : AuditRecords.in(dataDir)) {
      recorded.add(event.path("requestID").asText());
    }
    Set<String> missing = new HashSet<>(acknowledgedRequestIds);
    missing.removeAll(recorded);
    assertEquals(Set.of(), missing, "round " + round + ": acknowledged requests without an audit record");
  }

  private void checkEverythingAcknowledged(SecretsManagerClient sm, int round) {
    putValues.forEach((versionId, value) -> assertEquals(value, sm.getSecretValue(r -> r.secretId(putSecret.get(versionId))
        .versionId(versionId)).secretString(), "round " + round + ": acknowledged version " + versionId));
    created.forEach((name, value) -> assertEquals(value, sm.getSecretValue(r -> r.secretId(name)).secretString(),
        "round " + round + ": created " + name));
    for (int s = 0; s < SECRETS; s++) {
      String name = "crash/s" + s;
      List<SecretVersionsListEntry> versions = sm.listSecretVersionIds(r -> r.secretId(name).includeDeprecated(true))
          .versions();
      assertEquals(1, versions.stream().filter(v -> v.versionStages().contains("AWSCURRENT")).count(),
          "round " + round + ": " + name + " has one AWSCURRENT");
      for (SecretVersionsListEntry v : versions) {
        if (v.versionStages().contains("BLUE")) {
          String at = name + "|" + v.versionId();
          assertTrue(at.equals(blueAcknowledged.get()) || at.equals(blueInFlight.get()),
              "round " + round + ": BLUE is on " + at + ", acknowledged " + blueAcknowledged.get() + ", in flight "
                  + blueInFlight.get());
          // A move the crash cut off before its answer may have committed: where BLUE is now is what the
          // next round's writer must move it from.
          blueAcknowledged.set(at);
        }
      }
    }
  }

  private void puts(SecretsManagerClient sm, AtomicBoolean go, CountDownLatch done, int round, Random random) {
    try {
      for (int i = 0; go.get(); i++) {
        String name = "crash/s" + random.nextInt(SECRETS);
        String value = "r" + round + "-" + i + "-" + UUID.randomUUID();
        var answer = sm.putSecretValue(r -> r.secretId(name).secretString(value)
            .clientRequestToken(UUID.randomUUID().toString()));
        putValues.put(answer.versionId(), value);
        putSecret.put(answer.versionId(), name);
        acknowledgedRequestIds.add(answer.responseMetadata().requestId());
      }
    } catch (SdkClientException dead) {
      // the sidecar was killed: this request was not acknowledged
    } catch (SdkServiceException e) {
      unexpected.add("PutSecretValue: " + e.getMessage());
    } finally {
      done.countDown();
    }
  }

  /** Moves the label BLUE between acknowledged versions of crash/s0, one move at a time. */
  private void labels(SecretsManagerClient sm, AtomicBoolean go, CountDownLatch done, Random random) {
    try {
      while (go.get()) {
        List<String> versions = putSecret.entrySet().stream().filter(e -> e.getValue().equals(LABELLED))
            .map(Map.Entry::getKey).sorted().toList();
        String target = versions.get(random.nextInt(versions.size()));
        String from = blueAcknowledged.get();
        blueInFlight.set(LABELLED + "|" + target);
        var answer = sm.updateSecretVersionStage(r -> {
          r.secretId(LABELLED).versionStage("BLUE").moveToVersionId(target);
          if (from != null) {
            r.removeFromVersionId(from.substring(from.indexOf('|') + 1));
          }
        });
        blueAcknowledged.set(LABELLED + "|" + target);
        acknowledgedRequestIds.add(answer.responseMetadata().requestId());
      }
    } catch (SdkClientException dead) {
      // killed
    } catch (SdkServiceException e) {
      unexpected.add("UpdateSecretVersionStage: " + e.getMessage());
    } finally {
      done.countDown();
    }
  }

  private void creates(SecretsManagerClient sm, AtomicBoolean go, CountDownLatch done, int round, int[] counter) {
    try {
      while (go.get()) {
        String name = "crash/new-" + round + "-" + counter[0]++;
        String value = "created-" + UUID.randomUUID();
        var answer = sm.createSecret(r -> r.name(name).secretString(value));
        created.put(name, value);
        acknowledgedRequestIds.add(answer.responseMetadata().requestId());
      }
    } catch (SdkClientException dead) {
      // killed
    } catch (SdkServiceException e) {
      unexpected.add("CreateSecret: " + e.getMessage());
    } finally {
      done.countDown();
    }
  }
}
