package dev.stowaway.sidecar.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stowaway.sidecar.testing.RunningSidecar;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code stowaway token} against a serving sidecar, and {@code stowaway config check}. */
class TokenAndConfigCommandIT {

  @TempDir Path dataDir;
  @TempDir Path elsewhere;

  private record Result(int exit, String out, String err) {}

  private Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = Stowaway.run(args, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static int status(RunningSidecar sidecar, String token) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create(sidecar.endpoint() + "/secretsmanager/get?secretId=app/db"))
        .header("X-Aws-Parameters-Secrets-Token", token).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  @Test
  void aTokenMadeWhileTheSidecarServesWorksAtOnceAndStopsWhenRevoked() throws Exception {
    try (RunningSidecar sidecar = RunningSidecar.in(dataDir)) {
      sidecar.client().createSecret(r -> r.name("app/db").secretString("pw"));
      Path tokenFile = elsewhere.resolve("token");
      Result created = run("token", "create", "--user", "admin", "--out", tokenFile.toString(),
          "--data-dir", dataDir.toString());
      assertEquals(0, created.exit(), created.err());
      assertTrue(created.out().startsWith("stowaway: made token tok-"), created.out());
      assertTrue(created.out().contains("for IAM user admin and wrote it to " + tokenFile + " (0600)"), created.out());
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile)));
      String token = Files.readString(tokenFile).trim();
      assertFalse(created.out().contains(token), "the token is in the file, not on the console");
      assertFalse(Files.readString(dataDir.resolve("agent-tokens")).contains(token), "only its hash is kept");
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
          dataDir.resolve("agent-tokens"))));
      assertEquals(200, status(sidecar, token));

      Result listed = run("token", "list", "--data-dir", dataDir.toString());
      assertTrue(listed.out().matches("(?s)ID +USER +CREATED\\ntok-[0-9a-f]{12} +admin +\\d{4}-.*"), listed.out());

      Result revoked = run("token", "revoke", "--token-file", tokenFile.toString(), "--data-dir", dataDir.toString());
      assertEquals(0, revoked.exit(), revoked.err());
      assertTrue(revoked.out().contains("(IAM user admin); the sidecar refuses it from now on"), revoked.out());
      assertEquals(403, status(sidecar, token));
      Result again = run("token", "revoke", "--token-file", tokenFile.toString(), "--data-dir", dataDir.toString());
      assertEquals(1, again.exit());
    }
  }

  @Test
  void createRefusesToOverwriteAFile() throws IOException {
    Path existing = Files.writeString(elsewhere.resolve("token"), "keep me");
    Result result = run("token", "create", "--user", "admin", "--out", existing.toString(), "--data-dir",
        dataDir.toString());
    assertEquals(2, result.exit());
    assertTrue(result.err().contains(existing + " exists already"), result.err());
    assertEquals("keep me", Files.readString(existing));
  }

  @Test
  void configCheckNamesTheBadSettingOrSaysWhatTheFileSets() throws IOException {
    Path good = Files.writeString(elsewhere.resolve("good.yaml"), "port: 9001\nlog-format: json\n");
    Result ok = run("config", "check", good.toString());
    assertEquals(0, ok.exit(), ok.err());
    assertTrue(ok.out().contains("stowaway: " + good + " is valid"), ok.out());
    assertTrue(ok.out().contains("listen      127.0.0.1:9001"), ok.out());
    assertTrue(ok.out().contains("log-format  json"), ok.out());

    Path bad = Files.writeString(elsewhere.resolve("bad.yaml"), "port: 9001\nregoin: eu-west-1\n");
    Result refused = run("config", "check", bad.toString());
    assertEquals(1, refused.exit());
    assertTrue(refused.err().contains(bad + ": unknown setting 'regoin'"), refused.err());
  }
}
