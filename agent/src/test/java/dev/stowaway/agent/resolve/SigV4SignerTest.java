package dev.stowaway.agent.resolve;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

/** The agent's signer must produce exactly the AWS SDK's Authorization header. */
class SigV4SignerTest {

  @ParameterizedTest
  @CsvSource(delimiter = '|', nullValues = "-", value = {
      "secretsmanager|us-east-1|secretsmanager.GetSecretValue|{\"SecretId\":\"prod/db\"}|-",
      "ssm|eu-west-1|AmazonSSM.GetParameter|{\"Name\":\"/a/b\",\"WithDecryption\":true}|-",
      "secretsmanager|us-east-1|secretsmanager.GetSecretValue|{}|FwoGZXIvYXdzEJr//////////wEaDM",
      "secretsmanager|ap-southeast-2|secretsmanager.GetSecretValue|{\"SecretId\":\"ünïcødé/+=\"}|-"})
  void authorizationMatchesTheSdk(String service, String region, String target, String body, String token) {
    Instant now = Instant.parse("2026-11-29T10:11:12Z");
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Host", "127.0.0.1:2773");
    headers.put("Content-Type", "application/x-amz-json-1.1");
    headers.put("X-Amz-Target", target);
    AwsCredentials ours = new AwsCredentials("AKIAEXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", token);

    Map<String, String> signed = new SigV4Signer(region, service).sign("POST", "/", headers, bytes, ours, now);

    SdkHttpRequest.Builder request = SdkHttpRequest.builder().method(SdkHttpMethod.POST)
        .uri(URI.create("http://127.0.0.1:2773/"));
    headers.forEach(request::putHeader);
    AwsCredentialsIdentity identity = token == null
        ? AwsCredentialsIdentity.create(ours.accessKeyId(), ours.secretAccessKey())
        : AwsSessionCredentialsIdentity.create(ours.accessKeyId(), ours.secretAccessKey(), token);
    var sdk = AwsV4HttpSigner.create().sign(r -> r.identity(identity)
        .request(request.build())
        .payload(ContentStreamProvider.fromInputStream(new ByteArrayInputStream(bytes)))
        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, service)
        .putProperty(AwsV4HttpSigner.REGION_NAME, region)
        .putProperty(AwsV4HttpSigner.SIGNING_CLOCK, Clock.fixed(now, ZoneOffset.UTC)));

    assertEquals(sdk.request().firstMatchingHeader("Authorization").orElseThrow(), signed.get("Authorization"));
    assertEquals(sdk.request().firstMatchingHeader("X-Amz-Date").orElseThrow(), signed.get("X-Amz-Date"));
  }
}
