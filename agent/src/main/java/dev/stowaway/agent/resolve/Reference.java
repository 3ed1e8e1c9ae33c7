package dev.stowaway.agent.resolve;

import java.util.Objects;

/**
 * What a placeholder points at: a {@link Secret} or a {@link Parameter}, nothing else. Its text
 * form is safe to print: it names, it never holds a value. (Value classes rather than records:
 * the agent is built for Java 11.)
 */
public interface Reference {

  /**
   * {@code {{resolve:secretsmanager:ID[:SecretString[:JSON-KEY[:VERSION-STAGE[:VERSION-ID]]]]}}}.
   * Empty optional parts are null.
   */
  final class Secret implements Reference {
    private final String secretId;
    private final String jsonKey;
    private final String versionStage;
    private final String versionId;

    public Secret(String secretId, String jsonKey, String versionStage, String versionId) {
      this.secretId = secretId;
      this.jsonKey = jsonKey;
      this.versionStage = versionStage;
      this.versionId = versionId;
    }

    public String secretId() {
      return secretId;
    }

    public String jsonKey() {
      return jsonKey;
    }

    public String versionStage() {
      return versionStage;
    }

    public String versionId() {
      return versionId;
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof Secret)) {
        return false;
      }
      Secret that = (Secret) o;
      return Objects.equals(secretId, that.secretId)
          && Objects.equals(jsonKey, that.jsonKey)
          && Objects.equals(versionStage, that.versionStage)
          && Objects.equals(versionId, that.versionId);
    }

    @Override
    public int hashCode() {
      return Objects.hash(secretId, jsonKey, versionStage, versionId);
    }

    @Override
    public String toString() {
      StringBuilder s = new StringBuilder("secretsmanager:").append(secretId);
      if (jsonKey != null || versionStage != null || versionId != null) {
        s.append(":SecretString:").append(nullToEmpty(jsonKey));
        if (versionStage != null || versionId != null) {
          s.append(':').append(nullToEmpty(versionStage));
          if (versionId != null) {
            s.append(':').append(versionId);
          }
        }
      }
      return s.toString();
    }
  }

  /** {@code {{resolve:ssm:NAME[:VERSION]}}} and {@code {{resolve:ssm-secure:NAME[:VERSION]}}}. */
  final class Parameter implements Reference {
    private final String name;
    private final String version;
    private final boolean secure;

    public Parameter(String name, String version, boolean secure) {
      this.name = name;
      this.version = version;
      this.secure = secure;
    }

    public String name() {
      return name;
    }

    public String version() {
      return version;
    }

    public boolean secure() {
      return secure;
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof Parameter)) {
        return false;
      }
      Parameter that = (Parameter) o;
      return Objects.equals(name, that.name)
          && Objects.equals(version, that.version)
          && secure == that.secure;
    }

    @Override
    public int hashCode() {
      return Objects.hash(name, version, secure);
    }

    @Override
    public String toString() {
      return (secure ? "ssm-secure:" : "ssm:") + name + (version == null ? "" : ":" + version);
    }
  }

  private static String nullToEmpty(String s) { // private interface methods: Java 9
    return s == null ? "" : s;
  }
}
