package dev.stowaway.vault.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stowaway.vault.Vault;
import dev.stowaway.vault.VaultError;
import dev.stowaway.vault.VaultException;
import dev.stowaway.vault.testing.MutableClock;
import dev.stowaway.vault.testing.TestVaults;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class SecretsServiceTest {

  private static final String TOKEN_A = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
  private static final String TOKEN_B = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb";

  private final MutableClock clock = MutableClock.at("2026-03-01T10:00:00Z");
  private final Vault vault = TestVaults.inMemory(clock);
  private final SecretsService secrets = vault.secrets();

  @AfterEach
  void close() {
    vault.close();
  }

  private SecretRef create(String name, String value) {
    return secrets.create(new CreateSecret(name, null, null, SecretValue.ofString(value), null, List.of()));
  }

  private String current(String id) {
    RetrievedSecret s = secrets.getValue(id, null, null);
    return s.value().asString();
  }

  private static void assertRefused(VaultError error, String message, Executable call) {
    VaultException e = assertThrows(VaultException.class, call);
    assertEquals(error, e.error());
    assertEquals(message, e.getMessage());
  }

  @Test
  void createThenGetByNameReturnsTheValueAsCurrent() {
    SecretRef ref = create("prod/db", "s3cret");
    RetrievedSecret got = secrets.getValue("prod/db", null, null);
    assertEquals("s3cret", got.value().asString());
    assertEquals(ref.versionId(), got.versionId());
    assertEquals(List.of("AWSCURRENT"), got.versionStages());
    assertTrue(ref.arn().matches("arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-[A-Za-z0-9]{6}"));
  }

  @Test
  void secretIsFoundByFullAndPartialArn() {
    SecretRef ref = create("prod/db", "s3cret");
    assertEquals("s3cret", current(ref.arn()));
    assertEquals("s3cret", current(ref.arn().substring(0, ref.arn().length() - 7)));
  }

  @Test
  void partialArnOfAnotherAccountIsNotFound() {
    create("prod/db", "s3cret");
    assertRefused(VaultError.RESOURCE_NOT_FOUND, "Secrets Manager can't find the specified secret.",
        () -> secrets.getValue("arn:aws:secretsmanager:us-east-1:999999999999:secret:prod/db", null, null));
  }

  @Test
  void createWithExistingNameIsResourceExists() {
    create("prod/db", "one");
    assertRefused(VaultError.RESOURCE_EXISTS, "The operation failed because the secret prod/db already exists.",
        () -> create("prod/db", "two"));
  }

  @Test
  void createRetriedWithSameTokenAndValueReturnsTheSameVersion() {
    CreateSecret cmd = new CreateSecret("prod/db", null, null, SecretValue.ofString("v"), TOKEN_A, List.of());
    SecretRef first = secrets.create(cmd);
    SecretRef again = secrets.create(new CreateSecret("prod/db", null, null, SecretValue.ofString("v"), TOKEN_A, List.of()));
    assertEquals(first.arn(), again.arn());
    assertEquals(TOKEN_A, again.versionId());
  }

  @Test
  void createWithoutValueHasNoVersionToRead() {
    secrets.create(new CreateSecret("empty", "no value yet", null, null, null, List.of()));
    assertRefused(VaultError.RESOURCE_NOT_FOUND,
        "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT",
        () -> secrets.getValue("empty", null, null));
  }

  @Test
  void putSecretValueMovesCurrentToPrevious() {
    SecretRef v1 = create("prod/db", "one");
    SecretRef v2 = secrets.putValue(new PutSecretValue("prod/db", SecretValue.ofString("two"), null, null));
    assertEquals(List.of("AWSCURRENT"), v2.versionStages());
    assertEquals("two", current("prod/db"));
    RetrievedSecret previous = secrets.getValue("prod/db", null, "AWSPREVIOUS");
    assertEquals("one", previous.value().asString());
    assertEquals(v1.versionId(), previous.versionId());
  }

  @Test
  void putWithSameTokenAndValueIsANoOp() {
    create("prod/db", "one");
    SecretRef first = secrets.putValue(new PutSecretValue("prod/db", SecretValue.ofString("two"), TOKEN_A, null));
    SecretRef again = secrets.putValue(new PutSecretValue("prod/db", SecretValue.ofString("two"), TOKEN_A, null));
    assertEquals(first.versionId(), again.versionId());
    assertEquals(2, secrets.listVersionIds("prod/db", true, null, null).versions().size());
  }

  @Test
  void putWithSameTokenAndAnotherValueIsRefused() {
    create("prod/db", "one");
    secrets.putValue(new PutSecretValue("prod/db", SecretValue.ofString("two"), TOKEN_A, null));
    assertRefused(VaultError.RESOURCE_EXISTS, "You can't modify an existing version, you can only create a new version.",
        () -> secrets.putValue(new PutSecretValue("prod/db", SecretValue.ofString("three"), TOKEN_A, null)));
    assertEquals("two", current("prod/db"));
  }

  @Test
  void putWithPendingStageKeepsCurrent() {
    create("prod/db", "one");
    SecretRef pending = secrets.putValue(new PutSecretValue("prod/db", SecretValue.ofString("next"), TOKEN_B, List.of("AWSPENDING")));
    assertEquals("one", current("prod/db"));
    assertEquals("next", secrets.getValue("prod/db", pending.versionId(), "AWSPENDING").value().asString());
  }

  @Test
  void firstPutOnAnEmptySecretIsCurrentWhateverItsLabels() {
    secrets.create(new CreateSecret("empty", null, null, null, null, List.of()));
    SecretRef ref = secrets.putValue(new PutSecretValue("empty", SecretValue.ofString("v"), null, List.of("blue")));
    assertEquals(List.of("blue", "AWSCURRENT"), ref.versionStages());
    assertEquals("v", current("empty"));
  }

  @Test
  void versionIdAndMismatchedStageIsInvalidRequest() {
    SecretRef v1 = create("prod/db", "one");
    assertRefused(VaultError.INVALID_REQUEST, "You provided a VersionStage that is not associated to the provided VersionId.",
        () -> secrets.getValue("prod/db", v1.versionId(), "AWSPREVIOUS"));
  }

  @Test
  void unknownVersionIdIsNamed() {
    create("prod/db", "one");
    assertRefused(VaultError.RESOURCE_NOT_FOUND, "Secrets Manager can't find the specified secret value for VersionId: "
        + TOKEN_B, () -> secrets.getValue("prod/db", TOKEN_B, null));
  }

  @Test
  void binaryValuesRoundTrip() {
    byte[] bytes = {0, 1, 2, (byte) 0xff};
    secrets.create(new CreateSecret("bin", null, null, SecretValue.ofBinary(bytes.clone()), null, List.of()));
    RetrievedSecret got = secrets.getValue("bin", null, null);
    assertTrue(got.value().isBinary());
    assertEquals(List.of((byte) 0, (byte) 1, (byte) 2, (byte) 0xff), toList(got.value().asBinary()));
  }

  @Test
  void updateSecretChangesDescriptionWithoutANewVersion() {
    SecretRef v1 = create("prod/db", "one");
    SecretRef ref = secrets.update(new UpdateSecret("prod/db", "new words", null, null, null));
    assertNull(ref.versionId());
    SecretDescription d = secrets.describe("prod/db");
    assertEquals("new words", d.description());
    assertEquals(Map.of(v1.versionId(), List.of("AWSCURRENT")), d.versionIdsToStages());
  }

  @Test
  void updateSecretWithValueMakesItCurrent() {
    create("prod/db", "one");
    SecretRef ref = secrets.update(new UpdateSecret("prod/db", null, null, SecretValue.ofString("two"), null));
    assertNotNull(ref.versionId());
    assertEquals("two", current("prod/db"));
  }

  @Test
  void updateVersionStageMovesCurrentAndSetsPrevious() {
    SecretRef v1 = create("prod/db", "one");
    SecretRef v2 = secrets.putValue(new PutSecretValue("prod/db", SecretValue.ofString("two"), null, List.of("AWSPENDING")));
    secrets.updateVersionStage("prod/db", "AWSCURRENT", v1.versionId(), v2.versionId());
    assertEquals("two", current("prod/db"));
    Map<String, List<String>> stages = secrets.describe("prod/db").versionIdsToStages();
    assertEquals(List.of("AWSPENDING", "AWSCURRENT"), stages.get(v2.versionId()));
    assertEquals(List.of("AWSPREVIOUS"), stages.get(v1.versionId()));
  }

  @Test
  void deprecatedVersionsAreListedOnlyWhenAsked() {
    create("prod/db", "one");
    secrets.putValue(new PutSecretValue("prod/db", SecretValue.ofString("two"), null, null));
    secrets.putValue(new PutSecretValue("prod/db", SecretValue.ofString("three"), null, null));
    assertEquals(2, secrets.listVersionIds("prod/db", false, null, null).versions().size());
    assertEquals(3, secrets.listVersionIds("prod/db", true, null, null).versions().size());
  }

  @Test
  void deleteSchedulesThirtyDaysByDefaultAndBlocksReads() {
    create("prod/db", "one");
    DeletionResult d = secrets.delete("prod/db", null, false);
    assertEquals(Instant.parse("2026-03-31T10:00:00Z"), d.deletionDate());
    assertRefused(VaultError.INVALID_REQUEST, SecretLookup.MARKED_FOR_DELETION, () -> secrets.getValue("prod/db", null, null));
    assertEquals(Instant.parse("2026-03-01T10:00:00Z"), secrets.describe("prod/db").deletedDate());
  }

  @Test
  void restoreCancelsScheduledDeletion() {
    create("prod/db", "one");
    secrets.delete("prod/db", 7, false);
    secrets.restore("prod/db");
    assertEquals("one", current("prod/db"));
    assertNull(secrets.describe("prod/db").deletedDate());
  }

  @Test
  void sweeperPurgesOnlyWhenTheWindowEnds() {
    create("prod/db", "one");
    secrets.delete("prod/db", 7, false);
    clock.advance(Duration.ofDays(7).minusSeconds(1));
    assertEquals(List.of(), secrets.purgeExpired());
    clock.advance(Duration.ofSeconds(1));
    assertEquals(List.of("prod/db"), secrets.purgeExpired());
    assertRefused(VaultError.RESOURCE_NOT_FOUND, "Secrets Manager can't find the specified secret.",
        () -> secrets.describe("prod/db"));
    create("prod/db", "reborn");
    assertEquals("reborn", current("prod/db"));
  }

  @Test
  void forceDeleteRemovesAtOnce() {
    create("prod/db", "one");
    secrets.delete("prod/db", null, true);
    assertRefused(VaultError.RESOURCE_NOT_FOUND, "Secrets Manager can't find the specified secret.",
        () -> secrets.getValue("prod/db", null, null));
  }

  @Test
  void recoveryWindowMustBeSevenToThirtyDays() {
    create("prod/db", "one");
    assertRefused(VaultError.INVALID_PARAMETER, "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).",
        () -> secrets.delete("prod/db", 6, false));
    assertRefused(VaultError.INVALID_PARAMETER, "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
        () -> secrets.delete("prod/db", 7, true));
  }

  @Test
  void creatingANameScheduledForDeletionIsInvalidRequest() {
    create("prod/db", "one");
    secrets.delete("prod/db", null, false);
    assertRefused(VaultError.INVALID_REQUEST,
        "You can't create this secret because a secret with this name is already scheduled for deletion.",
        () -> create("prod/db", "two"));
  }

  @Test
  void tagsMergeAndUntagRemoves() {
    secrets.create(new CreateSecret("t", null, null, null, null, List.of(new Tag("team", "a"))));
    secrets.tag("t", List.of(new Tag("team", "b"), new Tag("env", "prod")));
    secrets.untag("t", List.of("env"));
    assertEquals(List.of(new Tag("team", "b")), secrets.describe("t").tags());
  }

  @Test
  void listFiltersByNamePrefixWithNegation() {
    create("prod/db", "1");
    create("prod/cache", "2");
    create("dev/db", "3");
    assertEquals(List.of("prod/cache", "prod/db"), names(new ListQuery(List.of(new SecretFilter("name", List.of("prod/"))), null, null, true, false)));
    assertEquals(List.of("dev/db"), names(new ListQuery(List.of(new SecretFilter("name", List.of("!prod"))), null, null, true, false)));
  }

  @Test
  void listHidesScheduledDeletionsUnlessAsked() {
    create("a", "1");
    create("b", "2");
    secrets.delete("b", null, false);
    assertEquals(List.of("a"), names(new ListQuery(List.of(), null, null, true, false)));
    assertEquals(List.of("a", "b"), names(new ListQuery(List.of(), null, null, true, true)));
  }

  @Test
  void listPagesThroughEverySecretOnce() {
    List<String> created = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      clock.advance(Duration.ofSeconds(1));
      create("s" + i, "v");
      created.add("s" + i);
    }
    List<String> seen = new ArrayList<>();
    String token = null;
    do {
      Page<SecretDescription> page = secrets.list(new ListQuery(List.of(), 10, token, true, false));
      page.items().forEach(d -> seen.add(d.name()));
      token = page.nextToken();
    } while (token != null);
    assertEquals(created, seen);
  }

  @Test
  void garbledNextTokenIsInvalidParameter() {
    assertRefused(VaultError.INVALID_NEXT_TOKEN, "The NextToken value is invalid.",
        () -> secrets.list(new ListQuery(List.of(), null, "%%%not-a-token", true, false)));
  }

  @Test
  void tokenFromAListingSortedOtherwiseIsInvalid() {
    create("a", "1");
    create("b", "2");
    String byName = secrets.list(new ListQuery(List.of(), 1, null, SortKey.NAME, true, false)).nextToken();
    assertRefused(VaultError.INVALID_NEXT_TOKEN, "The NextToken value is invalid.",
        () -> secrets.list(new ListQuery(List.of(), 1, byName, SortKey.CREATED_DATE, true, false)));
  }

  @Test
  void listSortsByNameDescendingAcrossPages() {
    for (String name : List.of("m", "a", "z", "k")) {
      create(name, "v");
    }
    List<String> seen = new ArrayList<>();
    String token = null;
    do {
      Page<SecretDescription> page = secrets.list(new ListQuery(List.of(), 3, token, SortKey.NAME, false, false));
      page.items().forEach(d -> seen.add(d.name()));
      token = page.nextToken();
    } while (token != null);
    assertEquals(List.of("z", "m", "k", "a"), seen);
  }

  @Test
  void emptyValueFailsValidation() {
    assertRefused(VaultError.VALIDATION, "1 validation error detected: Value at 'secretString' failed to satisfy "
        + "constraint: Member must have length greater than or equal to 1", () -> create("empty", ""));
  }

  @Test
  void shortVersionIdFailsValidation() {
    create("prod/db", "one");
    assertRefused(VaultError.VALIDATION, "1 validation error detected: Value at 'versionId' failed to satisfy "
        + "constraint: Member must have length greater than or equal to 32", () -> secrets.getValue("prod/db", "v1", null));
  }

  @Test
  void versionsRememberTheKeyTheyWereSealedUnder() {
    create("prod/db", "one");
    assertEquals(null, secrets.listVersionIds("prod/db", false, null, null).versions().get(0).kmsKeyId());
  }

  @Test
  void batchGetReportsMissingSecretsBesideFoundOnes() {
    create("a", "1");
    BatchResult r = secrets.batchGet(List.of("a", "missing"), null, null, null);
    assertEquals(1, r.values().size());
    assertEquals("1", r.values().get(0).value().asString());
    assertEquals(List.of(new BatchResult.Failure("missing", VaultError.RESOURCE_NOT_FOUND,
        "Secrets Manager can't find the specified secret.")), r.errors());
  }

  @Test
  void batchGetNeedsIdsOrFiltersButNotBoth() {
    assertRefused(VaultError.INVALID_PARAMETER, "Either 'SecretIdList' or 'Filters' must be provided, but not both.",
        () -> secrets.batchGet(List.of("a"), List.of(new SecretFilter("name", List.of("a"))), null, null));
  }

  @Test
  void lastAccessedDateIsKeptToTheDay() {
    create("prod/db", "one");
    secrets.getValue("prod/db", null, null);
    assertEquals(Instant.parse("2026-03-01T00:00:00Z"), secrets.describe("prod/db").lastAccessedDate());
  }

  @Test
  void committedWritesAreAnnouncedWithTheirStages() {
    List<dev.stowaway.vault.events.SecretChange> seen = new ArrayList<>();
    vault.changes().subscribe(seen::add);
    SecretRef v1 = create("prod/db", "one");
    SecretRef v2 = secrets.putValue(new PutSecretValue("prod/db", SecretValue.ofString("two"), null, null));
    secrets.delete("prod/db", null, true);
    assertEquals(List.of("CreateSecret", "PutSecretValue", "DeleteSecret"),
        seen.stream().map(dev.stowaway.vault.events.SecretChange::operation).toList());
    assertEquals(Map.of(v1.versionId(), List.of("AWSPREVIOUS"), v2.versionId(), List.of("AWSCURRENT")),
        seen.get(1).versionIdsToStages());
    assertEquals(Map.of(), seen.get(2).versionIdsToStages());
    assertEquals(v1.arn(), seen.get(2).arn());
  }

  @Test
  void refusedWritesAreNotAnnounced() {
    create("prod/db", "one");
    List<dev.stowaway.vault.events.SecretChange> seen = new ArrayList<>();
    vault.changes().subscribe(seen::add);
    assertThrows(VaultException.class, () -> secrets.putValue(new PutSecretValue("prod/db", SecretValue.ofString(""), null, null)));
    assertEquals(List.of(), seen);
  }

  private List<String> names(ListQuery q) {
    return secrets.list(q).items().stream().map(SecretDescription::name).toList();
  }

  private static List<Byte> toList(byte[] bytes) {
    List<Byte> out = new ArrayList<>();
    for (byte b : bytes) {
      out.add(b);
    }
    return out;
  }
}
