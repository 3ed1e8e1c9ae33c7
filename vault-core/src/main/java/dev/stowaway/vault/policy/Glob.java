package dev.stowaway.vault.policy;

import java.util.regex.Pattern;

/** IAM's wildcards: {@code *} any run of characters, {@code ?} any one; everything else literal. */
final class Glob {

  private final Pattern pattern;

  private Glob(Pattern pattern) {
    this.pattern = pattern;
  }

  static Glob of(String glob, boolean ignoreCase) {
    StringBuilder regex = new StringBuilder(glob.length() + 8);
    StringBuilder literal = new StringBuilder();
    for (char c : glob.toCharArray()) {
      if (c == '*' || c == '?') {
        if (literal.length() > 0) {
          regex.append(Pattern.quote(literal.toString()));
          literal.setLength(0);
        }
        regex.append(c == '*' ? ".*" : ".");
      } else {
        literal.append(c);
      }
    }
    if (literal.length() > 0) {
      regex.append(Pattern.quote(literal.toString()));
    }
    int flags = Pattern.DOTALL | (ignoreCase ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE : 0);
    return new Glob(Pattern.compile(regex.toString(), flags));
  }

  boolean matches(String value) {
    return pattern.matcher(value).matches();
  }
}
