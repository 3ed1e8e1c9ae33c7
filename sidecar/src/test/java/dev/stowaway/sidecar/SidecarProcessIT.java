package dev.stowaway.sidecar;

import static dev.stowaway.sidecar.testing.ByteSearch.indexOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stowaway.sidecar.testing.SidecarProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/** The shaded jar run as a user runs it, in its own process. */
class SidecarProcessIT {

  @TempDir
  Path dataDir;

  private SecretsManagerClient client(SidecarProcess sidecar) throws IOException {
    Properties p = credentials();
    return SecretsManagerClient.builder()
        .endpointOverride(sidecar.endpoint())
        .region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
            p.getProperty("aws_access_key_id"), p.getProperty("aws_secret_access_key"))))
        .httpClient(UrlConnectionHttpClient.create())
        .build();
  }

  private Properties credentials() throws IOException {
    Properties p = new Properties();
    try (var in = Files.newInputStream(dataDir.resolve("admin-credentials"))) {
      p.load(in);
    }
    return p;
  }

  @Test
  void firstStartInitialisesTheDirectoryPrivatelyAndSaysSo() throws IOException {
    try (SidecarProcess sidecar = SidecarProcess.start(dataDir)) {
      assertTrue(sidecar.output().contains("initialised " + dataDir + " (created root.key, audit/, vault.db, audit/signing-key.sealed, admin-credentials)"),
          sidecar.output());
      assertTrue(sidecar.output().contains("export AWS_SHARED_CREDENTIALS_FILE=" + dataDir.resolve("admin-credentials")));
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve("root.key"))));
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve("admin-credentials"))));
      assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve("audit"))));
      assertEquals(32, Files.size(dataDir.resolve("root.key")));
      sidecar.terminate();
    }
    try (SidecarProcess again = SidecarProcess.start(dataDir)) {
      assertFalse(again.output().contains("initialised"), again.output());
      again.terminate();
    }
  }

  @Test
  void sigtermClosesTheStoreCleanlyAndDataSurvives() throws IOException {
    try (SidecarProcess sidecar = SidecarProcess.start(dataDir); SecretsManagerClient sm = client(sidecar)) {
      sm.createSecret(r -> r.name("prod/db").secretString("one"));
      sm.putSecretValue(r -> r.secretId("prod/db").secretString("two"));
      int exit = sidecar.terminate();
      assertEquals(143, exit, sidecar.output()); // 128 + SIGTERM, after the shutdown hook ran
      assertTrue(sidecar.output().contains("stowaway: store closed, bye"), sidecar.output());
    }
    try (SidecarProcess sidecar = SidecarProcess.start(dataDir); SecretsManagerClient sm = client(sidecar)) {
      assertEquals("two", sm.getSecretValue(r -> r.secretId("prod/db")).secretString());
      assertEquals("one", sm.getSecretValue(r -> r.secretId("prod/db").versionStage("AWSPREVIOUS")).secretString());
      sidecar.terminate();
    }
  }

  @Test
  void sigkillLosesNoAcknowledgedWrite() throws IOException {
    Map<String, String> acknowledged = new java.util.LinkedHashMap<>();
    try (SidecarProcess sidecar = SidecarProcess.start(dataDir); SecretsManagerClient sm = client(sidecar)) {
      for (int i = 0; i < 20; i++) {
        String name = "crash/s" + i;
        sm.createSecret(r -> r.name(name).secretString("first"));
        String last = "second-" + i;
        sm.putSecretValue(r -> r.secretId(name).secretString(last));
        acknowledged.put(name, last);
      }
      assertEquals(137, sidecar.kill(), sidecar.output()); // 128 + SIGKILL: nothing was closed
      assertFalse(sidecar.output().contains("store closed"));
    }
    try (SidecarProcess sidecar = SidecarProcess.start(dataDir); SecretsManagerClient sm = client(sidecar)) {
      acknowledged.forEach((name, value) -> {
        assertEquals(value, sm.getSecretValue(r -> r.secretId(name)).secretString());
        assertEquals("first", sm.getSecretValue(r -> r.secretId(name).versionStage("AWSPREVIOUS")).secretString());
      });
      sidecar.terminate();
    }
  }

  @Test
  void noPlaintextReachesTheDataDirectoryOrTheOutput() throws IOException {
    List<byte[]> plaintexts = new ArrayList<>();
    String output;
    try (SidecarProcess sidecar = SidecarProcess.start(dataDir); SecretsManagerClient sm = client(sidecar)) {
      String first = "PLAINTEXT-first-4f1c9a";
      String second = "{\"username\":\"orders\",\"password\":\"PLAINTEXT-second-77ab\"}";
      String third = "PLAINTEXT-third-\u00fcnic\u00f8de-a9";
      byte[] binary = "PLAINTEXT-binary-0d15ea5e".getBytes(StandardCharsets.UTF_8);
      sm.createSecret(r -> r.name("prod/db").secretString(first));
      sm.putSecretValue(r -> r.secretId("prod/db").secretString(second));
      sm.updateSecret(r -> r.secretId("prod/db").secretString(third));
      sm.createSecret(r -> r.name("prod/cert").secretBinary(SdkBytes.fromByteArray(binary)));
      sm.createSecret(r -> r.name("doomed").secretString("PLAINTEXT-doomed-31"));
      sm.deleteSecret(r -> r.secretId("doomed").forceDeleteWithoutRecovery(true));
      for (String id : List.of("prod/db", "prod/cert")) {
        sm.getSecretValue(r -> r.secretId(id));
      }
      sm.batchGetSecretValue(r -> r.secretIdList("prod/db", "prod/cert", "missing"));
      Properties admin = credentials();
      try (var ssm = software.amazon.awssdk.services.ssm.SsmClient.builder().endpointOverride(sidecar.endpoint())
          .region(Region.US_EAST_1).httpClient(UrlConnectionHttpClient.create())
          .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
              admin.getProperty("aws_access_key_id"), admin.getProperty("aws_secret_access_key")))).build()) {
        ssm.putParameter(r -> r.name("/prod/db/password").value("PLAINTEXT-param-5e11").type("SecureString"));
        ssm.putParameter(r -> r.name("/prod/db/password").value("PLAINTEXT-param-5e12").overwrite(true));
        ssm.getParameter(r -> r.name("/prod/db/password").withDecryption(true));
        ssm.getParameterHistory(r -> r.name("/prod/db/password").withDecryption(true));
        ssm.getParameter(r -> r.name("/aws/reference/secretsmanager/prod/db").withDecryption(true));
      }
      for (String p : List.of(first, second, third, "PLAINTEXT-doomed-31", "PLAINTEXT-second-77ab",
          "PLAINTEXT-param-5e11", "PLAINTEXT-param-5e12")) {
        plaintexts.add(p.getBytes(StandardCharsets.UTF_8));
      }
      plaintexts.add(binary);
      plaintexts.add(Base64.getEncoder().encode(binary));
      assertNoneIn(dataFiles(), plaintexts, "while serving");
      sidecar.terminate();
      output = sidecar.output();
    }
    Properties credentials = credentials();
    byte[] rootKey = Files.readAllBytes(dataDir.resolve("root.key"));
    List<byte[]> keyMaterial = List.of(
        credentials.getProperty("aws_secret_access_key").getBytes(StandardCharsets.UTF_8),
        rootKey,
        HexFormat.of().formatHex(rootKey).getBytes(StandardCharsets.UTF_8),
        Base64.getEncoder().encode(rootKey));
    assertNoneIn(dataFiles(), plaintexts, "after shutdown");
    assertNoneIn(dataFiles(), keyMaterial, "after shutdown");
    List<byte[]> all = new ArrayList<>(plaintexts);
    all.addAll(keyMaterial);
    for (byte[] secret : all) {
      assertFalse(output.contains(new String(secret, StandardCharsets.UTF_8)), "the sidecar printed a secret");
    }
  }

  @Test
  void jsonLogsAreOneObjectPerLineAndTheRequestIdTiesLogResponseAndAuditRecord() throws IOException {
    String requestId;
    String output;
    try (SidecarProcess sidecar = SidecarProcess.launch(dataDir, Map.of(), "--log-format", "json").awaitServing();
         SecretsManagerClient sm = client(sidecar)) {
      sm.createSecret(r -> r.name("logged/db").secretString("json-log-plaintext"));
      requestId = sm.getSecretValue(r -> r.secretId("logged/db")).responseMetadata().requestId();
      sidecar.terminate();
      output = sidecar.output();
    }
    ObjectMapper json = new ObjectMapper();
    JsonNode access = null;
    for (String line : output.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode node = json.readTree(line); // every line is a JSON object
      assertTrue(node.has("time") && node.has("level") && node.has("logger") && node.has("message"), line);
      if (requestId.equals(node.path("requestId").asText())) {
        access = node;
      }
    }
    assertTrue(access != null, "no log line carries " + requestId + ":\n" + output);
    assertEquals("dev.stowaway.access", access.path("logger").asText());
    assertTrue(access.path("message").asText().startsWith(
        "GetSecretValue 200 by arn:aws:iam::123456789012:user/admin from 127.0.0.1 in "), access.toString());
    assertTrue(output.contains("serving the AWS Secrets Manager API at"), output);
    assertTrue(output.contains("\"message\":\"stowaway: store closed, bye\""), output);
    assertFalse(output.contains("json-log-plaintext"));
    JsonNode record = dev.stowaway.sidecar.testing.AuditRecords.in(dataDir).stream()
        .filter(e -> e.path("requestID").asText().equals(requestId)).findFirst().orElseThrow();
    assertEquals("GetSecretValue", record.path("eventName").asText());
  }

  @Test
  void wrongRootKeyRefusesToStartWithAClearMessage() throws IOException {
    try (SidecarProcess sidecar = SidecarProcess.start(dataDir)) {
      sidecar.terminate();
    }
    byte[] other = new byte[32];
    other[0] = 1;
    Files.write(dataDir.resolve("root.key"), other);
    try (SidecarProcess sidecar = SidecarProcess.launch(dataDir, Map.of())) {
      assertEquals(2, sidecar.awaitExit());
      assertTrue(sidecar.output().contains("stowaway: the root key does not match this vault"), sidecar.output());
    }
  }

  @Test
  void passphraseDerivedRootKeyReopensTheVault() throws IOException {
    Map<String, String> env = Map.of("STOWAWAY_ROOT_PASSPHRASE", "correct horse battery staple");
    try (SidecarProcess sidecar = SidecarProcess.launch(dataDir, env).awaitServing(); SecretsManagerClient sm = client(sidecar)) {
      assertFalse(Files.exists(dataDir.resolve("root.key")));
      sm.createSecret(r -> r.name("p").secretString("kept"));
      sidecar.terminate();
    }
    try (SidecarProcess sidecar = SidecarProcess.launch(dataDir, env).awaitServing(); SecretsManagerClient sm = client(sidecar)) {
      assertEquals("kept", sm.getSecretValue(r -> r.secretId("p")).secretString());
      sidecar.terminate();
    }
    try (SidecarProcess sidecar = SidecarProcess.launch(dataDir, Map.of("STOWAWAY_ROOT_PASSPHRASE", "wrong"))) {
      assertEquals(2, sidecar.awaitExit());
      assertTrue(sidecar.output().contains("the root key does not match this vault"), sidecar.output());
    }
  }

  @Test
  void awsCliWorksWithTheAdminCredentialsFileAlone() throws Exception {
    assumeTrue(onPath("aws"), "the AWS CLI is not installed here");
    try (SidecarProcess sidecar = SidecarProcess.start(dataDir)) {
      String created = aws(sidecar, "secretsmanager", "create-secret", "--name", "cli/db", "--secret-string", "from-the-cli");
      assertTrue(created.contains("\"Name\": \"cli/db\""), created);
      String got = aws(sidecar, "secretsmanager", "get-secret-value", "--secret-id", "cli/db");
      assertEquals("from-the-cli", new ObjectMapper().readTree(got).get("SecretString").asText());
      JsonNode events = new ObjectMapper().readTree(aws(sidecar, "cloudtrail", "lookup-events", "--lookup-attributes",
          "AttributeKey=ResourceName,AttributeValue=cli/db")).path("Events");
      assertEquals("GetSecretValue", events.path(0).path("EventName").asText(), events.toString());
      assertEquals("admin", events.path(0).path("Username").asText());
      assertEquals("CreateSecret", events.path(1).path("EventName").asText());
      String rule = aws(sidecar, "events", "put-rule", "--name", "cli-rule", "--state",
          "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS", "--event-pattern", "{\"source\":[\"aws.secretsmanager\"]}");
      assertEquals("arn:aws:events:us-east-1:123456789012:rule/cli-rule",
          new ObjectMapper().readTree(rule).path("RuleArn").asText());
      aws(sidecar, "events", "put-targets", "--rule", "cli-rule", "--targets", "Id=log,Arn=file:cli.jsonl");
      JsonNode targets = new ObjectMapper().readTree(aws(sidecar, "events", "list-targets-by-rule", "--rule", "cli-rule"));
      assertEquals("file:cli.jsonl", targets.path("Targets").path(0).path("Arn").asText());
      sidecar.terminate();
    }
  }

  private String aws(SidecarProcess sidecar, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("aws", "--endpoint-url", sidecar.endpoint().toString(), "--output", "json"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().keySet().removeIf(k -> k.startsWith("AWS_"));
    builder.environment().put("AWS_SHARED_CREDENTIALS_FILE", dataDir.resolve("admin-credentials").toString());
    builder.environment().put("AWS_CONFIG_FILE", dataDir.resolve("no-such-config").toString());
    Process p = builder.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
    return out;
  }

  private static boolean onPath(String program) {
    return Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
        .anyMatch(dir -> Files.isExecutable(Path.of(dir, program)));
  }

  private List<Path> dataFiles() throws IOException {
    try (Stream<Path> files = Files.walk(dataDir)) {
      return files.filter(Files::isRegularFile)
          .filter(f -> !f.getFileName().toString().equals("root.key"))
          .filter(f -> !f.getFileName().toString().equals("admin-credentials"))
          .toList();
    }
  }

  private static void assertNoneIn(List<Path> files, List<byte[]> needles, String when) throws IOException {
    assertFalse(files.isEmpty());
    for (Path file : files) {
      byte[] bytes = Files.readAllBytes(file);
      for (byte[] needle : needles) {
        assertFalse(indexOf(bytes, needle) >= 0, "plaintext found in " + file + " " + when);
      }
    }
  }

  @Test
  void indexOfFindsAPlantedNeedle() {
    byte[] hay = "xxPLAINTEXTyy".getBytes(StandardCharsets.UTF_8);
    assertEquals(2, indexOf(hay, "PLAINTEXT".getBytes(StandardCharsets.UTF_8)));
  }
}
