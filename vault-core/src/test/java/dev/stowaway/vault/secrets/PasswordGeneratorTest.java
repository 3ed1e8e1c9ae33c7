package dev.stowaway.vault.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stowaway.vault.VaultError;
import dev.stowaway.vault.VaultException;
import dev.stowaway.vault.testing.TestVaults;
import org.junit.jupiter.api.Test;

class PasswordGeneratorTest {

  private final PasswordGenerator generator = new PasswordGenerator(TestVaults.seededRandom(3));

  @Test
  void defaultsAreThirtyTwoCharactersWithEveryType() {
    String p = generator.generate(PasswordSpec.defaults());
    assertEquals(32, p.length());
    assertTrue(p.chars().anyMatch(Character::isUpperCase));
    assertTrue(p.chars().anyMatch(Character::isLowerCase));
    assertTrue(p.chars().anyMatch(Character::isDigit));
    assertTrue(p.chars().anyMatch(c -> !Character.isLetterOrDigit(c)));
  }

  @Test
  void excludedCharactersNeverAppear() {
    String p = generator.generate(new PasswordSpec(200L, "abcABC123", null, true, null, null, null, null));
    assertTrue(p.chars().noneMatch(c -> "abcABC123".indexOf(c) >= 0 || !Character.isLetterOrDigit(c)), p);
  }

  @Test
  void tooShortForTheRequiredTypesIsInvalidParameter() {
    VaultException e = assertThrows(VaultException.class,
        () -> generator.generate(new PasswordSpec(3L, null, null, null, null, null, null, null)));
    assertEquals(VaultError.INVALID_PARAMETER, e.error());
    assertEquals("Password length is too short based on the required types.", e.getMessage());
  }

  @Test
  void lengthOver4096FailsValidation() {
    VaultException e = assertThrows(VaultException.class,
        () -> generator.generate(new PasswordSpec(4097L, null, null, null, null, null, null, null)));
    assertEquals("1 validation error detected: Value '4097' at 'passwordLength' failed to satisfy constraint: "
        + "Member must have value less than or equal to 4096", e.getMessage());
  }
}
