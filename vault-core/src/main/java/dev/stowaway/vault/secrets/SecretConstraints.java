package dev.stowaway.vault.secrets;

import dev.stowaway.vault.VaultException;
import java.util.List;
import java.util.regex.Pattern;

/** AWS's documented input limits for Secrets Manager, with AWS's error types and wording. */
final class SecretConstraints {

  static final int MAX_NAME = 512;
  static final int MAX_SECRET_ID = 2048;
  static final int MAX_DESCRIPTION = 2048;
  static final int MAX_VALUE_BYTES = 65_536;
  static final int MAX_LABELS_PER_VERSION = 20;
  static final int MAX_STAGE_LENGTH = 256;
  static final int MAX_TAGS = 50;
  static final int MAX_TAG_KEY = 128;
  static final int MAX_TAG_VALUE = 256;

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9/_+=.@-]+");

  private SecretConstraints() {}

  static void checkName(String name) {
    checkLength("name", name, 1, MAX_NAME);
    if (!NAME.matcher(name).matches()) {
      throw VaultException.invalidParameter("Invalid name. Must be a valid name containing "
          + "alphanumeric characters, or any of the following: -/_+=.@!");
    }
  }

  static void checkSecretId(String secretId) {
    if (secretId == null) {
      throw missing("secretId");
    }
    checkLength("secretId", secretId, 1, MAX_SECRET_ID);
  }

  static void checkDescription(String description) {
    if (description != null && description.length() > MAX_DESCRIPTION) {
      throw tooLong("description", MAX_DESCRIPTION);
    }
  }

  static void checkValue(SecretValue value) {
    if (value == null) {
      return;
    }
    String field = value.isBinary() ? "secretBinary" : "secretString";
    if (value.size() == 0) {
      throw VaultException.validation("1 validation error detected: Value at '" + field
          + "' failed to satisfy constraint: Member must have length greater than or equal to 1");
    }
    if (value.size() > MAX_VALUE_BYTES) {
      throw tooLong(field, MAX_VALUE_BYTES);
    }
  }

  static void checkVersionId(String field, String versionId) {
    if (versionId != null) {
      checkLength(field, versionId, 32, 64);
    }
  }

  static void checkClientRequestToken(String token) {
    if (token != null && (token.length() < 32 || token.length() > 64)) {
      throw VaultException.invalidParameter("ClientRequestToken must be 32-64 characters long.");
    }
  }

  static void checkStages(List<String> stages) {
    if (stages.isEmpty() || stages.size() > MAX_LABELS_PER_VERSION) {
      throw VaultException.validation("1 validation error detected: Value at 'versionStages' "
          + "failed to satisfy constraint: Member must have length less than or equal to "
          + MAX_LABELS_PER_VERSION + " and greater than or equal to 1");
    }
    for (String stage : stages) {
      checkStage("versionStages", stage);
    }
  }

  static void checkStage(String field, String stage) {
    if (stage == null) {
      throw missing(field);
    }
    checkLength(field, stage, 1, MAX_STAGE_LENGTH);
  }

  static void checkTags(List<Tag> tags) {
    if (tags.size() > MAX_TAGS) {
      throw VaultException.validation("1 validation error detected: Value at 'tags' failed to "
          + "satisfy constraint: Member must have length less than or equal to " + MAX_TAGS);
    }
    for (Tag tag : tags) {
      checkTagKey(tag.key());
      if (tag.value() == null) {
        throw missing("tags.member.value");
      }
      if (tag.value().length() > MAX_TAG_VALUE) {
        throw tooLong("tags.member.value", MAX_TAG_VALUE);
      }
    }
  }

  static void checkTagKey(String key) {
    if (key == null) {
      throw missing("tags.member.key");
    }
    checkLength("tags.member.key", key, 1, MAX_TAG_KEY);
    if (key.startsWith("aws:")) {
      throw VaultException.invalidParameter("Tag keys can't start with 'aws:'. That prefix is reserved for AWS use.");
    }
  }

  private static void checkLength(String field, String value, int min, int max) {
    if (value.length() < min) {
      throw VaultException.validation("1 validation error detected: Value at '" + field
          + "' failed to satisfy constraint: Member must have length greater than or equal to " + min);
    }
    if (value.length() > max) {
      throw tooLong(field, max);
    }
  }

  static VaultException tooLong(String field, int max) {
    return VaultException.validation("1 validation error detected: Value at '" + field
        + "' failed to satisfy constraint: Member must have length less than or equal to " + max);
  }

  static VaultException missing(String field) {
    return VaultException.validation("1 validation error detected: Value null at '" + field
        + "' failed to satisfy constraint: Member must not be null");
  }
}
