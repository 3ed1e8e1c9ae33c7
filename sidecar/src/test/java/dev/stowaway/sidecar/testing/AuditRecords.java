package dev.stowaway.sidecar.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The CloudTrail records a data directory's audit files hold, in the order they were written. */
public final class AuditRecords {

  private static final ObjectMapper JSON = new ObjectMapper();

  private AuditRecords() {}

  public static List<JsonNode> in(Path dataDir) {
    List<JsonNode> events = new ArrayList<>();
    try (Stream<Path> files = Files.list(dataDir.resolve("audit"))) {
      for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".jsonl")).sorted().toList()) {
        for (String line : Files.readAllLines(file)) {
          events.add(JSON.readTree(line).path("event"));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return events;
  }

  /** Every byte under the audit directory, digests included: for plaintext scans. */
  public static byte[] allBytes(Path dataDir) {
    try (Stream<Path> files = Files.walk(dataDir.resolve("audit"))) {
      var out = new java.io.ByteArrayOutputStream();
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        out.write(Files.readAllBytes(file));
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static JsonNode last(Path dataDir) {
    List<JsonNode> all = in(dataDir);
    return all.get(all.size() - 1);
  }
}
