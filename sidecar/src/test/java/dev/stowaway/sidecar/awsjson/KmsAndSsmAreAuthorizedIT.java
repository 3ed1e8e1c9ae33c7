package dev.stowaway.sidecar.awsjson;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stowaway.sidecar.testing.RunningSidecar;
import dev.stowaway.sidecar.testing.SignedHttp;
import dev.stowaway.vault.identity.Caller;
import dev.stowaway.vault.identity.NewAccessKey;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every KMS and Parameter Store operation the sidecar serves is refused to a user without
 * policies, naming its own action. The operations come from the served tables.
 */
class KmsAndSsmAreAuthorizedIT {

  @TempDir
  static Path dataDir;

  static RunningSidecar sidecar;
  static NewAccessKey nobody;
  static String keyId;
  static String blob;

  @BeforeAll
  static void start() {
    sidecar = RunningSidecar.in(dataDir);
    var vault = sidecar.sidecar().vault();
    vault.identity().as(Caller.SYSTEM).createUser("nobody", null);
    nobody = vault.identity().as(Caller.SYSTEM).createAccessKey("nobody");
    keyId = vault.keys().createKey("k", null, null).key().keyId();
    blob = Base64.getEncoder().encodeToString(vault.keys().encrypt(keyId, "x".getBytes(StandardCharsets.UTF_8),
        Map.of()).ciphertextBlob());
    vault.keys().createAlias("alias/app", keyId);
    vault.parameters().put("/app/p", "v", "String", false, null, null, null, null, null, null);
  }

  @AfterAll
  static void stop() {
    sidecar.close();
  }

  private static Map<String, String> kmsBodies() {
    String key = "{\"KeyId\":\"" + keyId + "\"";
    return Map.ofEntries(
        Map.entry("CreateKey", "{}"), Map.entry("ListKeys", "{}"), Map.entry("ListAliases", "{}"),
        Map.entry("CreateAlias", "{\"AliasName\":\"alias/x\",\"TargetKeyId\":\"" + keyId + "\"}"),
        Map.entry("UpdateAlias", "{\"AliasName\":\"alias/app\",\"TargetKeyId\":\"" + keyId + "\"}"),
        Map.entry("DeleteAlias", "{\"AliasName\":\"alias/app\"}"),
        Map.entry("Encrypt", key + ",\"Plaintext\":\"eA==\"}"),
        Map.entry("Decrypt", "{\"CiphertextBlob\":\"" + blob + "\"}"),
        Map.entry("ReEncrypt", "{\"CiphertextBlob\":\"" + blob + "\",\"DestinationKeyId\":\"" + keyId + "\"}"),
        Map.entry("GenerateDataKey", key + ",\"KeySpec\":\"AES_256\"}"),
        Map.entry("GenerateDataKeyWithoutPlaintext", key + ",\"KeySpec\":\"AES_256\"}"),
        Map.entry("ScheduleKeyDeletion", key + ",\"PendingWindowInDays\":7}"));
  }

  private static final Map<String, String> SSM_BODIES = Map.of(
      "PutParameter", "{\"Name\":\"/app/q\",\"Value\":\"v\",\"Type\":\"String\"}",
      "GetParameters", "{\"Names\":[\"/app/p\"]}",
      "GetParametersByPath", "{\"Path\":\"/app\"}",
      "DeleteParameters", "{\"Names\":[\"/app/p\"]}",
      "DescribeParameters", "{}",
      "LabelParameterVersion", "{\"Name\":\"/app/p\",\"Labels\":[\"l\"]}",
      "UnlabelParameterVersion", "{\"Name\":\"/app/p\",\"ParameterVersion\":1,\"Labels\":[\"l\"]}",
      "AddTagsToResource", "{\"ResourceType\":\"Parameter\",\"ResourceId\":\"/app/p\",\"Tags\":[{\"Key\":\"k\",\"Value\":\"v\"}]}",
      "RemoveTagsFromResource", "{\"ResourceType\":\"Parameter\",\"ResourceId\":\"/app/p\",\"TagKeys\":[\"k\"]}",
      "ListTagsForResource", "{\"ResourceType\":\"Parameter\",\"ResourceId\":\"/app/p\"}");

  /** KMS names the action of ReEncrypt after its two halves; the first checked is the source's. */
  private static final Map<String, String> ACTIONS = Map.of("ReEncrypt", "kms:ReEncryptFrom");

  static Stream<Arguments> servedOperations() {
    var vault = sidecar.sidecar().vault();
    Stream<Arguments> kms = new KmsApi(vault.keys(), "123456789012").operations().keySet().stream()
        .map(op -> Arguments.of("TrentService", "kms", op, kmsBodies().getOrDefault(op, "{\"KeyId\":\"" + keyId + "\"}")));
    Stream<Arguments> ssm = new SsmApi(vault.parameters()).operations().keySet().stream()
        .map(op -> Arguments.of("AmazonSSM", "ssm", op, SSM_BODIES.getOrDefault(op, "{\"Name\":\"/app/p\"}")));
    return Stream.concat(kms, ssm);
  }

  @ParameterizedTest(name = "{2}")
  @MethodSource("servedOperations")
  void refusedWithoutAPolicyNamingItsOwnAction(String prefix, String service, String operation, String body)
      throws IOException {
    URI uri = URI.create(sidecar.endpoint() + "/");
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    var headers = SignedHttp.sign("POST", uri, Map.of("Content-Type", "application/x-amz-json-1.1",
        "X-Amz-Target", prefix + "." + operation), bytes, nobody.accessKeyId(), nobody.secretAccessKey(),
        "us-east-1", service, Clock.systemUTC());
    HttpResponse<String> response = SignedHttp.send("POST", uri, headers, bytes);
    JsonNode error = new ObjectMapper().readTree(response.body());
    assertEquals(400, response.statusCode(), response.body());
    assertEquals("AccessDeniedException", error.get("__type").asText(), response.body());
    String action = ACTIONS.getOrDefault(operation, service + ":" + operation);
    assertTrue(error.get("Message").asText().startsWith("User: arn:aws:iam::123456789012:user/nobody is not authorized "
        + "to perform: " + action + " on resource: "), error.get("Message").asText());
  }
}
