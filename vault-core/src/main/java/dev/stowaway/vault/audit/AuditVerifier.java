package dev.stowaway.vault.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;

/**
 * Checks an audit directory offline, without the vault or its keys: every record's link to its
 * predecessor, every digest's signature and link to the digest before it, that each digest's
 * file hashes still match, and that the newest digest covers the last record. Names the first
 * record or file that was modified, deleted, reordered, inserted or truncated.
 *
 * <p>Over a time window it also checks completeness, as CloudTrail's validation does: digests
 * come on a cadence each one records, so a period without one is <em>missing</em>, and a log
 * whose digests stop before the window ends without a signed final digest was <em>truncated</em>
 * (or its sidecar crashed and was not started again). No audit at all is <em>empty</em>, never
 * intact. Records after the newest digest of a sidecar that is still running are only "not yet
 * covered". Digests of the earlier format (version 1) record neither cadence nor a clean stop:
 * their part of the log is checked for changes as before, and the report says that completeness
 * could not be checked there.
 */
public final class AuditVerifier {

  /** What a problem means for the log; a report's verdict is its first problem's. */
  public enum Verdict { INTACT, TAMPERED, MISSING, TRUNCATED, EMPTY }

  /** One thing found wrong, located. */
  public record Problem(Verdict kind, String message) {
    @Override
    public String toString() {
      return kind + ": " + message;
    }
  }

  /** The period to check for completeness; {@code from} null: from the first digest found. */
  public record Window(Instant from, Instant until) {
    public Window {
      java.util.Objects.requireNonNull(until, "until");
      if (from != null && from.isAfter(until)) {
        throw new IllegalArgumentException("--from " + from + " is after --until " + until);
      }
    }

    public static Window until(Instant until) {
      return new Window(null, until);
    }
  }

  /** What was checked, over which period, what was found wrong, and what is worth knowing though not wrong. */
  public record Report(long records, int files, int digests, String fingerprint, List<Problem> problems,
      List<String> notes, Instant from, Instant until) {

    public boolean intact() {
      return problems.isEmpty();
    }

    public Verdict verdict() {
      return problems.isEmpty() ? Verdict.INTACT : problems.get(0).kind();
    }

    public List<String> messages() {
      return problems.stream().map(Problem::message).toList();
    }
  }

  private static final int MAX_PROBLEMS = 20;

  private final ObjectMapper json = new ObjectMapper();
  private final Path dir;
  private final Window window;
  private final List<Problem> problems = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private long coveredByNewest;
  private long lastRead;
  private Instant firstDigestTime;
  /** Hashes the digests say particular records have, checked as the chain reaches them. */
  private final Map<Long, String> expectedHashes = new HashMap<>();
  private final Map<Long, Long> expectedBy = new HashMap<>();

  private AuditVerifier(Path dir, Window window) {
    this.dir = dir;
    this.window = window;
  }

  /**
   * Verifies {@code auditDir} against {@code publicKey} (PEM), or against the key exported beside
   * the digests when that is null. A key kept elsewhere is the stronger check: whoever can
   * rewrite the directory could also replace the exported key.
   */
  public static Report verify(Path auditDir, Path publicKey, Window window) throws IOException {
    return new AuditVerifier(auditDir, window).run(publicKey);
  }

  /** As {@link #verify(Path, Path, Window)} from the first digest until now, by the system clock. */
  public static Report verify(Path auditDir, Path publicKey) throws IOException {
    return verify(auditDir, publicKey, Window.until(Clock.systemUTC().instant()));
  }

  private Report run(Path publicKeyFile) throws IOException {
    List<Path> digestFiles = AuditFiles.digestFiles(dir);
    List<Path> recordFiles = AuditFiles.recordFiles(dir);
    if (digestFiles.isEmpty() && recordFiles.isEmpty()) {
      problem(Verdict.EMPTY, "there is no audit at all in " + dir + ": no record files and no digests (deleted, "
          + "or not the audit directory of a sidecar that ever ran)");
      return report(0, 0, 0, null);
    }
    Path keyFile = publicKeyFile != null ? publicKeyFile : dir.resolve(AuditFiles.DIGESTS).resolve(AuditFiles.PUBLIC_KEY);
    if (!Files.isRegularFile(keyFile)) {
      problem(Verdict.TAMPERED, "the public key " + keyFile + " is missing, so no digest can be checked");
      return report(0, 0, 0, null);
    }
    Ed25519PublicKeyParameters key;
    try {
      key = AuditSigningKey.readPublicKey(Files.readString(keyFile, StandardCharsets.US_ASCII));
    } catch (IllegalArgumentException e) {
      problem(Verdict.TAMPERED, keyFile + ": " + e.getMessage());
      return report(0, 0, 0, null);
    }
    List<AuditCompleteness.Digest> digests = new ArrayList<>();
    List<JsonNode> bodies = checkDigests(digestFiles, key, digests);
    coveredByNewest = digests.isEmpty() ? 0 : digests.get(digests.size() - 1).lastSequence();
    long records = checkChain(recordFiles);
    checkCoverage(bodies, recordFiles, records);
    new AuditCompleteness(window, problems, notes).check(digests, lastRead, coveredByNewest);
    return report(records, recordFiles.size(), digestFiles.size(), AuditSigningKey.fingerprint(key));
  }

  private Report report(long records, int files, int digests, String fingerprint) {
    return new Report(records, files, digests, fingerprint,
        List.copyOf(problems.subList(0, Math.min(problems.size(), MAX_PROBLEMS))), List.copyOf(notes),
        window.from() != null ? window.from() : firstDigestTime, window.until());
  }

  private void problem(Verdict kind, String message) {
    problems.add(new Problem(kind, message));
  }

  /** Signatures, numbering and the link from each digest to the one before it. */
  private List<JsonNode> checkDigests(List<Path> files, Ed25519PublicKeyParameters key,
      List<AuditCompleteness.Digest> read)
      throws IOException {
    List<JsonNode> bodies = new ArrayList<>();
    long expectedNumber = 1;
    String previousSignature = null;
    String previousFile = null;
    for (Path file : files) {
      String name = file.getFileName().toString();
      String text = Files.readString(file, StandardCharsets.UTF_8);
      String[] lines = text.split("\n");
      if (lines.length != 2 || !text.endsWith("\n")) {
        problem(Verdict.TAMPERED, "digest " + name + " was modified or truncated: it is not a body line and a signature "
            + "line");
        return bodies;
      }
      byte[] body = lines[0].getBytes(StandardCharsets.UTF_8);
      byte[] signature;
      try {
        signature = Base64.getDecoder().decode(lines[1]);
      } catch (IllegalArgumentException e) {
        signature = new byte[0];
      }
      if (!AuditSigningKey.verify(key, body, signature)) {
        problem(Verdict.TAMPERED, "digest " + name + " was modified: its signature does not verify with the public key");
        return bodies;
      }
      JsonNode digest = json.readTree(body);
      long number = digest.path("digestNumber").asLong();
      if (number != AuditFiles.digestNumber(name)) {
        problem(Verdict.TAMPERED, "digest " + name + " holds digest " + number + ": a digest file was replaced with "
            + "another");
        return bodies;
      }
      if (number != expectedNumber) {
        if (number > expectedNumber) {
          problem(Verdict.MISSING, "digest " + expectedNumber + (number - expectedNumber > 1 ? " to " + (number - 1) : "")
              + " is missing (deleted): the next digest present is " + name);
        } else {
          problem(Verdict.TAMPERED, "digest " + name + " repeats digest number " + number);
        }
        return bodies;
      }
      String claimedPrevious = digest.path("previousDigestSignature").isNull() ? null
          : digest.path("previousDigestSignature").asText();
      boolean namesAnother = digest.has("previousDigestFile") && !digest.path("previousDigestFile").isNull()
          && !digest.path("previousDigestFile").asText().equals(previousFile);
      if (!java.util.Objects.equals(claimedPrevious, previousSignature) || namesAnother) {
        problem(Verdict.TAMPERED, "digest " + name + " does not follow digest " + (number - 1)
            + ": the previous digest was replaced or removed");
        return bodies;
      }
      int version = digest.path("digestVersion").asInt(1);
      Instant time;
      try {
        time = Instant.parse(digest.path("digestTime").asText());
      } catch (java.time.DateTimeException e) {
        problem(Verdict.TAMPERED, "digest " + name + " has no valid digestTime");
        return bodies;
      }
      long seconds = digest.path("digestIntervalSeconds").asLong(0);
      read.add(new AuditCompleteness.Digest(name, number, time, version, digest.path("reason").asText(null),
          seconds > 0 ? Duration.ofSeconds(seconds) : null, digest.path("startedAfter").asText(null),
          digest.path("lastSequence").asLong()));
      if (firstDigestTime == null) {
        firstDigestTime = time;
      }
      long last = digest.path("lastSequence").asLong();
      if (last > 0) {
        expectedHashes.put(last, digest.path("lastRecordHash").asText());
        expectedBy.put(last, number);
      }
      bodies.add(digest);
      previousSignature = lines[1];
      previousFile = name;
      expectedNumber = number + 1;
    }
    return bodies;
  }

  /**
   * Each record's sequence and link, in name order across files. Stops at the first broken record;
   * after a missing stretch between files (a file deleted) it reports it and picks the chain up at
   * the next file, so that what the rest of the log says (a file replaced under the sidecar, say)
   * is still read and checked against the digests.
   */
  private long checkChain(List<Path> files) throws IOException {
    MessageDigest sha256 = sha256();
    long expected = 1;
    byte[] previous = new byte[32];
    boolean resynced = false;
    long count = 0;
    for (int f = 0; f < files.size(); f++) {
      Path file = files.get(f);
      String name = file.getFileName().toString();
      byte[] content = Files.readAllBytes(file);
      List<byte[]> lines = lines(content);
      long first = AuditFiles.firstSequence(name);
      if (!lines.isEmpty() && first != expected) {
        problem(Verdict.TAMPERED, "file " + name + " should start with record " + expected + " but its name says "
            + first + ": " + (first > expected
                ? "records " + expected + " to " + (first - 1) + " are missing (a file was deleted or cut short)"
                : "a file was inserted or copied"));
        if (first < expected) {
          return count;
        }
        expected = first;
        resynced = true;
      }
      for (int i = 0; i < lines.size(); i++) {
        byte[] line = lines.get(i);
        String where = "file " + name + " line " + (i + 1);
        if (i == lines.size() - 1 && content.length > 0 && content[content.length - 1] != '\n') {
          if (f == files.size() - 1 && expected > coveredByNewest) {
            notes.add(where + " is incomplete: a record being written, or one a crash cut short before it was "
                + "acknowledged (the next start cuts it off)");
          } else {
            problem(Verdict.TAMPERED, where + " is incomplete: the file was truncated in the middle of record "
                + expected);
          }
          return count;
        }
        JsonNode record;
        try {
          record = json.readTree(line);
        } catch (IOException e) {
          record = null;
        }
        if (record == null || !record.path("seq").canConvertToLong() || !record.path("event").isObject()) {
          problem(Verdict.TAMPERED, where + " (record " + expected + ") was modified: it is no longer a well-formed "
              + "record");
          return count;
        }
        long sequence = record.path("seq").asLong();
        if (sequence != expected) {
          problem(Verdict.TAMPERED, where + " holds record " + sequence + " where record " + expected + " belongs: "
              + describeGap(lines, i, expected, sequence));
          return count;
        }
        if (resynced) {
          // After a gap the link cannot be checked; the digests' hashes still are.
          previous = java.util.HexFormat.of().parseHex(record.path("prev").asText("0".repeat(64)));
          resynced = false;
        }
        if (!record.path("prev").asText().equals(AuditFiles.hex(previous))) {
          problem(Verdict.TAMPERED, sequence == 1 ? where + " (record 1) was modified"
              : "record " + (sequence - 1) + " (just before " + where + ") was modified: its hash does not match the "
                  + "link record " + sequence + " carries");
          return count;
        }
        previous = sha256.digest(line);
        String claimed = expectedHashes.get(sequence);
        if (claimed != null && !claimed.equals(AuditFiles.hex(previous))) {
          problem(Verdict.TAMPERED, where + " (record " + sequence + ") was modified after digest "
              + expectedBy.get(sequence) + " signed it");
          return count;
        }
        JsonNode event = record.path("event");
        if (event.path("eventSource").asText().equals(AuditLog.INCIDENT_SOURCE)) {
          notes.add("record " + sequence + " (" + where + ", " + event.path("eventTime").asText() + ") "
              + event.path("eventName").asText() + ": " + event.path("serviceEventDetails").path("what").asText()
              + incidentFile(event.path("serviceEventDetails")));
        }
        expected++;
        count++;
        lastRead = sequence;
      }
    }
    return count;
  }

  private static String incidentFile(JsonNode details) {
    return details.has("file") ? " (" + details.path("file").asText() + ", records " + details.path("firstSequence")
        .asLong() + " to " + details.path("lastSequence").asLong() + ")" : "";
  }

  private String describeGap(List<byte[]> lines, int at, long expected, long found) {
    if (found < expected) {
      return "a record was inserted or repeated";
    }
    for (int j = at + 1; j < lines.size(); j++) {
      try {
        if (json.readTree(lines.get(j)).path("seq").asLong() == expected) {
          return "records were reordered (record " + expected + " comes later, at line " + (j + 1) + ")";
        }
      } catch (IOException e) {
        break;
      }
    }
    return "record" + (found - expected > 1 ? "s " + expected + " to " + (found - 1) + " were" : " " + expected + " was")
        + " deleted";
  }

  /** Each file as the digests last saw it, and whether the log reaches what the newest digest covers. */
  private void checkCoverage(List<JsonNode> digests, List<Path> recordFiles, long records) throws IOException {
    Map<String, JsonNode> latest = new HashMap<>();
    Map<String, Long> signedBy = new HashMap<>();
    for (JsonNode digest : digests) {
      for (JsonNode file : digest.path("files")) {
        latest.put(file.path("name").asText(), file);
        signedBy.put(file.path("name").asText(), digest.path("digestNumber").asLong());
      }
    }
    for (Map.Entry<String, JsonNode> entry : latest.entrySet()) {
      String name = entry.getKey();
      Path file = dir.resolve(name);
      long bytes = entry.getValue().path("bytes").asLong();
      if (!Files.isRegularFile(file)) {
        problem(Verdict.TAMPERED, "file " + name + " was deleted: digest " + signedBy.get(name) + " covers records "
            + entry.getValue().path("firstSequence").asLong() + " to " + entry.getValue().path("lastSequence").asLong());
        continue;
      }
      byte[] content = Files.readAllBytes(file);
      if (content.length < bytes) {
        problem(Verdict.TRUNCATED, "file " + name + " was truncated or replaced with an older copy: digest "
            + signedBy.get(name) + " signed " + bytes + " bytes, it now holds " + content.length);
        continue;
      }
      MessageDigest sha256 = sha256();
      sha256.update(content, 0, (int) bytes);
      if (!AuditFiles.hex(sha256.digest()).equals(entry.getValue().path("sha256").asText())) {
        problem(Verdict.TAMPERED, "file " + name + " was modified within the " + bytes + " bytes digest "
            + signedBy.get(name) + " signed");
      }
    }
    long covered = coveredByNewest;
    if (problems.isEmpty() && lastRead < covered) {
      problem(Verdict.TRUNCATED, "the log ends at record " + lastRead + " but digest " + digests.get(digests.size() - 1)
          .path("digestNumber").asLong() + " covers records up to " + covered + ": records were removed from the end");
    }
    if (recordFiles.isEmpty() && covered > 0) {
      problem(Verdict.TRUNCATED, "every record file is gone, though the digests cover " + covered + " records");
    }
  }

  /** Lines without their newline; a last line without one is kept, so truncation can be seen. */
  private static List<byte[]> lines(byte[] content) {
    List<byte[]> lines = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < content.length; i++) {
      if (content[i] == '\n') {
        lines.add(Arrays.copyOfRange(content, start, i));
        start = i + 1;
      }
    }
    if (start < content.length) {
      lines.add(Arrays.copyOfRange(content, start, content.length));
    }
    return lines;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
