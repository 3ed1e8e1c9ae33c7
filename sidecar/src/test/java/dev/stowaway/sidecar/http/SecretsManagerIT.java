package dev.stowaway.sidecar.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stowaway.sidecar.testing.RunningSidecar;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.BatchGetSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.CreateSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.DeleteSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.Filter;
import software.amazon.awssdk.services.secretsmanager.model.FilterNameStringType;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.InvalidNextTokenException;
import software.amazon.awssdk.services.secretsmanager.model.InvalidParameterException;
import software.amazon.awssdk.services.secretsmanager.model.InvalidRequestException;
import software.amazon.awssdk.services.secretsmanager.model.ListSecretVersionIdsResponse;
import software.amazon.awssdk.services.secretsmanager.model.ListSecretsResponse;
import software.amazon.awssdk.services.secretsmanager.model.PutSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.ResourceExistsException;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;
import software.amazon.awssdk.services.secretsmanager.model.SecretListEntry;
import software.amazon.awssdk.services.secretsmanager.model.SecretsManagerException;
import software.amazon.awssdk.services.secretsmanager.model.SortOrderType;
import software.amazon.awssdk.services.secretsmanager.model.Tag;

/** Every Secrets Manager operation through the real AWS SDK v2 client, over HTTP with SigV4. */
class SecretsManagerIT {

  @TempDir
  static Path dataDir;

  static RunningSidecar sidecar;
  static SecretsManagerClient sm;

  @BeforeAll
  static void start() {
    sidecar = RunningSidecar.in(dataDir);
    sm = sidecar.client();
  }

  @AfterAll
  static void stop() {
    sm.close();
    sidecar.close();
  }

  private static String unique(String prefix) {
    return prefix + "/" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static CreateSecretResponse create(String name, String value) {
    return sm.createSecret(r -> r.name(name).secretString(value));
  }

  private static <T extends SecretsManagerException> T refused(Class<T> type, String message, Executable call) {
    T e = assertThrows(type, call);
    assertEquals(400, e.statusCode());
    assertEquals(message, e.awsErrorDetails().errorMessage());
    return e;
  }

  @Test
  void createThenGetByNameAndByArn() {
    String name = unique("prod/db");
    CreateSecretResponse created = sm.createSecret(r -> r.name(name).secretString("{\"password\":\"p1\"}")
        .description("orders database").tags(Tag.builder().key("team").value("orders").build()));
    assertTrue(created.arn().startsWith("arn:aws:secretsmanager:us-east-1:123456789012:secret:" + name + "-"));
    GetSecretValueResponse byName = sm.getSecretValue(r -> r.secretId(name));
    assertEquals("{\"password\":\"p1\"}", byName.secretString());
    assertEquals(List.of("AWSCURRENT"), byName.versionStages());
    assertEquals(created.versionId(), byName.versionId());
    assertNotNull(byName.createdDate());
    assertEquals("{\"password\":\"p1\"}", sm.getSecretValue(r -> r.secretId(created.arn())).secretString());
    String partial = created.arn().substring(0, created.arn().length() - 7);
    assertEquals(name, sm.getSecretValue(r -> r.secretId(partial)).name());
  }

  @Test
  void binarySecretRoundTrips() {
    String name = unique("bin");
    byte[] bytes = {0, 1, 2, 3, (byte) 0xfe, (byte) 0xff};
    sm.createSecret(r -> r.name(name).secretBinary(SdkBytes.fromByteArray(bytes)));
    GetSecretValueResponse got = sm.getSecretValue(r -> r.secretId(name));
    assertEquals(SdkBytes.fromByteArray(bytes), got.secretBinary());
    assertNull(got.secretString());
  }

  @Test
  void putSecretValueMovesCurrentAndPrevious() {
    String name = unique("rotating");
    String v1 = create(name, "one").versionId();
    PutSecretValueResponse put = sm.putSecretValue(r -> r.secretId(name).secretString("two"));
    assertEquals(List.of("AWSCURRENT"), put.versionStages());
    assertEquals("two", sm.getSecretValue(r -> r.secretId(name)).secretString());
    GetSecretValueResponse previous = sm.getSecretValue(r -> r.secretId(name).versionStage("AWSPREVIOUS"));
    assertEquals("one", previous.secretString());
    assertEquals(v1, previous.versionId());
  }

  @Test
  void clientRequestTokenMakesPutIdempotent() {
    String name = unique("idem");
    create(name, "one");
    String token = UUID.randomUUID().toString();
    String first = sm.putSecretValue(r -> r.secretId(name).secretString("two").clientRequestToken(token)).versionId();
    String again = sm.putSecretValue(r -> r.secretId(name).secretString("two").clientRequestToken(token)).versionId();
    assertEquals(token, first);
    assertEquals(first, again);
    refused(ResourceExistsException.class, "You can't modify an existing version, you can only create a new version.",
        () -> sm.putSecretValue(r -> r.secretId(name).secretString("three").clientRequestToken(token)));
    assertEquals(2, sm.listSecretVersionIds(r -> r.secretId(name).includeDeprecated(true)).versions().size());
  }

  @Test
  void updateSecretVersionStageMovesCurrentToAPendingVersion() {
    String name = unique("staged");
    String v1 = create(name, "one").versionId();
    String v2 = sm.putSecretValue(r -> r.secretId(name).secretString("two").versionStages("AWSPENDING")).versionId();
    assertEquals("one", sm.getSecretValue(r -> r.secretId(name)).secretString());
    sm.updateSecretVersionStage(r -> r.secretId(name).versionStage("AWSCURRENT").removeFromVersionId(v1).moveToVersionId(v2));
    assertEquals("two", sm.getSecretValue(r -> r.secretId(name)).secretString());
    Map<String, List<String>> stages = sm.describeSecret(r -> r.secretId(name)).versionIdsToStages();
    assertEquals(List.of("AWSPREVIOUS"), stages.get(v1));
    assertEquals(List.of("AWSPENDING", "AWSCURRENT"), stages.get(v2));
  }

  @Test
  void movingAnAttachedLabelNeedsRemoveFrom() {
    String name = unique("staged");
    String v1 = create(name, "one").versionId();
    String v2 = sm.putSecretValue(r -> r.secretId(name).secretString("two").versionStages("AWSPENDING")).versionId();
    refused(InvalidParameterException.class, "The parameter RemoveFromVersionId can't be empty. Staging label AWSCURRENT "
        + "is currently attached to version " + v1 + ", so you must explicitly reference that version in "
        + "RemoveFromVersionId.", () -> sm.updateSecretVersionStage(r -> r.secretId(name).versionStage("AWSCURRENT").moveToVersionId(v2)));
  }

  @Test
  void updateSecretChangesDescriptionAndValue() {
    String name = unique("upd");
    create(name, "one");
    assertNull(sm.updateSecret(r -> r.secretId(name).description("now described")).versionId());
    assertNotNull(sm.updateSecret(r -> r.secretId(name).secretString("two")).versionId());
    DescribeSecretResponse d = sm.describeSecret(r -> r.secretId(name));
    assertEquals("now described", d.description());
    assertEquals("two", sm.getSecretValue(r -> r.secretId(name)).secretString());
  }

  @Test
  void describeShowsDatesTagsAndStages() {
    String name = unique("desc");
    Instant before = Instant.now().minusSeconds(5);
    String v1 = sm.createSecret(r -> r.name(name).secretString("x").tags(Tag.builder().key("k").value("v").build())).versionId();
    DescribeSecretResponse d = sm.describeSecret(r -> r.secretId(name));
    assertEquals(name, d.name());
    assertEquals(List.of(Tag.builder().key("k").value("v").build()), d.tags());
    assertEquals(Map.of(v1, List.of("AWSCURRENT")), d.versionIdsToStages());
    assertTrue(d.createdDate().isAfter(before));
    assertNull(d.deletedDate());
  }

  @Test
  void listSecretsFiltersSortsAndPages() {
    String prefix = unique("list");
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      String name = prefix + "/s" + i;
      create(name, "v" + i);
      names.add(name);
    }
    List<String> seen = new ArrayList<>();
    String token = null;
    do {
      String t = token;
      ListSecretsResponse page = sm.listSecrets(r -> r.maxResults(2).nextToken(t).sortOrder(SortOrderType.ASC)
          .filters(Filter.builder().key(FilterNameStringType.NAME).values(prefix).build()));
      page.secretList().stream().map(SecretListEntry::name).forEach(seen::add);
      token = page.nextToken();
    } while (token != null);
    assertEquals(names, seen);
    ListSecretsResponse negated = sm.listSecrets(r -> r.filters(
        Filter.builder().key(FilterNameStringType.NAME).values(prefix).build(),
        Filter.builder().key(FilterNameStringType.NAME).values("!" + prefix + "/s0").build()));
    assertEquals(4, negated.secretList().size());
    assertFalse(negated.secretList().stream().anyMatch(e -> e.name().equals(prefix + "/s0")));
  }

  @Test
  void listSecretsSortsByNameAndRefusesAForgedToken() {
    String prefix = unique("byname");
    for (String leaf : List.of("m", "a", "z")) {
      create(prefix + "/" + leaf, "v");
    }
    ListSecretsResponse page = sm.listSecrets(r -> r.sortBy("name").sortOrder(SortOrderType.DESC).maxResults(2)
        .filters(Filter.builder().key(FilterNameStringType.NAME).values(prefix).build()));
    assertEquals(List.of(prefix + "/z", prefix + "/m"), page.secretList().stream().map(SecretListEntry::name).toList());
    refused(InvalidNextTokenException.class, "The NextToken value is invalid.",
        () -> sm.listSecrets(r -> r.nextToken("bm90LWEtdG9rZW4")));
  }

  @Test
  void versionsNameTheDefaultKey() {
    String name = unique("kms");
    create(name, "x");
    assertEquals(List.of("DefaultEncryptionKey"),
        sm.listSecretVersionIds(r -> r.secretId(name)).versions().get(0).kmsKeyIds());
  }

  @Test
  void replicaRegionsAreRefusedPlainly() {
    refused(InvalidParameterException.class,
        "Replication to other regions is not supported by this sidecar; remove AddReplicaRegions.",
        () -> sm.createSecret(r -> r.name(unique("replica")).secretString("x")
            .addReplicaRegions(b -> b.region("eu-west-1"))));
  }

  @Test
  void listSecretsFiltersByTagKeyAndValue() {
    String name = unique("tagged");
    String marker = "m" + UUID.randomUUID().toString().substring(0, 6);
    sm.createSecret(r -> r.name(name).secretString("x").tags(Tag.builder().key(marker).value("blue-" + marker).build()));
    assertEquals(List.of(name), sm.listSecrets(r -> r.filters(Filter.builder().key(FilterNameStringType.TAG_KEY)
        .values(marker).build())).secretList().stream().map(SecretListEntry::name).toList());
    assertEquals(List.of(name), sm.listSecrets(r -> r.filters(Filter.builder().key(FilterNameStringType.TAG_VALUE)
        .values("blue-" + marker).build())).secretList().stream().map(SecretListEntry::name).toList());
    assertEquals(List.of(name), sm.listSecrets(r -> r.filters(Filter.builder().key(FilterNameStringType.ALL)
        .values(marker.toUpperCase()).build())).secretList().stream().map(SecretListEntry::name).toList());
  }

  @Test
  void listSecretVersionIdsHidesDeprecatedUnlessAsked() {
    String name = unique("versions");
    create(name, "1");
    sm.putSecretValue(r -> r.secretId(name).secretString("2"));
    sm.putSecretValue(r -> r.secretId(name).secretString("3"));
    ListSecretVersionIdsResponse labelled = sm.listSecretVersionIds(r -> r.secretId(name));
    assertEquals(2, labelled.versions().size());
    assertEquals(name, labelled.name());
    assertEquals(3, sm.listSecretVersionIds(r -> r.secretId(name).includeDeprecated(true)).versions().size());
  }

  @Test
  void deleteRestoreAndForceDelete() {
    String name = unique("del");
    create(name, "x");
    DeleteSecretResponse deleted = sm.deleteSecret(r -> r.secretId(name).recoveryWindowInDays(7L));
    assertTrue(deleted.deletionDate().isAfter(Instant.now().plus(Duration.ofDays(6))));
    refused(InvalidRequestException.class, "You can't perform this operation on the secret because it was marked for deletion.",
        () -> sm.getSecretValue(r -> r.secretId(name)));
    assertNotNull(sm.describeSecret(r -> r.secretId(name)).deletedDate());
    assertTrue(sm.listSecrets(r -> r.includePlannedDeletion(true)).secretList().stream().anyMatch(e -> e.name().equals(name)));
    assertFalse(sm.listSecrets(r -> r.includePlannedDeletion(false)).secretList().stream().anyMatch(e -> e.name().equals(name)));
    sm.restoreSecret(r -> r.secretId(name));
    assertEquals("x", sm.getSecretValue(r -> r.secretId(name)).secretString());
    sm.deleteSecret(r -> r.secretId(name).forceDeleteWithoutRecovery(true));
    refused(ResourceNotFoundException.class, "Secrets Manager can't find the specified secret.",
        () -> sm.describeSecret(r -> r.secretId(name)));
  }

  @Test
  void deleteArgumentsAreCheckedAsAwsDoes() {
    String name = unique("del");
    create(name, "x");
    refused(InvalidParameterException.class, "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).",
        () -> sm.deleteSecret(r -> r.secretId(name).recoveryWindowInDays(31L)));
    refused(InvalidParameterException.class, "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
        () -> sm.deleteSecret(r -> r.secretId(name).recoveryWindowInDays(7L).forceDeleteWithoutRecovery(true)));
  }

  @Test
  void tagAndUntagResource() {
    String name = unique("tags");
    create(name, "x");
    sm.tagResource(r -> r.secretId(name).tags(Tag.builder().key("a").value("1").build(), Tag.builder().key("b").value("2").build()));
    sm.untagResource(r -> r.secretId(name).tagKeys("a"));
    assertEquals(List.of(Tag.builder().key("b").value("2").build()), sm.describeSecret(r -> r.secretId(name)).tags());
  }

  @Test
  void batchGetSecretValueByIdsReportsErrorsPerSecret() {
    String a = unique("batch");
    create(a, "va");
    BatchGetSecretValueResponse r = sm.batchGetSecretValue(b -> b.secretIdList(a, "no/such/secret"));
    assertEquals(List.of("va"), r.secretValues().stream().map(v -> v.secretString()).toList());
    assertEquals(1, r.errors().size());
    assertEquals("no/such/secret", r.errors().get(0).secretId());
    assertEquals("ResourceNotFoundException", r.errors().get(0).errorCode());
  }

  @Test
  void batchGetSecretValueByFilter() {
    String prefix = unique("bf");
    create(prefix + "/a", "1");
    create(prefix + "/b", "2");
    BatchGetSecretValueResponse r = sm.batchGetSecretValue(b -> b.filters(
        Filter.builder().key(FilterNameStringType.NAME).values(prefix).build()));
    assertEquals(List.of("1", "2"), r.secretValues().stream().map(v -> v.secretString()).sorted().toList());
  }

  @Test
  void getRandomPasswordHonoursOptions() {
    String p = sm.getRandomPassword(r -> r.passwordLength(40L).excludePunctuation(true)).randomPassword();
    assertEquals(40, p.length());
    assertTrue(p.chars().allMatch(Character::isLetterOrDigit));
  }

  @Test
  void missingSecretIsResourceNotFound() {
    refused(ResourceNotFoundException.class, "Secrets Manager can't find the specified secret.",
        () -> sm.getSecretValue(r -> r.secretId("does/not/exist")));
  }

  @Test
  void duplicateNameIsResourceExists() {
    String name = unique("dup");
    create(name, "x");
    refused(ResourceExistsException.class, "The operation failed because the secret " + name + " already exists.",
        () -> create(name, "y"));
  }

  @Test
  void invalidNameIsInvalidParameter() {
    refused(InvalidParameterException.class, "Invalid name. Must be a valid name containing alphanumeric characters, "
        + "or any of the following: -/_+=.@!", () -> create("bad name!", "x"));
  }

  @Test
  void bothStringAndBinaryIsInvalidParameter() {
    refused(InvalidParameterException.class,
        "You can't specify both a binary secret value and a string secret value in the same secret.",
        () -> sm.createSecret(r -> r.name(unique("both")).secretString("s").secretBinary(SdkBytes.fromUtf8String("b"))));
  }

  @Test
  void oversizedValueIsAValidationError() {
    SecretsManagerException e = refused(SecretsManagerException.class, "1 validation error detected: Value at "
        + "'secretString' failed to satisfy constraint: Member must have length less than or equal to 65536",
        () -> create(unique("big"), "x".repeat(65_537)));
    assertEquals("ValidationException", e.awsErrorDetails().errorCode());
  }

  @Test
  void valueOfExactly64KiBIsStored() {
    String name = unique("max");
    String value = "y".repeat(65_536);
    create(name, value);
    assertEquals(value, sm.getSecretValue(r -> r.secretId(name)).secretString());
  }
}
