package dev.stowaway.sidecar.cli;

import dev.stowaway.sidecar.auth.SigV4Signer;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The command line's own AWS client for a running sidecar, signing with a credentials file (the
 * administrator's {@code admin-credentials}): JSON 1.1 and Query calls, as the SDKs make them.
 */
final class SignedClient {

  /** An answer: status and body. */
  record Answer(int status, byte[] body) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  private final URI endpoint;
  private final String accessKeyId;
  private final byte[] secret;
  private final String region;
  private final Clock clock;
  private final HttpClient http = HttpClient.newHttpClient();

  private SignedClient(URI endpoint, String accessKeyId, byte[] secret, String region, Clock clock) {
    this.endpoint = endpoint;
    this.accessKeyId = accessKeyId;
    this.secret = secret;
    this.region = region;
    this.clock = clock;
  }

  /** @throws IOException if the file cannot be read */
  static SignedClient withCredentialsFile(URI endpoint, Path file, Clock clock) throws IOException {
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      p.load(in);
    }
    return new SignedClient(endpoint, p.getProperty("aws_access_key_id"),
        p.getProperty("aws_secret_access_key", "").getBytes(StandardCharsets.UTF_8), p.getProperty("region", "us-east-1"),
        clock);
  }

  /** {@code X-Amz-Target: target}, signed for {@code service}. */
  Answer json(String target, String service, String body, Duration timeout) throws IOException, InterruptedException {
    return send(Map.of("Content-Type", "application/x-amz-json-1.1", "X-Amz-Target", target), service,
        body.getBytes(StandardCharsets.UTF_8), timeout);
  }

  /** A Query-protocol call (IAM, STS): form parameters, signed for {@code service}. */
  Answer query(String service, Map<String, String> form) throws IOException, InterruptedException {
    StringBuilder body = new StringBuilder();
    form.forEach((k, v) -> body.append(body.isEmpty() ? "" : "&").append(encode(k)).append('=').append(encode(v)));
    return send(Map.of("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"), service,
        body.toString().getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(30));
  }

  private Answer send(Map<String, String> headers, String service, byte[] body, Duration timeout)
      throws IOException, InterruptedException {
    Map<String, String> signed = SigV4Signer.sign("POST", endpoint.getAuthority(), "/", new LinkedHashMap<>(headers),
        body, accessKeyId, secret, service.equals("iam") ? "us-east-1" : region, service, clock.instant());
    HttpRequest.Builder request = HttpRequest.newBuilder(endpoint.resolve("/")).timeout(timeout)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    signed.forEach(request::header);
    HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    return new Answer(response.statusCode(), response.body());
  }

  /** Forgets the secret key. */
  void forget() {
    Arrays.fill(secret, (byte) 0);
  }

  private static String encode(String s) {
    return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
