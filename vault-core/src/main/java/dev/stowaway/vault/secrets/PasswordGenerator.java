package dev.stowaway.vault.secrets;

import dev.stowaway.vault.VaultException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/** GetRandomPassword: AWS's character classes, defaults and limits. */
public final class PasswordGenerator {

  static final int DEFAULT_LENGTH = 32;
  static final int MAX_LENGTH = 4096;
  private static final String UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  private static final String LOWER = "abcdefghijklmnopqrstuvwxyz";
  private static final String DIGITS = "0123456789";
  private static final String PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

  private final SecureRandom random;

  public PasswordGenerator(SecureRandom random) {
    this.random = random;
  }

  public String generate(PasswordSpec spec) {
    long length = spec.passwordLength() == null ? DEFAULT_LENGTH : spec.passwordLength();
    if (length < 1 || length > MAX_LENGTH) {
      throw VaultException.validation("1 validation error detected: Value '" + length
          + "' at 'passwordLength' failed to satisfy constraint: Member must have value "
          + (length < 1 ? "greater than or equal to 1" : "less than or equal to " + MAX_LENGTH));
    }
    String exclude = spec.excludeCharacters() == null ? "" : spec.excludeCharacters();
    if (exclude.length() > 4096) {
      throw SecretConstraints.tooLong("excludeCharacters", 4096);
    }
    List<String> classes = new ArrayList<>();
    addClass(classes, UPPER, spec.excludeUppercase(), exclude);
    addClass(classes, LOWER, spec.excludeLowercase(), exclude);
    addClass(classes, DIGITS, spec.excludeNumbers(), exclude);
    addClass(classes, PUNCTUATION, spec.excludePunctuation(), exclude);
    if (Boolean.TRUE.equals(spec.includeSpace()) && exclude.indexOf(' ') < 0) {
      classes.add(" ");
    }
    if (classes.isEmpty()) {
      throw VaultException.invalidParameter(
          "The password can't be generated because every character type is excluded.");
    }
    boolean requireEach = spec.requireEachIncludedType() == null || spec.requireEachIncludedType();
    if (requireEach && length < classes.size()) {
      throw VaultException.invalidParameter("Password length is too short based on the required types.");
    }
    String all = String.join("", classes);
    char[] out = new char[(int) length];
    int i = 0;
    if (requireEach) {
      for (String c : classes) {
        out[i++] = c.charAt(random.nextInt(c.length()));
      }
    }
    for (; i < out.length; i++) {
      out[i] = all.charAt(random.nextInt(all.length()));
    }
    for (int j = out.length - 1; j > 0; j--) { // Fisher-Yates, so required characters sit anywhere
      int k = random.nextInt(j + 1);
      char t = out[j];
      out[j] = out[k];
      out[k] = t;
    }
    return new String(out);
  }

  private static void addClass(List<String> classes, String chars, Boolean excluded, String exclude) {
    if (Boolean.TRUE.equals(excluded)) {
      return;
    }
    StringBuilder kept = new StringBuilder();
    for (char c : chars.toCharArray()) {
      if (exclude.indexOf(c) < 0) {
        kept.append(c);
      }
    }
    if (kept.length() > 0) {
      classes.add(kept.toString());
    }
  }
}
