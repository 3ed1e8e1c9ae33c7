package dev.stowaway.agent.resolve;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Calls the sidecar's AWS JSON 1.1 API with SigV4, over the JDK's HttpURLConnection (keep-alive,
 * no threads of its own). Answers carry only what resolution needs.
 */
public final class SidecarClient {

  private static final String CONTENT_TYPE = "application/x-amz-json-1.1";

  private final URI endpoint;
  private final Supplier<AwsCredentials> credentials;
  private final SigV4Signer secretsManager;
  private final SigV4Signer ssm;
  private final Clock clock;
  private final int connectTimeoutMillis;
  private final int readTimeoutMillis;
  /** The sidecar's agent token, sent instead of a signature; null to sign with credentials. */
  private final String token;
  private static final String TOKEN_HEADER = "X-Aws-Parameters-Secrets-Token";

  public SidecarClient(URI endpoint, AwsCredentials credentials, String region, Clock clock, Duration timeout) {
    this(endpoint, (Supplier<AwsCredentials>) credentials, region, clock, timeout);
  }

  /** With credentials that may change under it, such as an assumed role's. */
  public SidecarClient(URI endpoint, Supplier<AwsCredentials> credentials, String region, Clock clock,
      Duration timeout) {
    this(endpoint, credentials, region, clock, timeout, null);
  }

  /**
   * Authenticating with the sidecar's agent token (the pod's or host's, bound to an IAM user there)
   * instead of signing with AWS credentials.
   */
  public static SidecarClient withToken(URI endpoint, String token, Duration timeout) {
    return new SidecarClient(endpoint, null, "us-east-1", Clock.systemUTC(), timeout, token);
  }

  private SidecarClient(URI endpoint, Supplier<AwsCredentials> credentials, String region, Clock clock,
      Duration timeout, String token) {
    this.token = token;
    this.endpoint = endpoint;
    this.credentials = credentials;
    this.secretsManager = new SigV4Signer(region, "secretsmanager");
    this.ssm = new SigV4Signer(region, "ssm");
    this.clock = clock;
    this.connectTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    this.readTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis() * 2);
  }

  /** A secret's current SecretString for the given stage or version. */
  public Resolved getSecretValue(String secretId, String versionStage, String versionId, String what) {
    Map<String, String> request = new LinkedHashMap<>();
    request.put("SecretId", secretId);
    if (versionStage != null) {
      request.put("VersionStage", versionStage);
    }
    if (versionId != null) {
      request.put("VersionId", versionId);
    }
    Map<String, String> answer = call(secretsManager, "secretsmanager.GetSecretValue", request, what);
    String value = answer.get("SecretString");
    if (value == null) {
      throw new ResolutionException(what + ": the secret holds SecretBinary, and only SecretString can be resolved");
    }
    return new Resolved(value, answer.get("ARN"), answer.get("VersionId"));
  }

  /** Which version holds each staging label, from DescribeSecret (ids and labels only). */
  public Map<String, String> stageHolders(String secretId, String what) {
    Map<String, String> request = new LinkedHashMap<>();
    request.put("SecretId", secretId);
    byte[] body = requestBody(request);
    Map<String, String> holders = new HashMap<>();
    byte[] response = exchange(secretsManager, "secretsmanager.DescribeSecret", body, what);
    Object answer;
    try {
      answer = JsonText.parse(new String(response, StandardCharsets.UTF_8));
    } catch (JsonText.MalformedException e) {
      throw new ResolutionException(what + ": the sidecar's answer is not valid JSON");
    }
    Object stages = answer instanceof Map ? ((Map<?, ?>) answer).get("VersionIdsToStages") : null;
    if (stages instanceof Map) {
      for (Map.Entry<?, ?> v : ((Map<?, ?>) stages).entrySet()) {
        if (v.getValue() instanceof List) {
          for (Object label : (List<?>) v.getValue()) {
            if (label instanceof String) {
              holders.put((String) label, (String) v.getKey());
            }
          }
        }
      }
    }
    return holders;
  }

  /** A parameter's value, through Parameter Store's GetParameter. */
  public Resolved getParameter(String name, String version, boolean withDecryption, String what) {
    Map<String, String> request = new LinkedHashMap<>();
    request.put("Name", version == null ? name : name + ":" + version);
    request.put("WithDecryption", String.valueOf(withDecryption));
    Map<String, String> answer = call(ssm, "AmazonSSM.GetParameter", request, what);
    return new Resolved(answer.get("Value"), answer.get("ARN"), answer.get("Version"));
  }

  /**
   * Opens the change feed ({@code GET /v1/events}, signed), resuming after {@code lastEventId}
   * when given. The caller reads the stream and closes it.
   */
  public HttpURLConnection openChangeFeed(String lastEventId, Duration readTimeout) throws IOException {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Host", endpoint.getPort() < 0 ? endpoint.getHost() : endpoint.getHost() + ":" + endpoint.getPort());
    Map<String, String> signed = authenticated(secretsManager, "GET", "/v1/events", headers, new byte[0]);
    HttpURLConnection http = (HttpURLConnection) endpoint.resolve("/v1/events").toURL().openConnection();
    http.setConnectTimeout(connectTimeoutMillis);
    http.setReadTimeout((int) Math.min(Integer.MAX_VALUE, readTimeout.toMillis()));
    signed.forEach((k, v) -> {
      if (!k.equals("Host")) {
        http.setRequestProperty(k, v);
      }
    });
    http.setRequestProperty("Accept", "text/event-stream");
    if (lastEventId != null) {
      http.setRequestProperty("Last-Event-ID", lastEventId);
    }
    return http;
  }

  /** The headers to send: signed, or with the token. */
  private Map<String, String> authenticated(SigV4Signer signer, String method, String path, Map<String, String> headers,
      byte[] body) {
    if (token == null) {
      return signer.sign(method, path, headers, body, credentials.get(), clock.instant());
    }
    Map<String, String> withToken = new LinkedHashMap<>(headers);
    withToken.put(TOKEN_HEADER, token);
    return withToken;
  }

  private Map<String, String> call(SigV4Signer signer, String target, Map<String, String> members, String what) {
    return parse(exchange(signer, target, requestBody(members), what), what);
  }

  /** One signed POST; the answer's bytes on 200, else the AWS error as a ResolutionException. */
  private byte[] exchange(SigV4Signer signer, String target, byte[] body, String what) {
    Map<String, String> headers = new LinkedHashMap<>();
    String host = endpoint.getPort() < 0 ? endpoint.getHost() : endpoint.getHost() + ":" + endpoint.getPort();
    headers.put("Host", host);
    headers.put("Content-Type", CONTENT_TYPE);
    headers.put("X-Amz-Target", target);
    Map<String, String> signed = authenticated(signer, "POST", "/", headers, body);
    int status;
    byte[] response;
    try {
      HttpURLConnection http = (HttpURLConnection) endpoint.resolve("/").toURL().openConnection();
      http.setConnectTimeout(connectTimeoutMillis);
      http.setReadTimeout(readTimeoutMillis);
      http.setRequestMethod("POST");
      http.setDoOutput(true);
      http.setFixedLengthStreamingMode(body.length);
      signed.forEach((k, v) -> {
        if (!k.equals("Host")) { // HttpURLConnection sets Host itself, to the same value
          http.setRequestProperty(k, v);
        }
      });
      try (OutputStream out = http.getOutputStream()) {
        out.write(body);
      }
      status = http.getResponseCode();
      try (InputStream in = status >= 400 ? http.getErrorStream() : http.getInputStream()) {
        response = in == null ? new byte[0] : in.readAllBytes();
      }
    } catch (IOException e) {
      throw new SidecarUnavailableException(what + ": the sidecar at " + endpoint + " is unreachable ("
          + e.getClass().getSimpleName() + ")");
    }
    if (status != 200) {
      Map<String, String> answer = parse(response, what);
      String type = answer.getOrDefault("__type", "HTTP " + status);
      type = type.substring(type.lastIndexOf('#') + 1);
      if (type.equals("UnknownOperationException")) {
        throw new ResolutionException(what + ": " + target.substring(0, target.indexOf('.'))
            + " is not supported by this sidecar");
      }
      String message = answer.getOrDefault("Message", answer.getOrDefault("message", ""));
      throw new ResolutionException(what + ": " + type + (message.isEmpty() ? "" : ": " + message));
    }
    return response;
  }

  private static byte[] requestBody(Map<String, String> members) {
    return JsonText.object(members, "WithDecryption").getBytes(StandardCharsets.UTF_8);
  }

  /** The top-level string and number members; Parameter Store nests its answer under "Parameter". */
  private static Map<String, String> parse(byte[] body, String what) {
    Map<String, String> out = new HashMap<>();
    if (body.length == 0) {
      return out;
    }
    Object answer;
    try {
      answer = JsonText.parse(new String(body, StandardCharsets.UTF_8));
    } catch (JsonText.MalformedException e) {
      throw new ResolutionException(what + ": the sidecar's answer is not valid JSON");
    }
    if (!(answer instanceof Map)) {
      throw new ResolutionException(what + ": the sidecar's answer is not a JSON object");
    }
    readObject((Map<?, ?>) answer, out);
    return out;
  }

  private static void readObject(Map<?, ?> object, Map<String, String> out) {
    for (Map.Entry<?, ?> m : object.entrySet()) {
      String name = (String) m.getKey();
      if (m.getValue() instanceof Map && name.equals("Parameter")) {
        readObject((Map<?, ?>) m.getValue(), out);
      } else if (m.getValue() == JsonText.NULL) {
        out.put(name, null);
      } else {
        String text = JsonText.scalarText(m.getValue());
        if (text != null) {
          out.put(name, text);
        }
      }
    }
  }
}
