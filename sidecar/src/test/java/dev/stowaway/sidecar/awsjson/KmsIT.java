package dev.stowaway.sidecar.awsjson;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stowaway.sidecar.testing.AuditRecords;
import dev.stowaway.sidecar.testing.ByteSearch;
import dev.stowaway.sidecar.testing.RunningSidecar;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AccessKey;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.KeyState;
import software.amazon.awssdk.services.kms.model.KmsException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.SecretsManagerException;

/** KMS through the real SDK's KmsClient, and secrets kept under a customer managed key. */
class KmsIT {

  @TempDir Path dataDir;
  private RunningSidecar sidecar;
  private KmsClient kms;
  private SecretsManagerClient sm;

  @BeforeEach
  void start() {
    sidecar = RunningSidecar.in(dataDir);
    kms = KmsClient.builder().endpointOverride(sidecar.endpoint()).region(Region.US_EAST_1)
        .credentialsProvider(sidecar.adminCredentials()).httpClient(UrlConnectionHttpClient.create()).build();
    sm = sidecar.client();
  }

  @AfterEach
  void stop() {
    kms.close();
    sm.close();
    sidecar.close();
  }

  private static SdkBytes bytes(String s) {
    return SdkBytes.fromUtf8String(s);
  }

  private String newKey() {
    return kms.createKey(r -> r.description("orders")).keyMetadata().keyId();
  }

  private static String code(Exception e) {
    return ((KmsException) e).awsErrorDetails().errorCode();
  }

  @Test
  void aKeyIsCreatedDescribedAndListedAsKmsShowsIt() {
    KeyMetadata created = kms.createKey(r -> r.description("orders")).keyMetadata();
    assertEquals("arn:aws:kms:us-east-1:123456789012:key/" + created.keyId(), created.arn());
    assertEquals(KeyState.ENABLED, created.keyState());
    assertEquals("CUSTOMER", created.keyManagerAsString());
    assertEquals("SYMMETRIC_DEFAULT", created.keySpecAsString());
    assertEquals("123456789012", created.awsAccountId());
    kms.createAlias(r -> r.aliasName("alias/orders").targetKeyId(created.keyId()));
    assertEquals(created.keyId(), kms.describeKey(r -> r.keyId("alias/orders")).keyMetadata().keyId());
    assertEquals(created.keyId(), kms.describeKey(r -> r.keyId(created.arn())).keyMetadata().keyId());
    List<String> ids = kms.listKeysPaginator(r -> r.limit(1)).keys().stream().map(k -> k.keyId()).toList();
    assertEquals(3, ids.size(), "aws/secretsmanager, aws/ssm and ours: " + ids);
    assertTrue(ids.contains(created.keyId()));
    KmsException missing = assertThrows(KmsException.class, () -> kms.describeKey(r -> r.keyId("alias/nope")));
    assertEquals("NotFoundException", missing.awsErrorDetails().errorCode());
    assertEquals("Alias arn:aws:kms:us-east-1:123456789012:alias/nope is not found.", missing.awsErrorDetails()
        .errorMessage());
  }

  @Test
  void encryptAndDecryptHonourTheEncryptionContext() {
    String key = newKey();
    Map<String, String> context = Map.of("app", "orders");
    SdkBytes blob = kms.encrypt(r -> r.keyId(key).plaintext(bytes("hunter2")).encryptionContext(context)).ciphertextBlob();
    var decrypted = kms.decrypt(r -> r.ciphertextBlob(blob).encryptionContext(context));
    assertEquals("hunter2", decrypted.plaintext().asUtf8String());
    assertTrue(decrypted.keyId().endsWith(key));
    KmsException wrongContext = assertThrows(KmsException.class, () -> kms.decrypt(r -> r.ciphertextBlob(blob)
        .encryptionContext(Map.of("app", "billing"))));
    assertEquals("InvalidCiphertextException", code(wrongContext));
    String other = newKey();
    assertEquals("IncorrectKeyException", code(assertThrows(KmsException.class, () -> kms.decrypt(r -> r
        .ciphertextBlob(blob).encryptionContext(context).keyId(other)))));
    assertEquals("InvalidCiphertextException", code(assertThrows(KmsException.class, () -> kms.decrypt(r -> r
        .ciphertextBlob(bytes("not a ciphertext at all"))))));
    SdkBytes moved = kms.reEncrypt(r -> r.ciphertextBlob(blob).sourceEncryptionContext(context)
        .destinationKeyId(other)).ciphertextBlob();
    assertEquals("hunter2", kms.decrypt(r -> r.ciphertextBlob(moved)).plaintext().asUtf8String());
  }

  @Test
  void dataKeysComeWithAndWithoutPlaintext() {
    String key = newKey();
    var dataKey = kms.generateDataKey(r -> r.keyId(key).keySpec(DataKeySpec.AES_256));
    assertEquals(32, dataKey.plaintext().asByteArray().length);
    assertArrayEquals(dataKey.plaintext().asByteArray(),
        kms.decrypt(r -> r.ciphertextBlob(dataKey.ciphertextBlob())).plaintext().asByteArray());
    var without = kms.generateDataKeyWithoutPlaintext(r -> r.keyId(key).numberOfBytes(64));
    assertEquals(64, kms.decrypt(r -> r.ciphertextBlob(without.ciphertextBlob())).plaintext().asByteArray().length);
    assertEquals("ValidationException", code(assertThrows(KmsException.class, () -> kms.generateDataKey(r -> r
        .keyId(key)))));
  }

  @Test
  void aliasesFollowKmsRules() {
    String key = newKey();
    String other = newKey();
    kms.createAlias(r -> r.aliasName("alias/orders").targetKeyId(key));
    assertEquals("AlreadyExistsException", code(assertThrows(KmsException.class, () -> kms.createAlias(r -> r
        .aliasName("alias/orders").targetKeyId(other)))));
    kms.updateAlias(r -> r.aliasName("alias/orders").targetKeyId(other));
    assertEquals(other, kms.describeKey(r -> r.keyId("alias/orders")).keyMetadata().keyId());
    assertTrue(kms.listAliases().aliases().stream().anyMatch(a -> a.aliasName().equals("alias/aws/secretsmanager")));
    assertEquals(List.of("alias/orders"), kms.listAliases(r -> r.keyId(other)).aliases().stream()
        .map(a -> a.aliasName()).toList());
    assertEquals("UnsupportedOperationException", code(assertThrows(KmsException.class,
        () -> kms.deleteAlias(r -> r.aliasName("alias/aws/secretsmanager")))));
    assertEquals("UnsupportedOperationException", code(assertThrows(KmsException.class,
        () -> kms.createAlias(r -> r.aliasName("alias/aws/mine").targetKeyId(key)))));
    kms.deleteAlias(r -> r.aliasName("alias/orders"));
    assertEquals("NotFoundException", code(assertThrows(KmsException.class,
        () -> kms.describeKey(r -> r.keyId("alias/orders")))));
  }

  @Test
  void disabledAndDeletionPendingKeysCannotBeUsed() {
    String key = newKey();
    SdkBytes blob = kms.encrypt(r -> r.keyId(key).plaintext(bytes("x"))).ciphertextBlob();
    kms.disableKey(r -> r.keyId(key));
    KmsException disabled = assertThrows(KmsException.class, () -> kms.decrypt(r -> r.ciphertextBlob(blob)));
    assertEquals("DisabledException", code(disabled));
    assertEquals("arn:aws:kms:us-east-1:123456789012:key/" + key + " is disabled.", disabled.awsErrorDetails().errorMessage());
    kms.enableKey(r -> r.keyId(key));
    var scheduled = kms.scheduleKeyDeletion(r -> r.keyId(key).pendingWindowInDays(7));
    assertEquals(KeyState.PENDING_DELETION, scheduled.keyState());
    assertTrue(Duration.between(Instant.now(), scheduled.deletionDate()).toDays() >= 6);
    assertEquals("KMSInvalidStateException", code(assertThrows(KmsException.class,
        () -> kms.encrypt(r -> r.keyId(key).plaintext(bytes("y"))))));
    kms.cancelKeyDeletion(r -> r.keyId(key));
    assertEquals(KeyState.DISABLED, kms.describeKey(r -> r.keyId(key)).keyMetadata().keyState());
    assertEquals("ValidationException", code(assertThrows(KmsException.class,
        () -> kms.scheduleKeyDeletion(r -> r.keyId(key).pendingWindowInDays(6)))));
    String managed = kms.describeKey(r -> r.keyId("alias/aws/secretsmanager")).keyMetadata().keyId();
    assertEquals("UnsupportedOperationException", code(assertThrows(KmsException.class,
        () -> kms.disableKey(r -> r.keyId(managed)))));
  }

  @Test
  void rotatedKeysStillDecryptWhatTheyEncryptedBefore() {
    String key = newKey();
    SdkBytes before = kms.encrypt(r -> r.keyId(key).plaintext(bytes("before"))).ciphertextBlob();
    kms.rotateKeyOnDemand(r -> r.keyId(key));
    SdkBytes after = kms.encrypt(r -> r.keyId(key).plaintext(bytes("after"))).ciphertextBlob();
    assertEquals("before", kms.decrypt(r -> r.ciphertextBlob(before)).plaintext().asUtf8String());
    assertEquals("after", kms.decrypt(r -> r.ciphertextBlob(after)).plaintext().asUtf8String());
    assertNotNull(kms.getKeyRotationStatus(r -> r.keyId(key)).onDemandRotationStartDate());
    kms.enableKeyRotation(r -> r.keyId(key).rotationPeriodInDays(90));
    var status = kms.getKeyRotationStatus(r -> r.keyId(key));
    assertTrue(status.keyRotationEnabled());
    assertEquals(90, status.rotationPeriodInDays());
    assertEquals(89, Duration.between(Instant.now(), status.nextRotationDate()).toDays());
    kms.disableKeyRotation(r -> r.keyId(key));
    assertFalse(kms.getKeyRotationStatus(r -> r.keyId(key)).keyRotationEnabled());
    assertNull(kms.getKeyRotationStatus(r -> r.keyId(key)).nextRotationDate());
  }

  @Test
  void aSecretOnACustomerKeyFollowsTheKeysState() {
    String key = newKey();
    kms.createAlias(r -> r.aliasName("alias/orders").targetKeyId(key));
    sm.createSecret(r -> r.name("orders/db").kmsKeyId("alias/orders").secretString("v1"));
    assertEquals("alias/orders", sm.describeSecret(r -> r.secretId("orders/db")).kmsKeyId());
    kms.rotateKeyOnDemand(r -> r.keyId(key));
    sm.putSecretValue(r -> r.secretId("orders/db").secretString("v2"));
    assertEquals("v2", sm.getSecretValue(r -> r.secretId("orders/db")).secretString());
    assertEquals("v1", sm.getSecretValue(r -> r.secretId("orders/db").versionStage("AWSPREVIOUS")).secretString(),
        "the version sealed before the rotation still opens");

    kms.disableKey(r -> r.keyId(key));
    SecretsManagerException disabled = assertThrows(SecretsManagerException.class,
        () -> sm.getSecretValue(r -> r.secretId("orders/db")));
    assertEquals("DecryptionFailure", disabled.awsErrorDetails().errorCode());
    assertEquals("arn:aws:kms:us-east-1:123456789012:key/" + key + " is disabled.", disabled.awsErrorDetails().errorMessage());
    kms.enableKey(r -> r.keyId(key));
    assertEquals("v2", sm.getSecretValue(r -> r.secretId("orders/db")).secretString());

    String other = newKey();
    sm.updateSecret(r -> r.secretId("orders/db").kmsKeyId(other).secretString("v3"));
    kms.disableKey(r -> r.keyId(key));
    assertEquals("v3", sm.getSecretValue(r -> r.secretId("orders/db")).secretString(), "new versions use the new key");
    assertEquals("DecryptionFailure", assertThrows(SecretsManagerException.class, () -> sm.getSecretValue(r -> r
        .secretId("orders/db").versionStage("AWSPREVIOUS"))).awsErrorDetails().errorCode());
  }

  @Test
  void readingASecretOnACustomerKeyNeedsKmsDecrypt() {
    String key = newKey();
    sm.createSecret(r -> r.name("orders/db").kmsKeyId(key).secretString("v1"));
    sm.createSecret(r -> r.name("plain/db").secretString("p1"));
    try (IamClient iam = IamClient.builder().endpointOverride(sidecar.endpoint()).region(Region.AWS_GLOBAL)
        .credentialsProvider(sidecar.adminCredentials()).httpClient(UrlConnectionHttpClient.create()).build()) {
      iam.createUser(r -> r.userName("app"));
      iam.putUserPolicy(r -> r.userName("app").policyName("read").policyDocument("{\"Version\":\"2012-10-17\","
          + "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"secretsmanager:GetSecretValue\",\"Resource\":\"*\"}]}"));
      AccessKey access = iam.createAccessKey(r -> r.userName("app")).accessKey();
      try (SecretsManagerClient app = sidecar.client(StaticCredentialsProvider.create(
          AwsBasicCredentials.create(access.accessKeyId(), access.secretAccessKey())))) {
        assertEquals("p1", app.getSecretValue(r -> r.secretId("plain/db")).secretString(), "the AWS managed key needs none");
        SecretsManagerException denied = assertThrows(SecretsManagerException.class,
            () -> app.getSecretValue(r -> r.secretId("orders/db")));
        assertEquals("AccessDeniedException", denied.awsErrorDetails().errorCode());
        assertTrue(denied.awsErrorDetails().errorMessage().startsWith("Access to KMS is not allowed. User: "
            + "arn:aws:iam::123456789012:user/app is not authorized to perform: kms:Decrypt on resource: "
            + "arn:aws:kms:us-east-1:123456789012:key/" + key), denied.awsErrorDetails().errorMessage());
        iam.putUserPolicy(r -> r.userName("app").policyName("key").policyDocument("{\"Version\":\"2012-10-17\","
            + "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"kms:Decrypt\",\"Resource\":\"arn:aws:kms:us-east-1:"
            + "123456789012:key/" + key + "\"}]}"));
        assertEquals("v1", app.getSecretValue(r -> r.secretId("orders/db")).secretString());
      }
    }
  }

  @Test
  void noPlaintextOfTheCryptoCallsIsAudited() {
    String key = newKey();
    SdkBytes blob = kms.encrypt(r -> r.keyId(key).plaintext(bytes("kms-plaintext-0001"))).ciphertextBlob();
    kms.decrypt(r -> r.ciphertextBlob(blob));
    var dataKey = kms.generateDataKey(r -> r.keyId(key).keySpec(DataKeySpec.AES_256));
    byte[] audit = AuditRecords.allBytes(dataDir);
    assertEquals(-1, ByteSearch.indexOf(audit, "kms-plaintext-0001".getBytes(StandardCharsets.UTF_8)));
    assertEquals(-1, ByteSearch.indexOf(audit, dataKey.plaintext().asByteArray()));
    assertEquals(-1, ByteSearch.indexOf(audit, java.util.Base64.getEncoder().encode(dataKey.plaintext().asByteArray())));
    assertEquals(-1, ByteSearch.indexOf(audit, java.util.Base64.getEncoder().encode(
        "kms-plaintext-0001".getBytes(StandardCharsets.UTF_8))));
  }
}
