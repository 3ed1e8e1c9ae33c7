package dev.stowaway.vault.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.stowaway.vault.Vault;
import dev.stowaway.vault.VaultError;
import dev.stowaway.vault.VaultException;
import dev.stowaway.vault.identity.Caller;
import dev.stowaway.vault.identity.IdentityService;
import dev.stowaway.vault.identity.NewAccessKey;
import dev.stowaway.vault.identity.Principal;
import dev.stowaway.vault.testing.MutableClock;
import dev.stowaway.vault.testing.TestVaults;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Secrets Manager operations as a user with a read-only policy on prod/*. */
class SecretsAuthorizationTest {

  private static final String READ_PROD = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
      + "\"Action\":[\"secretsmanager:GetSecretValue\",\"secretsmanager:DescribeSecret\"],"
      + "\"Resource\":\"arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/*\"},"
      + "{\"Effect\":\"Deny\",\"Action\":\"secretsmanager:GetSecretValue\",\"Resource\":\"*\","
      + "\"Condition\":{\"StringEquals\":{\"secretsmanager:ResourceTag/classification\":\"restricted\"}}}]}";

  private final Vault vault = TestVaults.inMemory(MutableClock.at("2026-06-01T00:00:00Z"));
  private SecretsService app;
  private String prodArn;
  private String devArn;

  @BeforeEach
  void setUp() {
    IdentityService iam = vault.identity();
    iam.createUser("app", null);
    iam.putUserPolicy("app", "read-prod", READ_PROD);
    NewAccessKey key = iam.createAccessKey("app");
    Caller caller = iam.callerFor(new Principal("app", iam.userArn("app"), key.accessKeyId()), "10.0.0.1", false);
    app = vault.secrets().as(caller);
    prodArn = vault.secrets().create(new CreateSecret("prod/db", null, null, SecretValue.ofString("p"), null, List.of())).arn();
    devArn = vault.secrets().create(new CreateSecret("dev/db", null, null, SecretValue.ofString("d"), null, List.of())).arn();
    vault.secrets().create(new CreateSecret("prod/vault", null, null, SecretValue.ofString("v"), null,
        List.of(new Tag("classification", "restricted"))));
  }

  @AfterEach
  void close() {
    vault.close();
  }

  private static String denied(String action, String resource) {
    return "User: arn:aws:iam::123456789012:user/app is not authorized to perform: " + action + " on resource: "
        + resource + " because no identity-based policy allows the " + action + " action";
  }

  @Test
  void readsWithinTheGrant() {
    assertEquals("p", app.getValue("prod/db", null, null).value().asString());
    assertEquals("prod/db", app.describe(prodArn).name());
  }

  @Test
  void readingOutsideTheGrantIsDeniedWithAwsMessage() {
    VaultException e = assertThrows(VaultException.class, () -> app.getValue(devArn, null, null));
    assertEquals(VaultError.ACCESS_DENIED, e.error());
    assertEquals(denied("secretsmanager:GetSecretValue", devArn), e.getMessage());
  }

  @Test
  void writingIsDenied() {
    VaultException e = assertThrows(VaultException.class,
        () -> app.putValue(new PutSecretValue("prod/db", SecretValue.ofString("x"), null, null)));
    assertEquals(denied("secretsmanager:PutSecretValue", "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db"),
        e.getMessage());
    assertEquals("p", vault.secrets().getValue("prod/db", null, null).value().asString());
  }

  @Test
  void aDeniedCallerCannotTellWhetherASecretExists() {
    VaultException missing = assertThrows(VaultException.class, () -> app.getValue("dev/nothing", null, null));
    assertEquals(VaultError.ACCESS_DENIED, missing.error());
    assertEquals(denied("secretsmanager:GetSecretValue",
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:dev/nothing"), missing.getMessage());
  }

  @Test
  void aDenialNamesAnExistingSecretAsTheCallerWroteIt() {
    VaultException existing = assertThrows(VaultException.class, () -> app.getValue("dev/db", null, null));
    assertEquals(denied("secretsmanager:GetSecretValue",
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:dev/db"), existing.getMessage());
  }

  @Test
  void anAllowedCallerIsToldASecretIsMissing() {
    VaultException missing = assertThrows(VaultException.class, () -> app.getValue("prod/nothing", null, null));
    assertEquals(VaultError.RESOURCE_NOT_FOUND, missing.error());
  }

  @Test
  void tagConditionDeniesExplicitly() {
    VaultException e = assertThrows(VaultException.class, () -> app.getValue("prod/vault", null, null));
    assertEquals(VaultError.ACCESS_DENIED, e.error());
    assertEquals(true, e.getMessage().endsWith("with an explicit deny in an identity-based policy"));
  }

  @Test
  void mayReadAnswersAsGetSecretValueIsAuthorized() {
    String restricted = vault.secrets().arnOf("prod/vault").orElseThrow();
    assertEquals(true, app.mayRead(prodArn));
    assertEquals(false, app.mayRead(devArn));
    assertEquals(false, app.mayRead(restricted)); // the tag condition's Deny applies here too
  }

  @Test
  void listingNeedsItsOwnPermission() {
    VaultException e = assertThrows(VaultException.class,
        () -> app.list(new ListQuery(List.of(), null, null, true, false)));
    assertEquals(denied("secretsmanager:ListSecrets", "*"), e.getMessage());
  }
}
