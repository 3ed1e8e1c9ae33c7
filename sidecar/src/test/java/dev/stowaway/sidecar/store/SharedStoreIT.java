package dev.stowaway.sidecar.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stowaway.sidecar.testing.ScratchPostgres;
import dev.stowaway.sidecar.testing.SidecarProcess;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/** Two sidecar processes, each with its own data directory, sharing one PostgreSQL store. */
class SharedStoreIT {

  @TempDir Path first;
  @TempDir Path second;

  private static SecretsManagerClient client(URI endpoint, Path credentialsDir) throws IOException {
    Properties p = new Properties();
    try (var in = Files.newInputStream(credentialsDir.resolve("admin-credentials"))) {
      p.load(in);
    }
    return SecretsManagerClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
            p.getProperty("aws_access_key_id"), p.getProperty("aws_secret_access_key"))))
        .httpClient(UrlConnectionHttpClient.create()).build();
  }

  private static Map<String, String> env(ScratchPostgres db) {
    return Map.of("STOWAWAY_STORE", "postgresql", "STOWAWAY_STORE_URL", db.url(), "STOWAWAY_STORE_USER", db.user());
  }

  @Test
  void whatOneSidecarWritesTheOtherServes() throws Exception {
    try (ScratchPostgres db = ScratchPostgres.create()) {
      try (SidecarProcess a = SidecarProcess.launch(first, env(db)).awaitServing()) {
        assertTrue(a.output().contains("(PostgreSQL, shared)"), a.output());
        // The second sidecar gets the same root key, as a Kubernetes Secret or mounted file would give it.
        Files.copy(first.resolve("root.key"), second.resolve("root.key"));
        Files.setPosixFilePermissions(second.resolve("root.key"), PosixFilePermissions.fromString("rw-------"));
        try (SidecarProcess b = SidecarProcess.launch(second, env(db)).awaitServing();
             SecretsManagerClient viaA = client(a.endpoint(), first);
             SecretsManagerClient viaB = client(b.endpoint(), first)) {
          assertTrue(!Files.exists(second.resolve("admin-credentials")), "the vault's administrator exists already");
          viaA.createSecret(r -> r.name("shared/db").secretString("from-a"));
          assertEquals("from-a", viaB.getSecretValue(r -> r.secretId("shared/db")).secretString());
          viaB.putSecretValue(r -> r.secretId("shared/db").secretString("from-b"));
          assertEquals("from-b", viaA.getSecretValue(r -> r.secretId("shared/db")).secretString());
          b.terminate();
        }
        a.terminate();
      }
    }
  }

  @Test
  void aPutSecretValueStormThroughTwoSidecarsKeepsEveryVersionAndOneCurrent() throws Exception {
    try (ScratchPostgres db = ScratchPostgres.create()) {
      try (SidecarProcess a = SidecarProcess.launch(first, env(db)).awaitServing()) {
        Files.copy(first.resolve("root.key"), second.resolve("root.key"));
        Files.setPosixFilePermissions(second.resolve("root.key"), PosixFilePermissions.fromString("rw-------"));
        try (SidecarProcess b = SidecarProcess.launch(second, env(db)).awaitServing();
             SecretsManagerClient viaA = client(a.endpoint(), first);
             SecretsManagerClient viaB = client(b.endpoint(), first)) {
          String initial = viaA.createSecret(r -> r.name("storm/db").secretString("v0")).versionId();
          int writersPerSidecar = 3;
          int putsEach = 15;
          ExecutorService writers = Executors.newFixedThreadPool(
              2 * writersPerSidecar);
          CyclicBarrier together = new CyclicBarrier(2 * writersPerSidecar);
          List<Future<List<String>>> done = new ArrayList<>();
          for (int w = 0; w < 2 * writersPerSidecar; w++) {
            SecretsManagerClient via = w % 2 == 0 ? viaA : viaB;
            int writer = w;
            done.add(writers.submit(() -> {
              together.await();
              List<String> acknowledged = new ArrayList<>();
              for (int i = 0; i < putsEach; i++) {
                String value = "w" + writer + "-" + i;
                acknowledged.add(via.putSecretValue(r -> r.secretId("storm/db").secretString(value)).versionId());
              }
              return acknowledged;
            }));
          }
          Set<String> acknowledged = new HashSet<>();
          acknowledged.add(initial);
          for (var f : done) {
            acknowledged.addAll(f.get());
          }
          writers.shutdown();
          assertEquals(1 + 2 * writersPerSidecar * putsEach, acknowledged.size());

          for (SecretsManagerClient via : List.of(viaA, viaB)) {
            var versions = via.listSecretVersionIds(r -> r.secretId("storm/db").includeDeprecated(true)).versions();
            assertEquals(acknowledged, versions.stream().map(v -> v.versionId())
                .collect(Collectors.toSet()));
            assertEquals(1, versions.stream().filter(v -> v.versionStages().contains("AWSCURRENT")).count());
            assertEquals(1, versions.stream().filter(v -> v.versionStages().contains("AWSPREVIOUS")).count());
          }
          b.terminate();
        }
        a.terminate();
      }
    }
  }

  @Test
  void aSidecarWithoutTheVaultsRootKeyRefusesToStart() throws Exception {
    try (ScratchPostgres db = ScratchPostgres.create()) {
      try (SidecarProcess a = SidecarProcess.launch(first, env(db)).awaitServing()) {
        try (SidecarProcess b = SidecarProcess.launch(second, env(db))) {
          assertEquals(2, b.awaitExit());
          assertTrue(b.output().contains("root.key is missing, but the vault in " + db.url() + " exists"), b.output());
        }
        Files.write(second.resolve("root.key"), new byte[32]);
        try (SidecarProcess b = SidecarProcess.launch(second, env(db))) {
          assertEquals(2, b.awaitExit());
          assertTrue(b.output().contains("the root key does not match this vault"), b.output());
        }
        a.terminate();
      }
    }
  }

  @Test
  void storeCredentialsAreRefusedOnTheCommandLine() {
    try (SidecarProcess b = SidecarProcess.launch(second, Map.of(), "--store", "postgresql", "--store-url",
        "jdbc:postgresql://127.0.0.1:5432/x", "--store-password", "visible-to-ps")) {
      assertEquals(2, b.awaitExit());
      assertTrue(b.output().contains("--store-password is not taken on the command line"), b.output());
    }
  }
}
