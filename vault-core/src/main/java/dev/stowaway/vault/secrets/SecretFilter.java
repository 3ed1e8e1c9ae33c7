package dev.stowaway.vault.secrets;

import dev.stowaway.vault.VaultException;
import dev.stowaway.vault.store.SecretRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One ListSecrets filter: values are OR-ed, a {@code !} prefix negates a value, and several
 * filters are AND-ed. Matching follows AWS: prefix matches, case-sensitive for name and tags;
 * {@code description} and {@code all} match word prefixes without regard to case.
 */
public record SecretFilter(String key, List<String> values) {

  static final Set<String> KEYS =
      Set.of("all", "name", "tag-key", "description", "tag-value", "primary-region", "owning-service");
  private static final Pattern VALUE = Pattern.compile("!?[a-zA-Z0-9 :_@/+=.\\-!]*");
  private static final Pattern WORD_BREAK = Pattern.compile("[\\s/_+=.@:-]+");

  public SecretFilter {
    values = values == null ? List.of() : List.copyOf(values);
  }

  void validate(int position) {
    if (key == null || !KEYS.contains(key)) {
      throw VaultException.validation("1 validation error detected: Value '" + key + "' at 'filters."
          + position + ".member.key' failed to satisfy constraint: Member must satisfy enum value set: "
          + "[all, name, tag-key, description, tag-value, primary-region, owning-service]");
    }
    if (values.isEmpty() || values.size() > 10) {
      throw VaultException.validation("1 validation error detected: Value at 'filters." + position
          + ".member.values' failed to satisfy constraint: Member must have length less than or equal "
          + "to 10 and greater than or equal to 1");
    }
    for (String value : values) {
      if (value == null || value.length() > 512 || !VALUE.matcher(value).matches()) {
        throw VaultException.validation("1 validation error detected: Value at 'filters." + position
            + ".member.values' failed to satisfy constraint: Member must have length less than or equal "
            + "to 512, and satisfy regular expression pattern: ^\\!?[a-zA-Z0-9 :_@\\/\\+\\=\\.\\-\\!]*$");
      }
    }
  }

  boolean matches(SecretRecord secret) {
    List<String> attributes = attributes(secret);
    boolean caseSensitive = !key.equals("description") && !key.equals("all");
    boolean wordwise = !caseSensitive;
    for (String value : values) {
      boolean negated = value.startsWith("!");
      String pattern = negated ? value.substring(1) : value;
      boolean any = attributes.stream().anyMatch(a -> wordwise ? wordsMatch(pattern, a) : prefix(pattern, a, true));
      if (negated != any) {
        return true;
      }
    }
    return false;
  }

  private List<String> attributes(SecretRecord secret) {
    List<String> out = new ArrayList<>();
    switch (key) {
      case "name" -> out.add(secret.name());
      case "description" -> { if (secret.description() != null) out.add(secret.description()); }
      case "tag-key" -> secret.tags().forEach(t -> out.add(t.key()));
      case "tag-value" -> secret.tags().forEach(t -> out.add(t.value()));
      case "all" -> {
        out.add(secret.name());
        if (secret.description() != null) {
          out.add(secret.description());
        }
        secret.tags().forEach(t -> {
          out.add(t.key());
          out.add(t.value());
        });
      }
      default -> { } // primary-region and owning-service: no replicas or owning services here
    }
    return out;
  }

  private static boolean prefix(String pattern, String value, boolean caseSensitive) {
    return caseSensitive
        ? value.startsWith(pattern)
        : value.toLowerCase(Locale.ROOT).startsWith(pattern.toLowerCase(Locale.ROOT));
  }

  /** Every word of the pattern must start some word of the value. */
  private static boolean wordsMatch(String pattern, String value) {
    String[] wanted = WORD_BREAK.split(pattern.trim());
    String[] words = WORD_BREAK.split(value);
    boolean sawWord = false;
    for (String w : wanted) {
      if (w.isEmpty()) {
        continue;
      }
      sawWord = true;
      boolean found = false;
      for (String word : words) {
        if (prefix(w, word, false)) {
          found = true;
          break;
        }
      }
      if (!found) {
        return false;
      }
    }
    return sawWord;
  }
}
