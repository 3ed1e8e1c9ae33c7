package dev.stowaway.benchmarks.jmh;

import dev.stowaway.sidecar.auth.SigV4Signer;
import dev.stowaway.sidecar.auth.SigV4Verifier;
import dev.stowaway.sidecar.auth.SignedRequest;
import dev.stowaway.vault.Vault;
import dev.stowaway.vault.identity.NewAccessKey;
import dev.stowaway.vault.kms.EncryptionContext;
import dev.stowaway.vault.kms.Envelope;
import dev.stowaway.vault.kms.EnvelopeCipher;
import dev.stowaway.vault.kms.KeyRing;
import dev.stowaway.vault.kms.RootKey;
import dev.stowaway.vault.policy.Decision;
import dev.stowaway.vault.policy.Policy;
import dev.stowaway.vault.policy.PolicyEvaluator;
import dev.stowaway.vault.policy.PolicyParser;
import dev.stowaway.vault.policy.RequestContext;
import dev.stowaway.vault.store.KmsKeyRecord;
import dev.stowaway.vault.store.mapdb.MapDbSecretStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The vault's inner costs, one JMH benchmark each: envelope sealing and opening of a 1 KiB secret,
 * SigV4 verification of a GetSecretValue request, policy evaluation (20 statements with
 * conditions), and a durable MapDB commit.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class VaultBenchmarks {

  private static final String ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-a1B2c3";

  /** A key ring over an in-memory store and one KMS key. */
  @State(Scope.Benchmark)
  public static class Envelopes {
    EnvelopeCipher cipher;
    KmsKeyRecord key;
    byte[] plaintext = new byte[1024];
    EncryptionContext context = EncryptionContext.of("SecretARN", ARN, "SecretVersionId", "v1");
    Envelope sealed;

    @Setup
    public void setUp() {
      SecureRandom random = new SecureRandom();
      MapDbSecretStore store = MapDbSecretStore.openInMemory();
      KeyRing keyRing = new KeyRing(RootKey.generate(random), random, Clock.systemUTC(), "us-east-1", "123456789012");
      store.write(tx -> keyRing.ensureManagedKey(tx, KeyRing.SECRETS_MANAGER_ALIAS, "bench"));
      key = store.read(view -> keyRing.resolve(view, KeyRing.SECRETS_MANAGER_ALIAS));
      cipher = new EnvelopeCipher(keyRing);
      random.nextBytes(plaintext);
      sealed = cipher.seal(key, plaintext, context);
    }
  }

  @Benchmark
  public Envelope envelopeSeal1KiB(Envelopes e) {
    return e.cipher.seal(e.key, e.plaintext, e.context);
  }

  @Benchmark
  public byte[] envelopeOpen1KiB(Envelopes e) {
    byte[] plain = e.cipher.open(e.key, e.sealed, e.context);
    Arrays.fill(plain, (byte) 0);
    return plain;
  }

  /** A vault with one access key, and a GetSecretValue request signed with it at a fixed instant. */
  @State(Scope.Benchmark)
  public static class Signatures {
    Vault vault;
    SigV4Verifier verifier;
    SignedRequest request;

    @Setup
    public void setUp() {
      SecureRandom random = new SecureRandom();
      vault = Vault.open(MapDbSecretStore.openInMemory(), RootKey.generate(random), Clock.systemUTC(), random,
          "us-east-1", "123456789012");
      vault.identity().createUser("app", null);
      NewAccessKey key = vault.identity().createAccessKey("app");
      Instant at = Instant.parse("2026-11-30T03:00:00Z");
      byte[] body = "{\"SecretId\":\"prod/db\"}".getBytes(StandardCharsets.UTF_8);
      Map<String, String> headers = new LinkedHashMap<>();
      headers.put("Content-Type", "application/x-amz-json-1.1");
      headers.put("X-Amz-Target", "secretsmanager.GetSecretValue");
      Map<String, String> signed = SigV4Signer.sign("POST", "127.0.0.1:2773", "/", headers, body, key.accessKeyId(),
          key.secretAccessKey().getBytes(StandardCharsets.UTF_8), "us-east-1", "secretsmanager", at);
      Map<String, List<String>> received = new LinkedHashMap<>();
      received.put("host", List.of("127.0.0.1:2773"));
      signed.forEach((k, v) -> received.put(k.toLowerCase(java.util.Locale.ROOT), List.of(v)));
      request = new SignedRequest("POST", "/", "", received, body);
      verifier = new SigV4Verifier(vault.accessKeys(), Clock.fixed(at, ZoneOffset.UTC), "us-east-1");
    }

    @TearDown
    public void tearDown() {
      vault.close();
    }
  }

  @Benchmark
  public Object sigV4Verify(Signatures s) {
    return s.verifier.verify(s.request, "secretsmanager");
  }

  /** A 20-statement policy whose last statement decides. */
  @State(Scope.Benchmark)
  public static class Policies {
    Policy policy;
    RequestContext request;

    @Setup
    public void setUp() {
      policy = PolicyParser.identity("bench", dev.stowaway.benchmarks.PolicyFigures.twentyStatements());
      request = new RequestContext("arn:aws:iam::123456789012:user/app", "secretsmanager:GetSecretValue", ARN,
          Map.of("secretsmanager:Name", List.of("prod/db"), "secretsmanager:VersionStage", List.of("AWSCURRENT"),
              "aws:SourceIp", List.of("10.1.2.3"), "aws:SecureTransport", List.of("false"),
              "aws:CurrentTime", List.of("2026-11-29T10:00:00Z")));
    }
  }

  @Benchmark
  public Decision policyEvaluation20Statements(Policies p) {
    return PolicyEvaluator.evaluate(List.of(p.policy), null, p.request);
  }

  /** A MapDB store in a file, as the sidecar keeps it: every write a committed, synced transaction. */
  @State(Scope.Benchmark)
  public static class Store {
    Path dir;
    MapDbSecretStore store;
    long n;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
      dir = Files.createTempDirectory("stowaway-jmh-");
      store = MapDbSecretStore.open(dir.resolve("vault.db"));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
      store.close();
      try (var all = Files.walk(dir)) {
        all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Benchmark
  public Object mapDbDurableCommit(Store s) {
    long n = s.n++;
    return s.store.write(tx -> {
      tx.putAlias("alias/bench-" + (n % 1000), "key-" + n);
      return null;
    });
  }
}
