package dev.stowaway.vault.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stowaway.vault.identity.Caller;
import dev.stowaway.vault.policy.Authorizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * CloudTrail's LookupEvents over the audit files: newest first, at most one lookup attribute, a
 * time range, and pages that continue below the last record returned. Files whose time span
 * cannot overlap the range are not read at all.
 */
public final class AuditLookup {

  /** The attributes CloudTrail lets one look up by. */
  public enum Attribute {
    EventId, EventName, ReadOnly, Username, ResourceType, ResourceName, EventSource, AccessKeyId
  }

  /** One attribute (or none), a time range (either end open), a page size, and where to go on from. */
  public record Query(Attribute attribute, String value, Instant start, Instant end, int maxResults, String cursor) {}

  /** A page of records, newest first, and where the next page starts, if there is more. */
  public record Page(List<JsonNode> events, String nextCursor) {}

  /** Where records are searched: this sidecar's files, or the index several sidecars share. */
  public interface Search {
    Page search(Query query) throws IOException;
  }

  private final Search search;
  private final Authorizer authorizer;

  public AuditLookup(Search search, Authorizer authorizer) {
    this.search = search;
    this.authorizer = authorizer;
  }

  /** Over this sidecar's own audit files. */
  public AuditLookup(Path dir, Authorizer authorizer) {
    this(new Files(dir), authorizer);
  }

  /** Authorizes {@code cloudtrail:LookupEvents}, then searches. */
  public Page lookup(Caller caller, Query query) {
    authorizer.authorize(caller, "cloudtrail:LookupEvents", "*", Map.of(), null);
    try {
      return search.search(query);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the audit log", e);
    }
  }

  /** The audit files of one sidecar, read newest first; files outside the time range are skipped. */
  static final class Files implements Search {

    private static final int NO_MORE = -1;
    private final ObjectMapper json = new ObjectMapper();
    private final Path dir;

    Files(Path dir) {
      this.dir = dir;
    }

    @Override
    public Page search(Query query) throws IOException {
      Long before;
      try {
        before = query.cursor() == null ? null : Long.valueOf(query.cursor());
      } catch (NumberFormatException e) {
        throw new dev.stowaway.vault.VaultException(dev.stowaway.vault.VaultError.INVALID_NEXT_TOKEN,
            "The NextToken is not valid.");
      }
      List<Found> found = new ArrayList<>();
      Long next = scanFiles(query, before, found);
      return new Page(found.stream().map(Found::event).toList(), next == null ? null : String.valueOf(next));
    }

    private record Found(long sequence, JsonNode event) {}

    private Long scanFiles(Query query, Long before, List<Found> found) throws IOException {
      List<Path> files = AuditFiles.recordFiles(dir);
      for (int i = files.size() - 1; i >= 0; i--) {
        String name = files.get(i).getFileName().toString();
        long firstSequence = AuditFiles.firstSequence(name);
        if (before != null && firstSequence >= before) {
          continue;
        }
        if (query.end() != null && AuditFiles.startTime(name).isAfter(query.end())) {
          continue; // everything in it is newer than the range
        }
        long stop = scan(files.get(i), query, before, found);
        if (stop != NO_MORE) {
          return stop;
        }
        if (query.start() != null && AuditFiles.startTime(name).isBefore(query.start())) {
          break; // older files hold only older records
        }
      }
      return null;
    }

    /** Adds matches from one file, newest first; returns where the next page starts once the page is full. */
    private long scan(Path file, Query query, Long before, List<Found> found) throws IOException {
      byte[] content = java.nio.file.Files.readAllBytes(file);
      int end = content.length;
      while (end > 0 && content[end - 1] != '\n') {
        end--; // a record still being written is not there yet
      }
      int lineEnd = end - 1;
      while (lineEnd > 0) {
        int lineStart = lineEnd - 1;
        while (lineStart >= 0 && content[lineStart] != '\n') {
          lineStart--;
        }
        lineStart++;
        JsonNode line = json.readTree(new String(content, lineStart, lineEnd - lineStart, StandardCharsets.UTF_8));
        lineEnd = lineStart - 1;
        long sequence = line.path("seq").asLong();
        if (before != null && sequence >= before) {
          continue;
        }
        JsonNode event = line.path("event");
        Instant time = Instant.parse(event.path("eventTime").asText());
        if (query.end() != null && time.isAfter(query.end()) || query.start() != null && time.isBefore(query.start())) {
          continue;
        }
        if (!matches(event, query)) {
          continue;
        }
        if (found.size() == query.maxResults()) {
          return found.get(found.size() - 1).sequence();
        }
        found.add(new Found(sequence, event));
      }
      return NO_MORE;
    }
  }

  /** Whether a record answers the query's attribute (its time range is the search's to apply). */
  public static boolean matches(JsonNode event, Query query) {
    if (query.attribute() == null) {
      return true;
    }
    String value = query.value();
    return switch (query.attribute()) {
      case EventId -> value.equals(event.path("eventID").asText());
      case EventName -> value.equals(event.path("eventName").asText());
      case ReadOnly -> value.equals(String.valueOf(event.path("readOnly").asBoolean()));
      case EventSource -> value.equals(event.path("eventSource").asText());
      case AccessKeyId -> value.equals(event.path("userIdentity").path("accessKeyId").asText());
      case Username -> value.equals(username(event));
      case ResourceType -> anyResource(event, r -> value.equals(r.path("type").asText()));
      case ResourceName -> anyResource(event, r -> value.equals(r.path("ARN").asText())
          || value.equals(resourceName(r.path("ARN").asText())))
          || value.equals(event.path("requestParameters").path("secretId").asText(null));
    };
  }

  /** Who CloudTrail says did it: the user name, or a role session's name. */
  public static String username(JsonNode event) {
    JsonNode identity = event.path("userIdentity");
    if (identity.hasNonNull("userName")) {
      return identity.path("userName").asText();
    }
    if ("AssumedRole".equals(identity.path("type").asText())) {
      String arn = identity.path("arn").asText();
      return arn.substring(arn.lastIndexOf('/') + 1);
    }
    return null;
  }

  /**
   * The name within an ARN: a secret's name without its six-character suffix, or the last part
   * of an IAM path ({@code user/ops/alice} is {@code alice}).
   */
  public static String resourceName(String arn) {
    int secret = arn.indexOf(":secret:");
    if (secret >= 0) {
      String name = arn.substring(secret + ":secret:".length());
      return name.length() > 7 && name.charAt(name.length() - 7) == '-' ? name.substring(0, name.length() - 7) : name;
    }
    int slash = arn.lastIndexOf('/');
    return slash >= 0 ? arn.substring(slash + 1) : arn;
  }

  private static boolean anyResource(JsonNode event, java.util.function.Predicate<JsonNode> test) {
    for (JsonNode resource : event.path("resources")) {
      if (test.test(resource)) {
        return true;
      }
    }
    return false;
  }
}
