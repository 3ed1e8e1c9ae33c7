package dev.stowaway.sidecar.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stowaway.sidecar.testing.RawHttp;
import dev.stowaway.sidecar.testing.RunningSidecar;
import dev.stowaway.sidecar.testing.SignedHttp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.SecretListEntry;

/**
 * Hostile input, generated from a fixed seed and bounded in time, at a running sidecar: broken and
 * hostile JSON, nasty names, broken headers and signatures, oversized and short bodies, random
 * IAM policies, and connections that never finish their request. Every case must get an
 * AWS-shaped 4xx (or be accepted, when the mutation happens to be valid): never a 500, never a
 * hang; the sidecar stays healthy; and the store changes only by the requests it accepted.
 */
class FuzzIT {

  private static final long SEED = 0x5EEDL;
  private static final Duration BUDGET = Duration.ofSeconds(75);
  private static final int TIMEOUT_MILLIS = 15_000;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** How a case ended. The last three fail the suite. */
  enum Outcome { ACCEPTED, AWS_4XX, HTTP_4XX, SERVER_ERROR, NOT_AWS_SHAPED, NO_ANSWER }

  @TempDir static Path dataDir;
  static RunningSidecar sidecar;
  static SecretsManagerClient admin;
  static String keyId;
  static String secret;

  private final Random random = new Random(SEED);
  private final Map<String, Map<Outcome, Integer>> counts = new TreeMap<>();
  private final List<String> failures = new ArrayList<>();
  private int acceptedCreates;
  private int acceptedCreatesWithValue;
  private int acceptedPuts;

  @BeforeAll
  static void start() {
    sidecar = RunningSidecar.in(dataDir);
    admin = sidecar.client();
    keyId = sidecar.adminKey()[0];
    secret = sidecar.adminKey()[1];
    admin.createSecret(r -> r.name("fuzz/target").secretString("{\"password\":\"fuzz\"}"));
    admin.createSecret(r -> r.name("fuzz/other").secretString("other"));
    try (var iam = software.amazon.awssdk.services.iam.IamClient.builder().endpointOverride(sidecar.endpoint())
        .region(software.amazon.awssdk.regions.Region.AWS_GLOBAL).credentialsProvider(sidecar.adminCredentials())
        .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create()).build()) {
      iam.createUser(r -> r.userName("fuzzer")); // random policies go on this user, never on the administrator
    }
  }

  @AfterAll
  static void stop() {
    admin.close();
    sidecar.close();
  }

  @Test
  void hostileRequestsGetAwsShaped4xxAndLeaveTheSidecarHealthyAndTheStoreUnchanged() throws Exception {
    int secretsBefore = secrets().size();
    int versionsBefore = versions();
    long deadline = System.nanoTime() + BUDGET.toNanos();
    List<Map.Entry<String, Supplier<Outcome>>> kinds = List.of(
        Map.entry("json body", this::jsonBody),
        Map.entry("secret name", this::secretName),
        Map.entry("headers", this::headers),
        Map.entry("credential scope and time", this::scope),
        Map.entry("body size", this::bodySize),
        Map.entry("iam policy document", this::policyDocument),
        Map.entry("agent api", this::agentApi));
    int cases = 0;
    while (System.nanoTime() < deadline && cases < 6_000) {
      Map.Entry<String, Supplier<Outcome>> kind = kinds.get(random.nextInt(kinds.size()));
      Outcome outcome = kind.getValue().get();
      counts.computeIfAbsent(kind.getKey(), k -> new EnumMap<>(Outcome.class)).merge(outcome, 1, Integer::sum);
      if (++cases % 100 == 0) {
        assertHealthy();
      }
    }
    slowLoris();
    assertHealthy();
    print(cases);
    assertEquals(List.of(), failures.subList(0, Math.min(failures.size(), 20)), failures.size() + " bad outcomes");
    assertEquals(secretsBefore + acceptedCreates, secrets().size(), "only accepted CreateSecrets added secrets");
    for (SecretListEntry s : secrets()) {
      assertTrue(s.name().matches("[A-Za-z0-9/_+=.@-]{1,512}"), "a name AWS would refuse was accepted: " + s.name());
    }
    assertEquals(versionsBefore + acceptedPuts + acceptedCreatesWithValue, versions(),
        "only accepted writes added versions");
  }

  // ---- the kinds of case ------------------------------------------------------------------------

  private static final List<String> OPERATIONS = List.of("secretsmanager.CreateSecret", "secretsmanager.GetSecretValue",
      "secretsmanager.PutSecretValue", "secretsmanager.DescribeSecret", "secretsmanager.ListSecrets",
      "secretsmanager.UpdateSecretVersionStage", "secretsmanager.TagResource", "secretsmanager.GetRandomPassword",
      "secretsmanager.BatchGetSecretValue", "TrentService.Encrypt", "AmazonSSM.GetParameter",
      "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents");

  private Outcome jsonBody() {
    String target = OPERATIONS.get(random.nextInt(OPERATIONS.size()));
    ObjectNode valid = validBody(target);
    byte[] body = mutate(valid);
    return signedJson(target, body, "json body", "us-east-1", serviceOf(target), Clock.systemUTC());
  }

  private static String serviceOf(String target) {
    if (target.startsWith("TrentService")) {
      return "kms";
    }
    if (target.startsWith("AmazonSSM")) {
      return "ssm";
    }
    return target.startsWith("com.amazonaws.cloudtrail") ? "cloudtrail" : "secretsmanager";
  }

  private Outcome secretName() {
    ObjectNode body = JSON.createObjectNode().put("Name", nastyName()).put("SecretString", "v");
    return signedJson("secretsmanager.CreateSecret", bytes(body), "secret name", "us-east-1", "secretsmanager",
        Clock.systemUTC());
  }

  private Outcome headers() {
    String target = "secretsmanager.DescribeSecret";
    byte[] body = "{\"SecretId\":\"fuzz/target\"}".getBytes(StandardCharsets.UTF_8);
    Map<String, List<String>> signed = sign(target, body, "us-east-1", "secretsmanager", Clock.systemUTC());
    List<String> lines = new ArrayList<>(RawHttp.lines(signed));
    lines.removeIf(l -> l.toLowerCase().startsWith("content-length"));
    String what;
    switch (random.nextInt(8)) {
      case 0 -> {
        lines.removeIf(l -> l.startsWith("Authorization"));
        what = "no Authorization";
      }
      case 1 -> {
        lines.add("X-Amz-Target: secretsmanager.DeleteSecret");
        what = "a second X-Amz-Target";
      }
      case 2 -> {
        lines.replaceAll(l -> l.startsWith("Authorization") ? "Authorization: " + garble(l.substring(15)) : l);
        what = "garbled Authorization";
      }
      case 3 -> {
        lines.removeIf(l -> l.toLowerCase().startsWith("x-amz-target"));
        what = "no X-Amz-Target";
      }
      case 4 -> {
        lines.replaceAll(l -> l.toLowerCase().startsWith("x-amz-date") ? "X-Amz-Date: " + garble("20261130T000000Z") : l);
        what = "garbled X-Amz-Date";
      }
      case 5 -> {
        lines.add("X-Garbage: " + new String(randomBytes(40, 0x80, 0xff), StandardCharsets.ISO_8859_1));
        what = "high bytes in a header";
      }
      case 6 -> {
        lines.add("Authorization: AWS4-HMAC-SHA256 Credential=AKIA/x, SignedHeaders=host, Signature=00");
        what = "a second Authorization";
      }
      default -> {
        lines.replaceAll(l -> l.toLowerCase().startsWith("content-type") ? "Content-Type: text/plain" : l);
        what = "wrong Content-Type";
      }
    }
    lines.add("Content-Length: " + body.length);
    return raw("headers: " + what, "POST / HTTP/1.1", lines, body, true);
  }

  private Outcome scope() {
    String target = "secretsmanager.GetSecretValue";
    byte[] body = "{\"SecretId\":\"fuzz/target\"}".getBytes(StandardCharsets.UTF_8);
    return switch (random.nextInt(5)) {
      case 0 -> signedJson(target, body, "wrong region", "eu-west-1", "secretsmanager", Clock.systemUTC());
      case 1 -> signedJson(target, body, "wrong service", "us-east-1", "kms", Clock.systemUTC());
      case 2 -> signedJson(target, body, "expired", "us-east-1", "secretsmanager",
          Clock.offset(Clock.systemUTC(), Duration.ofMinutes(-16 - random.nextInt(10_000))));
      case 3 -> signedJson(target, body, "future-dated", "us-east-1", "secretsmanager",
          Clock.offset(Clock.systemUTC(), Duration.ofMinutes(16 + random.nextInt(10_000))));
      default -> signedJson(target, body, "another key's secret", "us-east-1", "secretsmanager", Clock.systemUTC(),
          keyId, secret.substring(1) + "x");
    };
  }

  private Outcome bodySize() {
    String target = "secretsmanager.PutSecretValue";
    if (random.nextBoolean()) {
      int size = UndertowServer.MAX_BODY_BYTES + 1 + random.nextInt(2 * UndertowServer.MAX_BODY_BYTES);
      byte[] body = new byte[size];
      java.util.Arrays.fill(body, (byte) 'a');
      return signedJson(target, body, "oversized body", "us-east-1", "secretsmanager", Clock.systemUTC());
    }
    // A body shorter than its Content-Length, the connection half-closed after it.
    byte[] body = "{\"SecretId\":\"fuzz/target\",\"SecretString\":\"x\"}".getBytes(StandardCharsets.UTF_8);
    Map<String, List<String>> signed = sign(target, body, "us-east-1", "secretsmanager", Clock.systemUTC());
    List<String> lines = new ArrayList<>(RawHttp.lines(signed));
    lines.removeIf(l -> l.toLowerCase().startsWith("content-length"));
    lines.add("Content-Length: " + (body.length + 1 + random.nextInt(1000)));
    return raw("short body", "POST / HTTP/1.1", lines, body, true);
  }

  private Outcome policyDocument() {
    String document = randomPolicy().toString();
    if (random.nextInt(4) == 0) {
      document = new String(mutate((ObjectNode) parse(document)), StandardCharsets.UTF_8);
    }
    String form = "Action=PutUserPolicy&Version=2010-05-08&UserName=fuzzer&PolicyName=fuzz"
        + "&PolicyDocument=" + java.net.URLEncoder.encode(document, StandardCharsets.UTF_8);
    byte[] body = form.getBytes(StandardCharsets.UTF_8);
    Map<String, List<String>> signed = SignedHttp.sign("POST", sidecar.endpoint(), Map.of("Content-Type",
        "application/x-www-form-urlencoded; charset=utf-8"), body, keyId, secret, "us-east-1", "iam", Clock.systemUTC());
    List<String> lines = new ArrayList<>(RawHttp.lines(signed));
    lines.removeIf(l -> l.toLowerCase().startsWith("content-length"));
    lines.add("Content-Length: " + body.length);
    return raw("iam policy", "POST / HTTP/1.1", lines, body, false);
  }

  private Outcome agentApi() {
    String path = switch (random.nextInt(4)) {
      case 0 -> "/secretsmanager/get?secretId=" + java.net.URLEncoder.encode(nastyName(), StandardCharsets.UTF_8);
      case 1 -> "/v1/" + java.net.URLEncoder.encode(nastyName(), StandardCharsets.UTF_8).replace("%2F", "/");
      case 2 -> "/secretsmanager/get?" + garble("secretId=fuzz/target&versionStage=AWSCURRENT");
      default -> "/v1/fuzz/target?refreshNow=" + garble("true");
    };
    List<String> lines = new ArrayList<>(List.of("Host: " + sidecar.endpoint().getAuthority()));
    if (random.nextBoolean()) {
      lines.add("X-Aws-Parameters-Secrets-Token: " + garble("stw_notatoken"));
    }
    String requestLine = "GET " + path.replace(' ', '+') + " HTTP/1.1";
    try {
      RawHttp.Answer answer = RawHttp.send(sidecar.endpoint(), requestLine, lines, new byte[0], TIMEOUT_MILLIS);
      if (answer.timedOut() || answer.status() < 0) {
        return fail("agent api " + requestLine, Outcome.NO_ANSWER, answer.body());
      }
      if (answer.status() >= 500) {
        return fail("agent api " + requestLine, Outcome.SERVER_ERROR, answer.body());
      }
      return answer.status() < 300 ? Outcome.ACCEPTED : Outcome.AWS_4XX; // the agent API answers as AWS's agent does
    } catch (IOException e) {
      return fail("agent api " + requestLine, Outcome.NO_ANSWER, e.toString());
    }
  }

  /** Connections that send half a request and stall: they must not starve others, and must be closed. */
  private void slowLoris() throws IOException, InterruptedException {
    List<Socket> stalled = new ArrayList<>();
    try {
      for (int i = 0; i < 40; i++) {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(sidecar.endpoint().getHost(), sidecar.endpoint().getPort()), 5_000);
        OutputStream out = s.getOutputStream();
        out.write(("POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Targ").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        stalled.add(s);
      }
      long started = System.nanoTime();
      assertEquals("other", admin.getSecretValue(r -> r.secretId("fuzz/other")).secretString(),
          "a normal request is served while 40 connections stall");
      System.out.printf("fuzz: a normal request took %d ms beside 40 stalled connections%n",
          (System.nanoTime() - started) / 1_000_000);
      for (Socket s : stalled) {
        s.setSoTimeout(TIMEOUT_MILLIS + 5_000);
        InputStream in = s.getInputStream();
        byte[] rest = in.readAllBytes(); // the server gives up on the request (10 s) and closes
        counts.computeIfAbsent("stalled connection", k -> new EnumMap<>(Outcome.class))
            .merge(rest.length == 0 || new String(rest, StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 4")
                ? Outcome.HTTP_4XX : Outcome.NOT_AWS_SHAPED, 1, Integer::sum);
      }
    } finally {
      for (Socket s : stalled) {
        s.close();
      }
    }
  }

  // ---- sending and judging -------------------------------------------------------------------------

  private Outcome signedJson(String target, byte[] body, String what, String region, String service, Clock clock) {
    return signedJson(target, body, what, region, service, clock, keyId, secret);
  }

  private Outcome signedJson(String target, byte[] body, String what, String region, String service, Clock clock,
      String id, String key) {
    Map<String, List<String>> signed = SignedHttp.sign("POST", sidecar.endpoint(), Map.of(
        "Content-Type", "application/x-amz-json-1.1", "X-Amz-Target", target), body, id, key, region, service, clock);
    List<String> lines = new ArrayList<>(RawHttp.lines(signed));
    lines.removeIf(l -> l.toLowerCase().startsWith("content-length"));
    lines.add("Content-Length: " + body.length);
    Outcome outcome = raw(what + " " + target, "POST / HTTP/1.1", lines, body, false);
    if (outcome == Outcome.ACCEPTED && target.endsWith("CreateSecret")) {
      acceptedCreates++;
      JsonNode request = parse(new String(body, StandardCharsets.UTF_8));
      if (request != null && (request.hasNonNull("SecretString") || request.hasNonNull("SecretBinary"))) {
        acceptedCreatesWithValue++;
      }
    } else if (outcome == Outcome.ACCEPTED && target.endsWith("PutSecretValue")) {
      acceptedPuts++;
    }
    return outcome;
  }

  private Outcome raw(String what, String requestLine, List<String> headers, byte[] body, boolean protocolLevel) {
    RawHttp.Answer answer;
    try {
      answer = RawHttp.send(sidecar.endpoint(), requestLine, headers, body, TIMEOUT_MILLIS);
    } catch (IOException e) {
      return fail(what, Outcome.NO_ANSWER, e.toString());
    }
    if (answer.timedOut() || answer.status() < 0) {
      return fail(what, Outcome.NO_ANSWER, answer.body());
    }
    if (answer.status() >= 500) {
      return fail(what, Outcome.SERVER_ERROR, answer.body());
    }
    if (answer.status() < 300) {
      return Outcome.ACCEPTED;
    }
    if (awsShaped(answer.body())) {
      return Outcome.AWS_4XX;
    }
    if (protocolLevel && answer.status() == 400 && answer.body().isEmpty()) {
      return Outcome.HTTP_4XX; // not a parseable HTTP request: Undertow refuses it before any API sees it
    }
    return fail(what, Outcome.NOT_AWS_SHAPED, answer.status() + " " + answer.body());
  }

  private static boolean awsShaped(String body) {
    JsonNode json = parse(body);
    if (json != null && json.hasNonNull("__type")) {
      return true;
    }
    return body.contains("<ErrorResponse") && body.contains("<Code>");
  }

  private Outcome fail(String what, Outcome outcome, String detail) {
    failures.add(outcome + " for " + what + ": " + (detail.length() > 300 ? detail.substring(0, 300) : detail));
    return outcome;
  }

  private Map<String, List<String>> sign(String target, byte[] body, String region, String service, Clock clock) {
    return SignedHttp.sign("POST", sidecar.endpoint(), Map.of("Content-Type", "application/x-amz-json-1.1",
        "X-Amz-Target", target), body, keyId, secret, region, service, clock);
  }

  private void assertHealthy() {
    try {
      RawHttp.Answer alive = RawHttp.send(sidecar.endpoint(), "GET /healthz HTTP/1.1",
          List.of("Host: " + sidecar.endpoint().getAuthority()), new byte[0], TIMEOUT_MILLIS);
      RawHttp.Answer ready = RawHttp.send(sidecar.endpoint(), "GET /readyz HTTP/1.1",
          List.of("Host: " + sidecar.endpoint().getAuthority()), new byte[0], TIMEOUT_MILLIS);
      assertEquals(200, alive.status(), alive.body());
      assertEquals(200, ready.status(), ready.body());
    } catch (IOException e) {
      throw new AssertionError("the sidecar stopped answering", e);
    }
  }

  private void print(int cases) {
    StringBuilder table = new StringBuilder(String.format("fuzz: %d cases in the time budget, seed %d%n", cases, SEED));
    table.append(String.format("%-28s", "kind"));
    for (Outcome o : Outcome.values()) {
      table.append(String.format("%15s", o));
    }
    table.append('\n');
    counts.forEach((kind, byOutcome) -> {
      table.append(String.format("%-28s", kind));
      for (Outcome o : Outcome.values()) {
        table.append(String.format("%15d", byOutcome.getOrDefault(o, 0)));
      }
      table.append('\n');
    });
    System.out.print(table);
  }

  private List<SecretListEntry> secrets() {
    List<SecretListEntry> all = new ArrayList<>();
    admin.listSecretsPaginator(r -> r.includePlannedDeletion(true)).forEach(page -> all.addAll(page.secretList()));
    return all;
  }

  private int versions() {
    int total = 0;
    for (SecretListEntry s : secrets()) {
      total += admin.listSecretVersionIds(r -> r.secretId(s.arn()).includeDeprecated(true)).versions().size();
    }
    return total;
  }

  // ---- generators ---------------------------------------------------------------------------------

  private ObjectNode validBody(String target) {
    ObjectNode body = JSON.createObjectNode();
    switch (target.substring(target.lastIndexOf('.') + 1)) {
      case "CreateSecret" -> body.put("Name", "fuzz/new-" + random.nextInt(1_000_000)).put("SecretString", "v");
      case "PutSecretValue" -> body.put("SecretId", "fuzz/target").put("SecretString", "v" + random.nextInt());
      case "UpdateSecretVersionStage" -> body.put("SecretId", "fuzz/target").put("VersionStage", "FUZZ");
      case "TagResource" -> body.put("SecretId", "fuzz/target").putArray("Tags").addObject().put("Key", "k")
          .put("Value", "v");
      case "GetRandomPassword" -> body.put("PasswordLength", 20).put("ExcludeNumbers", true);
      case "BatchGetSecretValue" -> body.putArray("SecretIdList").add("fuzz/target").add("fuzz/other");
      case "ListSecrets" -> body.put("MaxResults", 5).putArray("Filters").addObject().put("Key", "name")
          .putArray("Values").add("fuzz");
      case "Encrypt" -> body.put("KeyId", "alias/aws/secretsmanager").put("Plaintext", "aGVsbG8=");
      case "GetParameter" -> body.put("Name", "/fuzz/p").put("WithDecryption", true);
      case "LookupEvents" -> body.put("MaxResults", 5).putArray("LookupAttributes").addObject()
          .put("AttributeKey", "EventName").put("AttributeValue", "GetSecretValue");
      default -> body.put("SecretId", "fuzz/target");
    }
    return body;
  }

  /** One mutation of a valid body: its text broken, or one of its values replaced by something hostile. */
  private byte[] mutate(ObjectNode valid) {
    byte[] text = bytes(valid);
    switch (random.nextInt(10)) {
      case 0 -> {
        return java.util.Arrays.copyOf(text, random.nextInt(text.length));
      }
      case 1 -> {
        int depth = 20 + random.nextInt(2_000);
        return ("{\"SecretId\":" + "[".repeat(depth) + "]".repeat(depth) + "}").getBytes(StandardCharsets.UTF_8);
      }
      case 2 -> {
        byte[] out = text.clone();
        out[random.nextInt(out.length)] = (byte) (0x80 + random.nextInt(0x80)); // invalid UTF-8
        return out;
      }
      case 3 -> {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int at = random.nextInt(text.length);
        out.write(text, 0, at);
        out.write(0);
        out.write(text, at, text.length - at);
        return out.toByteArray();
      }
      case 4 -> {
        String s = new String(text, StandardCharsets.UTF_8);
        return (s.substring(0, s.length() - 1) + "," + s.substring(1)).getBytes(StandardCharsets.UTF_8); // duplicate keys
      }
      default -> {
        ObjectNode copy = valid.deepCopy();
        List<String> fields = new ArrayList<>();
        copy.fieldNames().forEachRemaining(fields::add);
        String field = fields.get(random.nextInt(fields.size()));
        switch (random.nextInt(7)) {
          case 0 -> copy.put(field, random.nextLong());
          case 1 -> copy.putArray(field).add("x").addObject();
          case 2 -> copy.putObject(field).put("nested", true);
          case 3 -> copy.putNull(field);
          case 4 -> copy.put(field, "x".repeat(1 + random.nextInt(600_000)));
          case 5 -> copy.put(field, nastyName());
          default -> copy.put(field, random.nextBoolean());
        }
        return bytes(copy);
      }
    }
  }

  private static final List<String> NASTY = List.of("../../etc/passwd", "..\\..\\windows", "a/../../b", "%2e%2e%2f",
      "\u202eevil", "nul\u0000byte", "emoji-\uD83D\uDD11", "\uFEFFbom", "trailing ", " leading", "", "a".repeat(600),
      "arn:aws:secretsmanager:us-east-1:123456789012:secret:fuzz/target", "fuzz/target-", "*", "?", "$(reboot)",
      "'; DROP TABLE secrets; --", "<script>", "\uD800lonely-surrogate", "line\nbreak", "tab\there");

  private String nastyName() {
    if (random.nextInt(3) == 0) {
      StringBuilder s = new StringBuilder();
      for (int i = 0, n = 1 + random.nextInt(40); i < n; i++) {
        s.appendCodePoint(random.nextInt(3) == 0 ? 0x20 + random.nextInt(0x60) : random.nextInt(0x10FFFF));
      }
      return s.toString();
    }
    return NASTY.get(random.nextInt(NASTY.size()));
  }

  private String garble(String s) {
    char[] c = s.toCharArray();
    for (int i = 0, n = 1 + random.nextInt(4); i < n && c.length > 0; i++) {
      c[random.nextInt(c.length)] = (char) (0x21 + random.nextInt(0x5d));
    }
    return new String(c);
  }

  private byte[] randomBytes(int n, int from, int to) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (from + random.nextInt(to - from + 1));
    }
    return b;
  }

  /** A policy document with IAM's vocabulary in random shapes. */
  private ObjectNode randomPolicy() {
    ObjectNode policy = JSON.createObjectNode();
    if (random.nextInt(5) > 0) {
      policy.put("Version", random.nextBoolean() ? "2012-10-17" : "2008-10-17");
    }
    ArrayNode statements = policy.putArray("Statement");
    for (int i = 0, n = random.nextInt(4); i < n; i++) {
      ObjectNode st = statements.addObject();
      st.put("Effect", List.of("Allow", "Deny", "allow", "Maybe").get(random.nextInt(4)));
      String[] actionKeys = {"Action", "NotAction"};
      String[] actions = {"*", "secretsmanager:*", "secretsmanager:Get*", "iam:PassRole", "s3:", "", ":", "kms:Decrypt"};
      st.put(actionKeys[random.nextInt(2)], actions[random.nextInt(actions.length)]);
      String[] resources = {"*", "arn:aws:secretsmanager:*:*:secret:prod/*", "arn:", "not an arn", "arn:aws:iam::*:user/${aws:username}"};
      if (random.nextInt(4) > 0) {
        st.put(random.nextBoolean() ? "Resource" : "NotResource", resources[random.nextInt(resources.length)]);
      }
      if (random.nextBoolean()) {
        String[] ops = {"StringEquals", "StringLike", "NumericLessThan", "DateGreaterThan", "Bool", "IpAddress",
            "ArnLike", "Null", "ForAnyValue:StringEquals", "StringEqualsIfExists", "NoSuchOperator"};
        String[] keys = {"aws:username", "aws:SourceIp", "aws:CurrentTime", "aws:SecureTransport", "secretsmanager:Name",
            "aws:RequestTag/team", "bogus"};
        String[] values = {"x", "10.0.0.0/8", "2026-01-01T00:00:00Z", "true", "not-a-date", "300.1.1.1/99", ""};
        st.putObject("Condition").putObject(ops[random.nextInt(ops.length)])
            .put(keys[random.nextInt(keys.length)], values[random.nextInt(values.length)]);
      }
      if (random.nextInt(6) == 0) {
        st.put("Principal", "*");
      }
    }
    if (random.nextInt(8) == 0) {
      policy.put("Statement", "not a statement");
    }
    return policy;
  }

  private static byte[] bytes(JsonNode node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode parse(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      return null;
    }
  }
}
