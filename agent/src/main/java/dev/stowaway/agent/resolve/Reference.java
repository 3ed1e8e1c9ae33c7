package dev.stowaway.agent.resolve;

/** What a placeholder points at. Its text form is safe to print: it names, it never holds a value. */
public sealed interface Reference permits Reference.Secret, Reference.Parameter {

  /**
   * {@code {{resolve:secretsmanager:ID[:SecretString[:JSON-KEY[:VERSION-STAGE[:VERSION-ID]]]]}}}.
   * Empty optional parts are null.
   */
  record Secret(String secretId, String jsonKey, String versionStage, String versionId) implements Reference {
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
  record Parameter(String name, String version, boolean secure) implements Reference {
    @Override
    public String toString() {
      return (secure ? "ssm-secure:" : "ssm:") + name + (version == null ? "" : ":" + version);
    }
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
