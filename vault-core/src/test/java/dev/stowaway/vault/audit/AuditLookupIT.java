package dev.stowaway.vault.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stowaway.vault.identity.Caller;
import dev.stowaway.vault.policy.Authorizer;
import dev.stowaway.vault.store.mapdb.MapDbSecretStore;
import dev.stowaway.vault.testing.MutableClock;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lookups across rolled files: newest first, time ranges, and pages that meet exactly. */
class AuditLookupIT {

  private final MutableClock clock = MutableClock.at("2026-11-30T10:00:00Z");
  @TempDir Path dir;
  private AuditLookup lookup;

  @BeforeEach
  void writeALog() throws IOException {
    try (AuditLog log = AuditLogs.open(dir, clock, AuditLog.Settings.defaults().withMaxFileBytes(1_500))) {
      for (int i = 1; i <= 60; i++) {
        ObjectNode event = AuditLogs.event(i);
        event.put("eventTime", clock.instant().toString());
        event.put("eventName", i % 3 == 0 ? "PutSecretValue" : "GetSecretValue");
        log.append(event);
        clock.advance(Duration.ofMinutes(1));
      }
    }
    assertTrue(AuditLogs.recordFiles(dir).size() > 5);
    lookup = new AuditLookup(dir, new Authorizer(MapDbSecretStore.openInMemory(), clock));
  }

  private AuditLookup.Page page(AuditLookup.Attribute attribute, String value, Instant start, Instant end, int max,
      String before) {
    return lookup.lookup(Caller.SYSTEM, new AuditLookup.Query(attribute, value, start, end, max, before));
  }

  private static List<String> ids(AuditLookup.Page page) {
    return page.events().stream().map(e -> e.path("requestParameters").path("secretId").asText()).toList();
  }

  @Test
  void pagesRunNewestFirstAcrossFilesAndMeetExactly() {
    List<String> seen = new ArrayList<>();
    String before = null;
    do {
      AuditLookup.Page page = page(AuditLookup.Attribute.EventName, "PutSecretValue", null, null, 7, before);
      seen.addAll(ids(page));
      before = page.nextCursor();
    } while (before != null);
    List<String> expected = new ArrayList<>();
    for (int i = 60; i >= 3; i -= 3) {
      expected.add("prod/db-" + i);
    }
    assertEquals(expected, seen);
  }

  @Test
  void aTimeRangeSpanningFilesFindsExactlyItsRecords() {
    AuditLookup.Page page = page(null, null, Instant.parse("2026-11-30T10:20:00Z"),
        Instant.parse("2026-11-30T10:24:00Z"), 50, null);
    assertEquals(List.of("prod/db-25", "prod/db-24", "prod/db-23", "prod/db-22", "prod/db-21"), ids(page));
    assertNull(page.nextCursor());
  }

  @Test
  void aFullLastPageSaysThereIsNoMore() {
    AuditLookup.Page page = page(null, null, Instant.parse("2026-11-30T10:55:00Z"), null, 5, null);
    assertEquals(5, page.events().size());
    assertNull(page.nextCursor());
  }
}
