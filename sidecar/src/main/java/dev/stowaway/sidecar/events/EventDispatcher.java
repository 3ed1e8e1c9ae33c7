package dev.stowaway.sidecar.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stowaway.vault.events.EventRules;
import dev.stowaway.vault.store.EventRuleRecord;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import dev.stowaway.sidecar.config.Destinations;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Turns each durable audit record into an EventBridge event, matches it against the rules and
 * delivers it to their targets. The audit writer only offers the record to a bounded queue, so
 * no request ever waits on a rule or a target; deliveries that fail are retried with doubling
 * backoff on daemon threads, and what cannot be held (queue full, attempts used up) is dropped,
 * counted and logged.
 */
public final class EventDispatcher implements AutoCloseable {

  /** Retry and queue bounds. */
  public record Settings(Duration firstRetry, Duration maxRetry, int maxAttempts, int maxQueued, Duration timeout) {

    public static Settings defaults() {
      return new Settings(Duration.ofSeconds(1), Duration.ofMinutes(5), 10, 10_000, Duration.ofSeconds(10));
    }

    public Settings withFirstRetry(Duration first) {
      return new Settings(first, maxRetry, maxAttempts, maxQueued, timeout);
    }
  }

  private static final Logger LOG = System.getLogger(EventDispatcher.class.getName());

  private final ObjectMapper json = new ObjectMapper();
  private final EventRules rules;
  private final Path dataDir;
  private final Settings settings;
  private final HttpClient http;
  private final Destinations webhooks;
  private final BlockingQueue<ObjectNode> records;
  private final AtomicInteger pendingDeliveries = new AtomicInteger();
  private final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
  private final Thread matcher;
  private final ScheduledExecutorService deliveries;
  private volatile boolean closed;

  /** {@code webhooks}: event-target-urls, the URLs webhook targets may call. */
  public EventDispatcher(EventRules rules, Path dataDir, Settings settings, Destinations webhooks) {
    this.rules = rules;
    this.webhooks = webhooks;
    this.dataDir = dataDir;
    this.settings = settings;
    this.records = new ArrayBlockingQueue<>(settings.maxQueued());
    this.http = HttpClient.newBuilder().connectTimeout(settings.timeout())
        .followRedirects(HttpClient.Redirect.NEVER).build();
    this.deliveries = Executors.newScheduledThreadPool(2, r -> {
      Thread t = new Thread(r, "stowaway-event-delivery");
      t.setDaemon(true);
      return t;
    });
    this.matcher = new Thread(this::matchLoop, "stowaway-event-rules");
    this.matcher.setDaemon(true);
    this.matcher.start();
  }

  /** Called by the audit writer with each durable record: never blocks. */
  public void recorded(ObjectNode record) {
    if (!records.offer(record)) {
      count("any", "dropped");
      LOG.log(Level.WARNING, "event queue full: dropped the event for " + record.path("eventName").asText());
    }
  }

  /** Deliveries so far, by target kind and outcome ("webhook,delivered" → n), for metrics. */
  public Map<String, Long> outcomes() {
    Map<String, Long> copy = new java.util.TreeMap<>();
    outcomes.forEach((k, v) -> copy.put(k, v.sum()));
    return copy;
  }

  private void count(String kind, String outcome) {
    outcomes.computeIfAbsent(kind + "," + outcome, k -> new LongAdder()).increment();
  }

  private void matchLoop() {
    while (!closed) {
      ObjectNode record;
      try {
        record = records.poll(1, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        return;
      }
      if (record == null) {
        continue;
      }
      try {
        dispatch(record);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "cannot match event " + record.path("eventID").asText() + " against rules: " + e);
      }
    }
  }

  private void dispatch(ObjectNode record) {
    ObjectNode event = envelope(record);
    boolean readOnlyCall = "AwsApiCall".equals(record.path("eventType").asText()) && record.path("readOnly").asBoolean();
    for (EventRules.Match match : rules.matching(event, readOnlyCall)) {
      for (EventRuleRecord.Target target : match.targets()) {
        byte[] payload;
        try {
          payload = target.input() != null ? target.input().getBytes(StandardCharsets.UTF_8)
              : json.writeValueAsBytes(event);
        } catch (JsonProcessingException e) {
          throw new IllegalStateException(e);
        }
        EventTarget destination = EventTarget.of(target.arn(), dataDir, http, settings.timeout());
        if (destination instanceof EventTarget.Webhook webhook && !webhooks.allowsUrl(webhook.uri())) {
          // Put before the operator narrowed the list: the list decides at delivery too.
          count(destination.kind(), "refused");
          LOG.log(Level.WARNING, "not delivering to target " + target.id() + " of rule " + match.ruleName() + ": "
              + webhooks.refusal(Destinations.shown(webhook.uri())));
          continue;
        }
        if (pendingDeliveries.incrementAndGet() > settings.maxQueued()) {
          pendingDeliveries.decrementAndGet();
          count(destination.kind(), "dropped");
          LOG.log(Level.WARNING, "too many event deliveries pending: dropped one for rule " + match.ruleName());
          continue;
        }
        deliveries.execute(() -> attempt(destination, payload, match.ruleName(), target.id(), 1));
      }
    }
  }

  private void attempt(EventTarget target, byte[] payload, String rule, String targetId, int attempt) {
    try {
      target.deliver(payload);
      count(target.kind(), "delivered");
      pendingDeliveries.decrementAndGet();
    } catch (IOException | RuntimeException e) {
      count(target.kind(), "failed");
      if (attempt >= settings.maxAttempts() || closed) {
        pendingDeliveries.decrementAndGet();
        count(target.kind(), "dropped");
        LOG.log(Level.WARNING, "gave up delivering to target " + targetId + " of rule " + rule + " after " + attempt
            + " attempts: " + e.getMessage());
        return;
      }
      long delay = Math.min(settings.maxRetry().toMillis(), settings.firstRetry().toMillis() << Math.min(attempt - 1, 20));
      LOG.log(Level.INFO, "delivery to target " + targetId + " of rule " + rule + " failed (" + e.getMessage()
          + "); retrying in " + delay + " ms");
      deliveries.schedule(() -> attempt(target, payload, rule, targetId, attempt + 1), delay, TimeUnit.MILLISECONDS);
    }
  }

  /**
   * The EventBridge event for a CloudTrail record: {@code source} {@code aws.<service>},
   * {@code detail-type} saying whether it was an API call or the service acting by itself, and
   * the record itself as {@code detail}.
   */
  ObjectNode envelope(JsonNode record) {
    ObjectNode event = json.createObjectNode();
    event.put("version", "0");
    event.put("id", UUID.randomUUID().toString());
    event.put("detail-type", "AwsServiceEvent".equals(record.path("eventType").asText())
        ? "AWS Service Event via CloudTrail" : "AWS API Call via CloudTrail");
    String source = record.path("eventSource").asText();
    event.put("source", "aws." + (source.endsWith(".amazonaws.com")
        ? source.substring(0, source.length() - ".amazonaws.com".length()) : source));
    event.put("account", record.path("recipientAccountId").asText());
    event.put("time", record.path("eventTime").asText());
    event.put("region", record.path("awsRegion").asText());
    ArrayNode resources = event.putArray("resources");
    for (JsonNode resource : record.path("resources")) {
      resources.add(resource.path("ARN").asText());
    }
    event.set("detail", record);
    return event;
  }

  @Override
  public void close() {
    closed = true;
    matcher.interrupt();
    deliveries.shutdownNow();
  }
}
