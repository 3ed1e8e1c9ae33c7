package dev.stowaway.agent.resolve;

import dev.stowaway.agent.AgentLog;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Credentials of an assumed role: assumed once at start-up with the base credentials, then
 * re-assumed on a daemon thread {@code refreshAhead} before they expire. Readers only ever see a
 * volatile field, so resolution never waits for a refresh.
 */
public final class RoleCredentials implements Supplier<AwsCredentials> {

  private static final Duration RETRY = Duration.ofSeconds(10);

  private final URI endpoint;
  private final AwsCredentials base;
  private final SigV4Signer sts;
  private final String roleArn;
  private final String sessionName;
  private final Duration duration;
  private final Duration refreshAhead;
  private final Clock clock;
  private volatile AwsCredentials current;
  private ScheduledExecutorService refresher;

  public RoleCredentials(URI endpoint, AwsCredentials base, String region, String roleArn, String sessionName,
      Duration duration, Duration refreshAhead, Clock clock) {
    this.endpoint = endpoint;
    this.base = base;
    this.sts = new SigV4Signer(region, "sts");
    this.roleArn = roleArn;
    this.sessionName = sessionName;
    this.duration = duration;
    this.refreshAhead = refreshAhead;
    this.clock = clock;
  }

  /** Assumes the role now (failing with the sidecar's reason) and schedules the refreshes. */
  public RoleCredentials start() {
    Instant expiration = assume();
    refresher = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "stowaway-role-refresh");
      t.setDaemon(true);
      return t;
    });
    schedule(expiration);
    return this;
  }

  @Override
  public AwsCredentials get() {
    return current;
  }

  private void schedule(Instant expiration) {
    long delay = Math.max(0, Duration.between(clock.instant(), expiration.minus(refreshAhead)).toMillis());
    refresher.schedule(this::refresh, delay, TimeUnit.MILLISECONDS);
  }

  private void refresh() {
    try {
      schedule(assume());
    } catch (RuntimeException e) {
      // the current credentials stay in use until they expire; keep trying meanwhile
      AgentLog.warn("cannot refresh the credentials of role " + roleArn + ": " + e.getMessage()
          + "; retrying in " + RETRY.toSeconds() + " s");
      refresher.schedule(this::refresh, RETRY.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** One AssumeRole call; sets {@link #current} and returns the expiration. */
  private Instant assume() {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("Action", "AssumeRole");
    form.put("Version", "2011-06-15");
    form.put("RoleArn", roleArn);
    form.put("RoleSessionName", sessionName);
    form.put("DurationSeconds", String.valueOf(duration.toSeconds()));
    StringBuilder body = new StringBuilder();
    form.forEach((k, v) -> body.append(body.length() == 0 ? "" : "&").append(k).append('=')
        .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
    byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Host", endpoint.getPort() < 0 ? endpoint.getHost() : endpoint.getHost() + ":" + endpoint.getPort());
    headers.put("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
    Map<String, String> signed = sts.sign("POST", "/", headers, bytes, base, clock.instant());
    String answer;
    int status;
    try {
      HttpURLConnection http = (HttpURLConnection) endpoint.resolve("/").toURL().openConnection();
      http.setConnectTimeout(2000);
      http.setReadTimeout(4000);
      http.setRequestMethod("POST");
      http.setDoOutput(true);
      http.setFixedLengthStreamingMode(bytes.length);
      signed.forEach((k, v) -> {
        if (!k.equals("Host")) {
          http.setRequestProperty(k, v);
        }
      });
      try (OutputStream out = http.getOutputStream()) {
        out.write(bytes);
      }
      status = http.getResponseCode();
      try (InputStream in = status == 200 ? http.getInputStream() : http.getErrorStream()) {
        answer = in == null ? "" : read(in);
      }
    } catch (IOException e) {
      throw new SidecarUnavailableException("cannot reach the sidecar at " + endpoint + " to assume " + roleArn
          + ": " + e.getMessage());
    }
    if (status != 200) {
      throw new ResolutionException("cannot assume role " + roleArn + ": " + element(answer, "Code") + ": "
          + element(answer, "Message"));
    }
    current = new AwsCredentials(element(answer, "AccessKeyId"), element(answer, "SecretAccessKey"),
        element(answer, "SessionToken"));
    return Instant.parse(element(answer, "Expiration"));
  }

  /** The text of the first {@code <name>} element: STS answers are small, flat and known. */
  private static String element(String xml, String name) {
    Matcher m = Pattern.compile("<" + name + ">([^<]*)</" + name + ">").matcher(xml);
    return m.find() ? m.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"")
        .replace("&apos;", "'").replace("&amp;", "&") : null;
  }

  private static String read(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    in.transferTo(out);
    return out.toString(StandardCharsets.UTF_8);
  }
}
