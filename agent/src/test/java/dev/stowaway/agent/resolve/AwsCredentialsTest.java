package dev.stowaway.agent.resolve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AwsCredentialsTest {

  @TempDir
  Path dir;

  @Test
  void environmentVariablesComeFirst() {
    AwsCredentials c = AwsCredentials.fromEnvironment(Map.of("AWS_ACCESS_KEY_ID", "AKIAENV",
        "AWS_SECRET_ACCESS_KEY", "secret", "AWS_SESSION_TOKEN", "tok"), dir.toString());
    assertEquals(new AwsCredentials("AKIAENV", "secret", "tok"), c);
  }

  @Test
  void sharedFileAndProfile() throws IOException {
    Path file = dir.resolve("creds");
    Files.writeString(file, "# comment\n[default]\naws_access_key_id = AKIADEF\naws_secret_access_key = s1\n"
        + "region = us-east-1\n\n[app]\naws_access_key_id=AKIAAPP\naws_secret_access_key=s2\n");
    assertEquals(new AwsCredentials("AKIADEF", "s1", null),
        AwsCredentials.fromEnvironment(Map.of("AWS_SHARED_CREDENTIALS_FILE", file.toString()), dir.toString()));
    assertEquals(new AwsCredentials("AKIAAPP", "s2", null), AwsCredentials.fromEnvironment(
        Map.of("AWS_SHARED_CREDENTIALS_FILE", file.toString(), "AWS_PROFILE", "app"), dir.toString()));
  }

  @Test
  void missingProfileIsNamed() throws IOException {
    Path file = dir.resolve("creds");
    Files.writeString(file, "[default]\naws_access_key_id = A\naws_secret_access_key = s\n");
    AwsCredentials.CredentialsException e = assertThrows(AwsCredentials.CredentialsException.class,
        () -> AwsCredentials.fromEnvironment(Map.of("AWS_SHARED_CREDENTIALS_FILE", file.toString(), "AWS_PROFILE", "ops"),
            dir.toString()));
    assertEquals("profile 'ops' in " + file + " has no aws_access_key_id and aws_secret_access_key", e.getMessage());
  }

  @Test
  void noCredentialsAnywhereSaysWhereItLooked() {
    AwsCredentials.CredentialsException e = assertThrows(AwsCredentials.CredentialsException.class,
        () -> AwsCredentials.fromEnvironment(Map.of(), dir.toString()));
    assertEquals("no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_SHARED_CREDENTIALS_FILE ("
        + dir.resolve(".aws").resolve("credentials") + " cannot be read)", e.getMessage());
  }

  @Test
  void toStringHidesTheSecret() {
    assertEquals("AwsCredentials[AKIA1, [REDACTED]]", new AwsCredentials("AKIA1", "very-secret", null).toString());
  }
}
