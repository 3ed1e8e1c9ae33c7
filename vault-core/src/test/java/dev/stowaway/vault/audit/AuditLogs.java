package dev.stowaway.vault.audit;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stowaway.vault.testing.TestVaults;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/** Shared set-up for the audit tests: a log with a known root key and simple records. */
final class AuditLogs {

  private AuditLogs() {}

  static AuditLog open(Path dir, Clock clock, AuditLog.Settings settings) throws IOException {
    return AuditLog.open(dir, TestVaults.rootKey(7), clock, TestVaults.seededRandom(1), settings);
  }

  static ObjectNode event(int i) {
    ObjectNode event = JsonNodeFactory.instance.objectNode();
    event.put("eventVersion", "1.08");
    event.put("eventName", "GetSecretValue");
    event.put("eventSource", "secretsmanager.amazonaws.com");
    event.putObject("requestParameters").put("secretId", "prod/db-" + i);
    return event;
  }

  /** Writes {@code count} records in files of about {@code fileBytes}, then closes the log. */
  static void write(Path dir, Clock clock, int count, long fileBytes) throws IOException {
    try (AuditLog log = open(dir, clock, AuditLog.Settings.defaults().withMaxFileBytes(fileBytes))) {
      for (int i = 1; i <= count; i++) {
        log.append(event(i));
      }
    }
  }

  static List<Path> recordFiles(Path dir) throws IOException {
    return AuditFiles.recordFiles(dir);
  }

  static List<Path> digestFiles(Path dir) throws IOException {
    return AuditFiles.digestFiles(dir);
  }
}
