package dev.stowaway.agent.resolve;

import dev.stowaway.agent.AgentLog;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Follows the sidecar's change feed on a daemon thread. A change to a secret drops its cached
 * values at once and soft-evicts the pools configured with it; a reset drops everything. When the
 * feed breaks it reconnects with backoff, resuming from the last event it saw.
 */
public final class ChangeFeedFollower implements Runnable {

  private static final Duration READ_TIMEOUT = Duration.ofSeconds(45); // the sidecar pings every 15 s
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  private final SidecarClient client;
  private final Resolver resolver;
  private final Clock clock;
  private volatile String lastEventId;
  private volatile boolean stopped;

  public ChangeFeedFollower(SidecarClient client, Resolver resolver, Clock clock) {
    this.client = client;
    this.resolver = resolver;
    this.clock = clock;
  }

  public Thread start() {
    Thread t = new Thread(this, "stowaway-agent-change-feed");
    t.setDaemon(true);
    t.start();
    return t;
  }

  public void stop() {
    stopped = true;
  }

  @Override
  public void run() {
    Duration backoff = Duration.ofSeconds(1);
    boolean warned = false;
    while (!stopped) {
      try {
        HttpURLConnection http = client.openChangeFeed(lastEventId, READ_TIMEOUT);
        int status = http.getResponseCode();
        if (status != 200) {
          throw new IOException("the sidecar answered HTTP " + status + " to GET /v1/events");
        }
        if (warned) {
          AgentLog.info("following the change feed again");
          warned = false;
        }
        backoff = Duration.ofSeconds(1);
        resolver.stages().following(true);
        try {
          read(http);
        } finally {
          resolver.stages().following(false);
        }
      } catch (IOException | RuntimeException e) {
        if (!warned) {
          AgentLog.warn("change feed unavailable (" + e.getMessage()
              + "); cached values expire by their TTL until it is back");
          warned = true;
        }
      }
      if (stopped) {
        return;
      }
      try {
        pollOnce(); // the feed is down: ask about the secrets in use instead
      } catch (RuntimeException e) {
        // the sidecar is probably down too; cached values are served up to maxStale
      }
      try {
        Thread.sleep(backoff.toMillis()); // reconnect backoff, not a wait for a condition
      } catch (InterruptedException e) {
        return;
      }
      backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
    }
  }

  private void read(HttpURLConnection http) throws IOException {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(http.getInputStream(), StandardCharsets.UTF_8))) {
      String id = null;
      String event = null;
      StringBuilder data = new StringBuilder();
      for (String line = in.readLine(); line != null && !stopped; line = in.readLine()) {
        if (line.isEmpty()) {
          if (event != null) {
            dispatch(event, data.toString());
          }
          if (id != null) {
            lastEventId = id;
          }
          id = null;
          event = null;
          data.setLength(0);
        } else if (line.startsWith("id:")) {
          id = line.substring(3).strip();
        } else if (line.startsWith("event:")) {
          event = line.substring(6).strip();
        } else if (line.startsWith("data:")) {
          data.append(line.substring(5).strip());
        }
      }
    } finally {
      http.disconnect();
    }
  }

  /**
   * Without the feed, asks the sidecar (DescribeSecret) whether the version behind each cached
   * value still holds its label, and treats any that moved as a change. Returns how many moved.
   */
  public int pollOnce() {
    Map<String, String> nameOf = new HashMap<>();
    Map<String, Map<String, String>> holdersByArn = new HashMap<>();
    int moved = 0;
    for (Map.Entry<Reference, Resolved> e : resolver.cached().entrySet()) {
      if (!(e.getKey() instanceof Reference.Secret)) {
        continue;
      }
      Reference.Secret s = (Reference.Secret) e.getKey();
      if (s.versionId() != null || e.getValue().arn() == null) {
        continue;
      }
      String arn = e.getValue().arn();
      Map<String, String> holders = holdersByArn.computeIfAbsent(arn,
          a -> client.stageHolders(a, "{{resolve:" + s + "}}"));
      String stage = s.versionStage() == null ? "AWSCURRENT" : s.versionStage();
      if (!e.getValue().versionId().equals(holders.get(stage)) && !nameOf.containsKey(arn)) {
        nameOf.put(arn, s.secretId());
        moved++;
      }
    }
    nameOf.forEach((arn, id) -> {
      String name = arn.substring(arn.indexOf(":secret:") + ":secret:".length(), arn.length() - 7);
      resolver.invalidate(arn, name);
      HikariPools.refresh(r -> resolver.concerns(r, arn, name), resolver::referenceOf);
      AgentLog.info("" + name + " changed (seen by polling); dropped its cached values");
    });
    return moved;
  }

  /** {@code {"VERSION-ID": ["AWSCURRENT", …], …}}, or null when the event has none. */
  private static Map<String, List<String>> versionIdsToStages(Object member) {
    if (!(member instanceof Map)) {
      return null;
    }
    Map<String, List<String>> stages = new HashMap<>();
    for (Map.Entry<?, ?> v : ((Map<?, ?>) member).entrySet()) {
      List<String> labels = new ArrayList<>();
      if (v.getValue() instanceof List) {
        for (Object label : (List<?>) v.getValue()) {
          if (label instanceof String) {
            labels.add((String) label);
          }
        }
      }
      stages.put(String.valueOf(v.getKey()), labels);
    }
    return stages;
  }

  void dispatch(String event, String data) {
    if (event.equals("reset")) {
      resolver.invalidateAll();
      resolver.stages().forgetAll();
      return;
    }
    if (!event.equals("change")) {
      return;
    }
    String arn = null;
    String name = null;
    String operation = null;
    double time = Double.NaN;
    Map<String, List<String>> stages = null;
    try {
      Object parsed = JsonText.parse(data);
      if (!(parsed instanceof Map)) {
        return;
      }
      Map<?, ?> e = (Map<?, ?>) parsed;
      arn = JsonText.scalarText(e.get("arn"));
      name = JsonText.scalarText(e.get("name"));
      operation = JsonText.scalarText(e.get("operation"));
      String t = JsonText.scalarText(e.get("time"));
      time = t == null ? Double.NaN : Double.parseDouble(t);
      stages = versionIdsToStages(e.get("versionIdsToStages"));
    } catch (JsonText.MalformedException | NumberFormatException e) {
      return;
    }
    if (arn == null || name == null) {
      return;
    }
    String finalArn = arn;
    String finalName = name;
    int dropped = resolver.invalidate(arn, name);
    resolver.stages().changed(arn, stages); // after the values are dropped: waiting logins fetch the new ones
    int pools = HikariPools.refresh(r -> resolver.concerns(r, finalArn, finalName), resolver::referenceOf);
    if (dropped > 0 || pools > 0) {
      long lagMillis = Double.isNaN(time) ? -1 : clock.millis() - Math.round(time * 1000);
      AgentLog.info("" + name + " changed (" + operation + ") " + lagMillis
          + " ms ago; dropped " + dropped + " cached value(s), refreshed " + pools + " pool(s)");
    }
  }
}
