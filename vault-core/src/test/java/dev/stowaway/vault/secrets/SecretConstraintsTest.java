package dev.stowaway.vault.secrets;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.stowaway.vault.VaultError;
import dev.stowaway.vault.VaultException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SecretConstraintsTest {

  @ParameterizedTest
  @ValueSource(strings = {"a", "prod/db", "app_1+x=y.z@corp-main", "A1/B2", "-leading-hyphen", "......"})
  void validNamesAreAccepted(String name) {
    assertDoesNotThrow(() -> SecretConstraints.checkName(name));
  }

  @ParameterizedTest
  @ValueSource(strings = {"with space", "semi;colon", "quote\"", "ünïcode", "tab\t", "nul\u0000", "star*", "a:b"})
  void namesWithOtherCharactersAreInvalidParameters(String name) {
    VaultException e = assertThrows(VaultException.class, () -> SecretConstraints.checkName(name));
    assertEquals(VaultError.INVALID_PARAMETER, e.error());
    assertEquals("Invalid name. Must be a valid name containing alphanumeric characters, or any of the "
        + "following: -/_+=.@!", e.getMessage());
  }

  @ParameterizedTest
  @CsvSource({"0, greater than or equal to 1", "513, less than or equal to 512"})
  void namesOutsideOneTo512CharactersFailValidation(int length, String constraint) {
    VaultException e = assertThrows(VaultException.class, () -> SecretConstraints.checkName("a".repeat(length)));
    assertEquals(VaultError.VALIDATION, e.error());
    assertEquals("1 validation error detected: Value at 'name' failed to satisfy constraint: Member must have "
        + "length " + constraint, e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(ints = {31, 65})
  void clientRequestTokenMustBe32To64Characters(int length) {
    VaultException e = assertThrows(VaultException.class,
        () -> SecretConstraints.checkClientRequestToken("t".repeat(length)));
    assertEquals("ClientRequestToken must be 32-64 characters long.", e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(ints = {65_536})
  void valueUpTo64KiBIsAccepted(int size) {
    assertDoesNotThrow(() -> SecretConstraints.checkValue(SecretValue.ofBinary(new byte[size])));
  }

  @ParameterizedTest
  @ValueSource(ints = {65_537})
  void valueOver64KiBFailsValidationWithoutEchoingIt(int size) {
    VaultException e = assertThrows(VaultException.class,
        () -> SecretConstraints.checkValue(SecretValue.ofString("x".repeat(size))));
    assertEquals("1 validation error detected: Value at 'secretString' failed to satisfy constraint: Member "
        + "must have length less than or equal to 65536", e.getMessage());
  }
}
