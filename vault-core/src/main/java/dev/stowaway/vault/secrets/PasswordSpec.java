package dev.stowaway.vault.secrets;

/** GetRandomPassword's options, with AWS's defaults for the ones left null. */
public record PasswordSpec(
    Long passwordLength,
    String excludeCharacters,
    Boolean excludeNumbers,
    Boolean excludePunctuation,
    Boolean excludeUppercase,
    Boolean excludeLowercase,
    Boolean includeSpace,
    Boolean requireEachIncludedType) {

  public static PasswordSpec defaults() {
    return new PasswordSpec(null, null, null, null, null, null, null, null);
  }
}
