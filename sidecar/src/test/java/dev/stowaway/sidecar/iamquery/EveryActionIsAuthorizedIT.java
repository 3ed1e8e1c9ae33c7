package dev.stowaway.sidecar.iamquery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stowaway.sidecar.testing.RunningSidecar;
import dev.stowaway.sidecar.testing.SignedHttp;
import dev.stowaway.vault.Vault;
import dev.stowaway.vault.identity.Caller;
import dev.stowaway.vault.identity.NewAccessKey;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every IAM action the sidecar serves is refused to a user without policies, with AWS's message
 * naming {@code iam:<Action>}; only {@code sts:GetCallerIdentity} needs no permission, as in AWS.
 * The actions come from the served table, so one added later is checked too.
 */
class EveryActionIsAuthorizedIT {

  /** Enough parameters for any served action to get as far as authorization; unused ones are ignored. */
  private static final Map<String, String> PARAMETERS = new LinkedHashMap<>();

  static {
    PARAMETERS.put("UserName", "someone");
    PARAMETERS.put("GroupName", "team");
    PARAMETERS.put("PolicyName", "p");
    PARAMETERS.put("PolicyArn", "arn:aws:iam::123456789012:policy/p");
    PARAMETERS.put("PolicyDocument", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
        + "\"Action\":\"*\",\"Resource\":\"*\"}}");
    PARAMETERS.put("VersionId", "v1");
    PARAMETERS.put("AccessKeyId", "AKIAIOSFODNN7EXAMPLE");
    PARAMETERS.put("Status", "Inactive");
    PARAMETERS.put("PolicySourceArn", "arn:aws:iam::123456789012:user/someone");
    PARAMETERS.put("ActionNames.member.1", "secretsmanager:GetSecretValue");
    PARAMETERS.put("VirtualMFADeviceName", "phone");
    PARAMETERS.put("RoleName", "worker");
    PARAMETERS.put("AssumeRolePolicyDocument", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":"
        + "\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::123456789012:user/someone\"},"
        + "\"Action\":\"sts:AssumeRole\"}}");
    PARAMETERS.put("SerialNumber", "arn:aws:iam::123456789012:mfa/phone");
    PARAMETERS.put("AuthenticationCode1", "123456");
    PARAMETERS.put("AuthenticationCode2", "234567");
  }

  private static final Pattern CODE = Pattern.compile("<Code>([^<]*)</Code>");
  private static final Pattern MESSAGE = Pattern.compile("<Message>([^<]*)</Message>");

  @TempDir
  static Path dataDir;

  static RunningSidecar sidecar;
  static NewAccessKey nobody;

  @BeforeAll
  static void start() {
    sidecar = RunningSidecar.in(dataDir);
    Vault vault = sidecar.sidecar().vault();
    vault.identity().as(Caller.SYSTEM).createUser("nobody", null);
    nobody = vault.identity().as(Caller.SYSTEM).createAccessKey("nobody");
  }

  @AfterAll
  static void stop() {
    sidecar.close();
  }

  static Stream<String> servedActions() {
    Vault vault = sidecar.sidecar().vault();
    return new IamApi(vault.identity(), vault.groups(), vault.policies(), vault.mfaDevices(), vault.roles()).actions().keySet().stream();
  }

  @ParameterizedTest
  @MethodSource("servedActions")
  void refusedWithoutAPolicyNamingItsOwnAction(String action) {
    HttpResponse<String> response = call("iam", "2010-05-08", action);
    assertEquals(403, response.statusCode(), response.body());
    assertEquals("AccessDenied", first(CODE, response.body()));
    String message = first(MESSAGE, response.body());
    assertTrue(message.startsWith("User: arn:aws:iam::123456789012:user/nobody is not authorized to perform: iam:"
        + action + " on resource: "), message);
    assertTrue(message.endsWith("because no identity-based policy allows the iam:" + action + " action"), message);
  }

  @Test
  void callerIdentityNeedsNoPermission() {
    HttpResponse<String> response = call("sts", "2011-06-15", "GetCallerIdentity");
    assertEquals(200, response.statusCode(), response.body());
    assertTrue(response.body().contains("<Arn>arn:aws:iam::123456789012:user/nobody</Arn>"), response.body());
  }

  private static String first(Pattern pattern, String xml) {
    Matcher m = pattern.matcher(xml);
    assertTrue(m.find(), xml);
    return m.group(1).replace("&quot;", "\"").replace("&apos;", "'").replace("&lt;", "<").replace("&gt;", ">")
        .replace("&amp;", "&");
  }

  private static HttpResponse<String> call(String service, String version, String action) {
    Map<String, String> form = new LinkedHashMap<>(PARAMETERS);
    form.put("Action", action);
    form.put("Version", version);
    byte[] body = form.entrySet().stream()
        .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
            + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&")).getBytes(StandardCharsets.UTF_8);
    URI uri = URI.create(sidecar.endpoint() + "/");
    var headers = SignedHttp.sign("POST", uri,
        Map.of("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"), body,
        nobody.accessKeyId(), nobody.secretAccessKey(), "us-east-1", service, Clock.systemUTC());
    return SignedHttp.send("POST", uri, headers, body);
  }
}
