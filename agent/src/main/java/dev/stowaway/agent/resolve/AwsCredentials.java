package dev.stowaway.agent.resolve;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Credentials from AWS's usual sources: {@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY}
 * (and {@code AWS_SESSION_TOKEN}), else the shared credentials file
 * ({@code AWS_SHARED_CREDENTIALS_FILE}, default {@code ~/.aws/credentials}) and profile
 * ({@code AWS_PROFILE}, default {@code default}).
 */
public final class AwsCredentials implements Supplier<AwsCredentials> {
  private final String accessKeyId;
  private final String secretAccessKey;
  private final String sessionToken;

  public AwsCredentials(String accessKeyId, String secretAccessKey, String sessionToken) {
    this.accessKeyId = accessKeyId;
    this.secretAccessKey = secretAccessKey;
    this.sessionToken = sessionToken;
  }

  public String accessKeyId() {
    return accessKeyId;
  }

  public String secretAccessKey() {
    return secretAccessKey;
  }

  public String sessionToken() {
    return sessionToken;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof AwsCredentials)) {
      return false;
    }
    AwsCredentials that = (AwsCredentials) o;
    return Objects.equals(accessKeyId, that.accessKeyId)
        && Objects.equals(secretAccessKey, that.secretAccessKey)
        && Objects.equals(sessionToken, that.sessionToken);
  }

  @Override
  public int hashCode() {
    return Objects.hash(accessKeyId, secretAccessKey, sessionToken);
  }

  /** Fixed credentials supply themselves (no lambda: this runs in premain, where each bootstrap costs). */
  @Override
  public AwsCredentials get() {
    return this;
  }


  @Override
  public String toString() {
    return "AwsCredentials[" + accessKeyId + ", [REDACTED]]";
  }

  public static AwsCredentials fromEnvironment(Map<String, String> env, String userHome) {
    String id = env.get("AWS_ACCESS_KEY_ID");
    String secret = env.get("AWS_SECRET_ACCESS_KEY");
    if (id != null && !id.isEmpty() && secret != null && !secret.isEmpty()) {
      return new AwsCredentials(id, secret, env.get("AWS_SESSION_TOKEN"));
    }
    Path file = env.get("AWS_SHARED_CREDENTIALS_FILE") != null
        ? Path.of(env.get("AWS_SHARED_CREDENTIALS_FILE")) : Path.of(userHome, ".aws", "credentials");
    String profile = env.getOrDefault("AWS_PROFILE", "default");
    if (!Files.isReadable(file)) {
      throw new CredentialsException("no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or "
          + "AWS_SHARED_CREDENTIALS_FILE (" + file + " cannot be read)");
    }
    try {
      return fromProfile(Files.readAllLines(file, StandardCharsets.UTF_8), profile, file);
    } catch (IOException e) {
      throw new CredentialsException("cannot read AWS credentials file " + file + ": " + e.getMessage());
    }
  }

  static AwsCredentials fromProfile(List<String> lines, String profile, Path file) {
    String section = null;
    String id = null;
    String secret = null;
    String token = null;
    for (String raw : lines) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
        continue;
      }
      if (line.startsWith("[") && line.endsWith("]")) {
        section = line.substring(1, line.length() - 1).strip();
        continue;
      }
      int eq = line.indexOf('=');
      if (!profile.equals(section) || eq < 0) {
        continue;
      }
      String key = line.substring(0, eq).strip();
      String value = line.substring(eq + 1).strip();
      switch (key) {
        case "aws_access_key_id":
          id = value;
          break;
        case "aws_secret_access_key":
          secret = value;
          break;
        case "aws_session_token":
          token = value;
          break;
        default:
          break;
      }
    }
    if (id == null || secret == null) {
      throw new CredentialsException("profile '" + profile + "' in " + file
          + " has no aws_access_key_id and aws_secret_access_key");
    }
    return new AwsCredentials(id, secret, token);
  }

  /** No usable credentials; the message says where the agent looked. */
  public static final class CredentialsException extends RuntimeException {
    CredentialsException(String message) {
      super(message, null, false, false);
    }
  }
}
