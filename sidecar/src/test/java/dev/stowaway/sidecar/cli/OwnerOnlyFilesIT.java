package dev.stowaway.sidecar.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.stowaway.sidecar.testing.RunningSidecar;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * Issue 17, finding 6: every file the sidecar and its commands make (the store and its journal, the
 * audit files and digests, agent tokens, a backup, a restored store) is 0600, every directory 0700.
 */
class OwnerOnlyFilesIT {

  @TempDir Path root;

  private static int run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int exit = Stowaway.run(args, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(out, true, StandardCharsets.UTF_8));
    assertEquals(0, exit, out.toString(StandardCharsets.UTF_8));
    return exit;
  }

  /** Every entry under {@code dir} whose mode is not owner-only, with its mode. */
  private static List<String> notOwnerOnly(Path dir) throws IOException {
    List<String> found = new ArrayList<>();
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.toList()) {
        String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
        String expected = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "rwx------" : "rw-------";
        if (!mode.equals(expected)) {
          found.add(dir.relativize(p) + " " + mode);
        }
      }
    }
    return found;
  }

  @Test
  void everyFileTheSidecarAndItsCommandsMakeIsOwnerOnly() throws IOException {
    Path source = root.resolve("source");
    Path backup = root.resolve("vault.backup");
    try (RunningSidecar sidecar = RunningSidecar.in(source); SecretsManagerClient sm = sidecar.client();
         IamClient iam = IamClient.builder().endpointOverride(sidecar.endpoint()).region(Region.AWS_GLOBAL)
             .credentialsProvider(sidecar.adminCredentials()).httpClient(UrlConnectionHttpClient.create()).build()) {
      sm.createSecret(r -> r.name("prod/db").secretString("modes-plaintext"));
      iam.createUser(r -> r.userName("app"));
      iam.createAccessKey(r -> r.userName("app"));
      run("token", "create", "--user", "app", "--out", root.resolve("app-token").toString(), "--data-dir",
          source.toString());
      run("backup", "--out", backup.toString(), "--endpoint", sidecar.endpoint().toString(), "--data-dir",
          source.toString());
      sidecar.restart();
    }
    assertEquals(List.of(), notOwnerOnly(source));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(backup)));

    Path target = Files.createDirectory(root.resolve("target"));
    Files.copy(source.resolve("root.key"), target.resolve("root.key"));
    run("restore", "--from", backup.toString(), "--data-dir", target.toString());
    assertEquals(List.of(), notOwnerOnly(target));
  }
}
