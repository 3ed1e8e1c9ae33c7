package dev.stowaway.sidecar.awsjson;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stowaway.sidecar.testing.AuditRecords;
import dev.stowaway.sidecar.testing.ByteSearch;
import dev.stowaway.sidecar.testing.RunningSidecar;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AccessKey;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.GetParametersResponse;
import software.amazon.awssdk.services.ssm.model.Parameter;
import software.amazon.awssdk.services.ssm.model.ParameterHistory;
import software.amazon.awssdk.services.ssm.model.ParameterType;
import software.amazon.awssdk.services.ssm.model.SsmException;

/** Parameter Store through the real SDK's SsmClient. */
class ParameterStoreIT {

  @TempDir Path dataDir;
  private RunningSidecar sidecar;
  private SsmClient ssm;

  @BeforeEach
  void start() {
    sidecar = RunningSidecar.in(dataDir);
    ssm = SsmClient.builder().endpointOverride(sidecar.endpoint()).region(Region.US_EAST_1)
        .credentialsProvider(sidecar.adminCredentials()).httpClient(UrlConnectionHttpClient.create()).build();
  }

  @AfterEach
  void stop() {
    ssm.close();
    sidecar.close();
  }

  private static String code(Exception e) {
    return ((SsmException) e).awsErrorDetails().errorCode();
  }

  @Test
  void aHierarchyOfTwoHundredIsReadBackByPathInPages() {
    for (int i = 0; i < 200; i++) {
      String service = "svc" + (i % 4);
      int n = i;
      ssm.putParameter(r -> r.name("/orders/prod/" + service + "/key" + String.format("%03d", n)).value("v" + n)
          .type(ParameterType.STRING));
    }
    ssm.putParameter(r -> r.name("/orders/prod/top").value("top").type(ParameterType.STRING));
    List<Parameter> all = new ArrayList<>();
    String token = null;
    int pages = 0;
    do {
      String next = token;
      var page = ssm.getParametersByPath(r -> r.path("/orders/prod").recursive(true).maxResults(10).nextToken(next));
      assertTrue(page.parameters().size() <= 10);
      all.addAll(page.parameters());
      token = page.nextToken();
      pages++;
    } while (token != null);
    assertEquals(201, all.size());
    assertEquals(21, pages);
    assertEquals(all.stream().map(Parameter::name).sorted().toList(), all.stream().map(Parameter::name).toList());
    List<String> oneLevel = ssm.getParametersByPathPaginator(r -> r.path("/orders/prod")).stream().flatMap(p -> p.parameters().stream())
        .map(Parameter::name).toList();
    assertEquals(List.of("/orders/prod/top"), oneLevel);
    assertEquals(50, ssm.getParametersByPathPaginator(r -> r.path("/orders/prod/svc1/").recursive(false))
        .stream().mapToLong(p -> p.parameters().size()).sum());
  }

  @Test
  void aSecureStringIsEncryptedAtRestAndDecryptedOnRequest() throws Exception {
    ssm.putParameter(r -> r.name("/orders/prod/db/password").value("s3cure-param-0001").type(ParameterType.SECURE_STRING));
    Parameter plain = ssm.getParameter(r -> r.name("/orders/prod/db/password")).parameter();
    assertEquals(ParameterType.SECURE_STRING, plain.type());
    assertNotEquals("s3cure-param-0001", plain.value(), "without WithDecryption the ciphertext comes back");
    assertEquals("s3cure-param-0001",
        ssm.getParameter(r -> r.name("/orders/prod/db/password").withDecryption(true)).parameter().value());
    assertEquals("s3cure-param-0001", ssm.getParametersByPath(r -> r.path("/orders/prod/db").withDecryption(true))
        .parameters().get(0).value());
    ssm.putParameter(r -> r.name("/orders/prod/db/password").value("s3cure-param-0002").overwrite(true));
    sidecar.restart();
    ssm.close();
    ssm = SsmClient.builder().endpointOverride(sidecar.endpoint()).region(Region.US_EAST_1)
        .credentialsProvider(sidecar.adminCredentials()).httpClient(UrlConnectionHttpClient.create()).build();
    assertEquals("s3cure-param-0002", ssm.getParameter(r -> r.name("/orders/prod/db/password").withDecryption(true))
        .parameter().value());
    for (Path file : files()) {
      if (file.getFileName().toString().equals("root.key") || file.getFileName().toString().equals("admin-credentials")) {
        continue;
      }
      byte[] bytes = Files.readAllBytes(file);
      for (String plaintext : List.of("s3cure-param-0001", "s3cure-param-0002")) {
        assertEquals(-1, ByteSearch.indexOf(bytes, plaintext.getBytes(StandardCharsets.UTF_8)), plaintext + " in " + file);
      }
    }
  }

  private List<Path> files() throws Exception {
    try (Stream<Path> walk = Files.walk(dataDir)) {
      return walk.filter(Files::isRegularFile).toList();
    }
  }

  @Test
  void historyVersionsSelectorsAndLabels() {
    for (String v : List.of("one", "two", "three")) {
      ssm.putParameter(r -> r.name("/app/flag").value(v).type(ParameterType.STRING).overwrite(true));
    }
    assertEquals("two", ssm.getParameter(r -> r.name("/app/flag:2")).parameter().value());
    assertEquals(":2", ssm.getParameter(r -> r.name("/app/flag:2")).parameter().selector());
    var labelled = ssm.labelParameterVersion(r -> r.name("/app/flag").parameterVersion(1L).labels("stable", "1bad"));
    assertEquals(List.of("1bad"), labelled.invalidLabels());
    assertEquals("one", ssm.getParameter(r -> r.name("/app/flag:stable")).parameter().value());
    ssm.labelParameterVersion(r -> r.name("/app/flag").labels("stable"));
    assertEquals("three", ssm.getParameter(r -> r.name("/app/flag:stable")).parameter().value(), "the label moved");
    List<ParameterHistory> history = ssm.getParameterHistory(r -> r.name("/app/flag")).parameters();
    assertEquals(List.of(1L, 2L, 3L), history.stream().map(ParameterHistory::version).toList());
    assertEquals(List.of(), history.get(0).labels());
    assertEquals(List.of("stable"), history.get(2).labels());
    var unlabelled = ssm.unlabelParameterVersion(r -> r.name("/app/flag").parameterVersion(3L).labels("stable", "nope"));
    assertEquals(List.of("stable"), unlabelled.removedLabels());
    assertEquals(List.of("nope"), unlabelled.invalidLabels());
    SsmException missing = assertThrows(SsmException.class, () -> ssm.getParameter(r -> r.name("/app/flag:9")));
    assertEquals("ParameterVersionNotFound", code(missing));
    assertEquals("Systems Manager could not find version 9 of /app/flag. Verify the version and try again.",
        missing.awsErrorDetails().errorMessage());
    GetParametersResponse many = ssm.getParameters(r -> r.names("/app/flag", "/app/none", "/app/flag:1"));
    assertEquals(List.of("three", "one"), many.parameters().stream().map(Parameter::value).toList());
    assertEquals(List.of("/app/none"), many.invalidParameters());
  }

  @Test
  void awsRulesAndErrorsAreKept() {
    ssm.putParameter(r -> r.name("/app/x").value("1").type(ParameterType.STRING));
    assertEquals("ParameterAlreadyExists", code(assertThrows(SsmException.class,
        () -> ssm.putParameter(r -> r.name("/app/x").value("2").type(ParameterType.STRING)))));
    SsmException notFound = assertThrows(SsmException.class, () -> ssm.getParameter(r -> r.name("/app/none")));
    assertEquals("ParameterNotFound", code(notFound));
    assertEquals("ValidationException", code(assertThrows(SsmException.class,
        () -> ssm.putParameter(r -> r.name("/aws/mine").value("1").type(ParameterType.STRING)))));
    assertEquals("ValidationException", code(assertThrows(SsmException.class,
        () -> ssm.putParameter(r -> r.name("SSM-thing").value("1").type(ParameterType.STRING)))));
    assertEquals("HierarchyLevelLimitExceededException", code(assertThrows(SsmException.class,
        () -> ssm.putParameter(r -> r.name("/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p").value("1").type(ParameterType.STRING)))));
    SsmException pattern = assertThrows(SsmException.class, () -> ssm.putParameter(r -> r.name("/app/port")
        .value("eighty").type(ParameterType.STRING).allowedPattern("^\\d+$")));
    assertEquals("ParameterPatternMismatchException", code(pattern));
    assertEquals("Parameter value, cannot be validated against allowedPattern: ^\\d+$",
        pattern.awsErrorDetails().errorMessage());
    ssm.labelParameterVersion(r -> r.name("/app/x").labels("l1", "l2", "l3", "l4", "l5", "l6", "l7", "l8", "l9", "l10"));
    assertEquals("ParameterVersionLabelLimitExceeded", code(assertThrows(SsmException.class,
        () -> ssm.labelParameterVersion(r -> r.name("/app/x").labels("l11")))));
    ssm.deleteParameter(r -> r.name("/app/x"));
    assertEquals("ParameterNotFound", code(assertThrows(SsmException.class, () -> ssm.deleteParameter(r -> r
        .name("/app/x")))));
  }

  @Test
  void describeTagsAndDeleteMany() {
    ssm.putParameter(r -> r.name("/app/a").value("1").type(ParameterType.STRING).description("first")
        .tags(t -> t.key("team").value("orders")));
    ssm.putParameter(r -> r.name("/app/b").value("2").type(ParameterType.STRING_LIST));
    ssm.putParameter(r -> r.name("/other/c").value("3").type(ParameterType.SECURE_STRING));
    assertEquals(List.of("/app/a", "/app/b"), ssm.describeParametersPaginator(r -> r.parameterFilters(f -> f
        .key("Path").option("Recursive").values("/app"))).stream().flatMap(page -> page.parameters().stream()).map(p -> p.name()).toList());
    assertEquals(List.of("/other/c"), ssm.describeParametersPaginator(r -> r.parameterFilters(f -> f.key("Type")
        .values("SecureString"))).stream().flatMap(page -> page.parameters().stream()).map(p -> p.name()).toList());
    assertEquals("alias/aws/ssm", ssm.describeParameters(r -> r.parameterFilters(f -> f.key("Name").values("/other/c")))
        .parameters().get(0).keyId());
    assertEquals(List.of("/app/a"), ssm.describeParametersPaginator(r -> r.parameterFilters(f -> f.key("tag:team")
        .values("orders"))).stream().flatMap(page -> page.parameters().stream()).map(p -> p.name()).toList());
    ssm.addTagsToResource(r -> r.resourceType("Parameter").resourceId("/app/b").tags(t -> t.key("k").value("v")));
    assertEquals("v", ssm.listTagsForResource(r -> r.resourceType("Parameter").resourceId("/app/b")).tagList().get(0)
        .value());
    ssm.removeTagsFromResource(r -> r.resourceType("Parameter").resourceId("/app/b").tagKeys("k"));
    assertTrue(ssm.listTagsForResource(r -> r.resourceType("Parameter").resourceId("/app/b")).tagList().isEmpty());
    var deleted = ssm.deleteParameters(r -> r.names("/app/a", "/app/none"));
    assertEquals(List.of("/app/a"), deleted.deletedParameters());
    assertEquals(List.of("/app/none"), deleted.invalidParameters());
  }

  @Test
  void aSecretReferenceReadsSecretsManager() throws Exception {
    try (SecretsManagerClient sm = sidecar.client()) {
      String arn = sm.createSecret(r -> r.name("prod/db").secretString("{\"password\":\"ref-0001\"}")).arn();
      SsmException without = assertThrows(SsmException.class,
          () -> ssm.getParameter(r -> r.name("/aws/reference/secretsmanager/prod/db")));
      assertEquals("ValidationException", code(without));
      assertEquals("WithDecryption flag must be True for retrieving a Secret Manager secret.",
          without.awsErrorDetails().errorMessage());
      Parameter ref = ssm.getParameter(r -> r.name("/aws/reference/secretsmanager/prod/db").withDecryption(true))
          .parameter();
      assertEquals(ParameterType.SECURE_STRING, ref.type());
      assertEquals("{\"password\":\"ref-0001\"}", ref.value());
      assertEquals(arn, new ObjectMapper().readTree(ref.sourceResult()).path("ARN").asText());
      assertEquals("ParameterNotFound", code(assertThrows(SsmException.class, () -> ssm.getParameter(r -> r
          .name("/aws/reference/secretsmanager/nope").withDecryption(true)))));
      sm.putSecretValue(r -> r.secretId("prod/db").secretString("{\"password\":\"ref-0002\"}"));
      assertEquals("{\"password\":\"ref-0001\"}", ssm.getParameter(r -> r
          .name("/aws/reference/secretsmanager/prod/db:AWSPREVIOUS").withDecryption(true)).parameter().value());
      GetParametersResponse many = ssm.getParameters(r -> r.names("/aws/reference/secretsmanager/prod/db")
          .withDecryption(true));
      assertEquals("{\"password\":\"ref-0002\"}", many.parameters().get(0).value());
      assertEquals("ValidationException", code(assertThrows(SsmException.class, () -> ssm.getParametersByPath(r -> r
          .path("/aws/reference/secretsmanager").withDecryption(true)))));
    }
  }

  @Test
  void aReferenceNeedsBothSsmAndSecretsManagerPermissions() {
    try (SecretsManagerClient sm = sidecar.client();
         IamClient iam = IamClient.builder().endpointOverride(sidecar.endpoint()).region(Region.AWS_GLOBAL)
             .credentialsProvider(sidecar.adminCredentials()).httpClient(UrlConnectionHttpClient.create()).build()) {
      sm.createSecret(r -> r.name("prod/db").secretString("x"));
      iam.createUser(r -> r.userName("app"));
      iam.putUserPolicy(r -> r.userName("app").policyName("ssm").policyDocument("{\"Version\":\"2012-10-17\","
          + "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"ssm:GetParameter\",\"Resource\":\"*\"}]}"));
      AccessKey key = iam.createAccessKey(r -> r.userName("app")).accessKey();
      try (SsmClient app = SsmClient.builder().endpointOverride(sidecar.endpoint()).region(Region.US_EAST_1)
          .httpClient(UrlConnectionHttpClient.create()).credentialsProvider(StaticCredentialsProvider.create(
              AwsBasicCredentials.create(key.accessKeyId(), key.secretAccessKey()))).build()) {
        SsmException denied = assertThrows(SsmException.class, () -> app.getParameter(r -> r
            .name("/aws/reference/secretsmanager/prod/db").withDecryption(true)));
        assertEquals("AccessDeniedException", code(denied));
        assertTrue(denied.awsErrorDetails().errorMessage().contains("secretsmanager:GetSecretValue"),
            denied.awsErrorDetails().errorMessage());
        iam.putUserPolicy(r -> r.userName("app").policyName("sm").policyDocument("{\"Version\":\"2012-10-17\","
            + "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"secretsmanager:GetSecretValue\",\"Resource\":\"*\"}]}"));
        assertEquals("x", app.getParameter(r -> r.name("/aws/reference/secretsmanager/prod/db").withDecryption(true))
            .parameter().value());
      }
    }
  }

  @Test
  void aSecureStringOnACustomerKeyFollowsTheKey() {
    try (KmsClient kms = KmsClient.builder().endpointOverride(sidecar.endpoint()).region(Region.US_EAST_1)
        .credentialsProvider(sidecar.adminCredentials()).httpClient(UrlConnectionHttpClient.create()).build()) {
      String key = kms.createKey(r -> r.description("params")).keyMetadata().keyId();
      ssm.putParameter(r -> r.name("/app/token").value("t0k3n").type(ParameterType.SECURE_STRING).keyId(key));
      assertEquals(key, ssm.describeParameters(r -> r.parameterFilters(f -> f.key("Name").values("/app/token")))
          .parameters().get(0).keyId());
      kms.disableKey(r -> r.keyId(key));
      assertEquals("InvalidKeyId", code(assertThrows(SsmException.class, () -> ssm.getParameter(r -> r
          .name("/app/token").withDecryption(true)))));
      kms.enableKey(r -> r.keyId(key));
      assertEquals("t0k3n", ssm.getParameter(r -> r.name("/app/token").withDecryption(true)).parameter().value());
    }
  }

  @Test
  void secureStringValuesAreHiddenInTheAuditTrail() {
    ssm.putParameter(r -> r.name("/app/secret").value("audit-hidden-0001").type(ParameterType.SECURE_STRING));
    ssm.getParameter(r -> r.name("/app/secret").withDecryption(true));
    assertEquals(-1, ByteSearch.indexOf(AuditRecords.allBytes(dataDir), "audit-hidden-0001".getBytes(StandardCharsets.UTF_8)));
    var put = AuditRecords.in(dataDir).stream().filter(r -> r.path("eventName").asText().equals("PutParameter"))
        .findFirst().orElseThrow();
    assertEquals("HIDDEN_DUE_TO_SECURITY_REASONS", put.path("requestParameters").path("value").asText());
    assertEquals("ssm.amazonaws.com", put.path("eventSource").asText());
    assertFalse(put.path("resources").isEmpty());
  }
}
