package dev.stowaway.sidecar.testing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * Raw HTTP requests signed by the AWS SDK's own SigV4 signer: for the inputs no SDK client
 * would send (garbled bodies, unknown targets, skewed clocks).
 */
public final class SignedHttp {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private SignedHttp() {}

  /** Signs with the SDK signer; returns the headers to send (Authorization, X-Amz-Date, …). */
  public static Map<String, List<String>> sign(String method, URI uri, Map<String, String> headers, byte[] body,
      String accessKeyId, String secret, String region, String service, Clock clock) {
    SdkHttpRequest.Builder request = SdkHttpRequest.builder().method(SdkHttpMethod.fromValue(method)).uri(uri);
    headers.forEach(request::putHeader);
    var signed = AwsV4HttpSigner.create().sign(r -> r
        .identity(AwsCredentialsIdentity.create(accessKeyId, secret))
        .request(request.build())
        .payload(ContentStreamProvider.fromInputStream(new ByteArrayInputStream(body)))
        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, service)
        .putProperty(AwsV4HttpSigner.REGION_NAME, region)
        .putProperty(AwsV4HttpSigner.SIGNING_CLOCK, clock));
    return signed.request().headers();
  }

  public static HttpResponse<String> send(String method, URI uri, Map<String, List<String>> headers, byte[] body) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(uri)
        .method(method, body.length == 0 && method.equals("GET")
            ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach((name, values) -> {
      if (!RESTRICTED.contains(name.toLowerCase())) {
        values.forEach(v -> builder.header(name, v));
      }
    });
    try {
      return HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Headers java.net.http sets itself; their values are the same ones that were signed. */
  private static final List<String> RESTRICTED = List.of("host", "content-length", "connection", "expect", "upgrade");
}
