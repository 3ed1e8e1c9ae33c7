package dev.stowaway.vault.secrets;

import java.util.List;

/** CreateSecret's input. {@code value} and the optional fields may be null. */
public record CreateSecret(
    String name, String description, String kmsKeyId, SecretValue value, String clientRequestToken, List<Tag> tags) {
  public CreateSecret {
    tags = tags == null ? List.of() : List.copyOf(tags);
  }
}
