package dev.stowaway.vault.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
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
 */
public final class AuditVerifier {

  /** What was checked, and what was found wrong, each problem located. */
  public record Report(long records, int files, int digests, String fingerprint, List<String> problems) {

    public boolean intact() {
      return problems.isEmpty();
    }
  }

  private static final int MAX_PROBLEMS = 20;

  private final ObjectMapper json = new ObjectMapper();
  private final Path dir;
  private final List<String> problems = new ArrayList<>();
  /** Hashes the digests say particular records have, checked as the chain reaches them. */
  private final Map<Long, String> expectedHashes = new HashMap<>();
  private final Map<Long, Long> expectedBy = new HashMap<>();

  private AuditVerifier(Path dir) {
    this.dir = dir;
  }

  /**
   * Verifies {@code auditDir} against {@code publicKey} (PEM), or against the key exported beside
   * the digests when that is null. A key kept elsewhere is the stronger check: whoever can
   * rewrite the directory could also replace the exported key.
   */
  public static Report verify(Path auditDir, Path publicKey) throws IOException {
    return new AuditVerifier(auditDir).run(publicKey);
  }

  private Report run(Path publicKeyFile) throws IOException {
    Path keyFile = publicKeyFile != null ? publicKeyFile : dir.resolve(AuditFiles.DIGESTS).resolve(AuditFiles.PUBLIC_KEY);
    if (!Files.isRegularFile(keyFile)) {
      problems.add("the public key " + keyFile + " is missing, so no digest can be checked");
      return new Report(0, 0, 0, null, problems);
    }
    Ed25519PublicKeyParameters key;
    try {
      key = AuditSigningKey.readPublicKey(Files.readString(keyFile, StandardCharsets.US_ASCII));
    } catch (IllegalArgumentException e) {
      problems.add(keyFile + ": " + e.getMessage());
      return new Report(0, 0, 0, null, problems);
    }
    List<Path> digestFiles = AuditFiles.digestFiles(dir);
    List<Path> recordFiles = AuditFiles.recordFiles(dir);
    List<JsonNode> digests = checkDigests(digestFiles, key);
    long records = checkChain(recordFiles);
    checkCoverage(digests, recordFiles, records);
    return new Report(records, recordFiles.size(), digestFiles.size(), AuditSigningKey.fingerprint(key),
        List.copyOf(problems.subList(0, Math.min(problems.size(), MAX_PROBLEMS))));
  }

  /** Signatures, numbering and the link from each digest to the one before it. */
  private List<JsonNode> checkDigests(List<Path> files, Ed25519PublicKeyParameters key) throws IOException {
    List<JsonNode> bodies = new ArrayList<>();
    long expectedNumber = 1;
    String previousSignature = null;
    for (Path file : files) {
      String name = file.getFileName().toString();
      String text = Files.readString(file, StandardCharsets.UTF_8);
      String[] lines = text.split("\n");
      if (lines.length != 2 || !text.endsWith("\n")) {
        problems.add("digest " + name + " was modified or truncated: it is not a body line and a signature line");
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
        problems.add("digest " + name + " was modified: its signature does not verify with the public key");
        return bodies;
      }
      JsonNode digest = json.readTree(body);
      long number = digest.path("digestNumber").asLong();
      if (number != AuditFiles.digestNumber(name)) {
        problems.add("digest " + name + " holds digest " + number + ": a digest file was replaced with another");
        return bodies;
      }
      if (number != expectedNumber) {
        problems.add(number > expectedNumber
            ? "digest " + expectedNumber + (number - expectedNumber > 1 ? " to " + (number - 1) : "")
                + " is missing (deleted): the next digest present is " + name
            : "digest " + name + " repeats digest number " + number);
        return bodies;
      }
      String claimedPrevious = digest.path("previousDigestSignature").isNull() ? null
          : digest.path("previousDigestSignature").asText();
      if (!java.util.Objects.equals(claimedPrevious, previousSignature)) {
        problems.add("digest " + name + " does not follow digest " + (number - 1)
            + ": the previous digest was replaced or removed");
        return bodies;
      }
      long last = digest.path("lastSequence").asLong();
      if (last > 0) {
        expectedHashes.put(last, digest.path("lastRecordHash").asText());
        expectedBy.put(last, number);
      }
      bodies.add(digest);
      previousSignature = lines[1];
      expectedNumber = number + 1;
    }
    return bodies;
  }

  /** Each record's sequence and link, in name order across files; stops at the first break. */
  private long checkChain(List<Path> files) throws IOException {
    MessageDigest sha256 = sha256();
    long expected = 1;
    byte[] previous = new byte[32];
    long count = 0;
    for (Path file : files) {
      String name = file.getFileName().toString();
      byte[] content = Files.readAllBytes(file);
      List<byte[]> lines = lines(content);
      if (!lines.isEmpty() && AuditFiles.firstSequence(name) != expected) {
        problems.add("file " + name + " should start with record " + expected + " but its name says "
            + AuditFiles.firstSequence(name) + ": " + (AuditFiles.firstSequence(name) > expected
                ? "records " + expected + " to " + (AuditFiles.firstSequence(name) - 1)
                    + " are missing (a file was deleted or cut short)"
                : "a file was inserted or copied"));
        return count;
      }
      for (int i = 0; i < lines.size(); i++) {
        byte[] line = lines.get(i);
        String where = "file " + name + " line " + (i + 1);
        if (i == lines.size() - 1 && content.length > 0 && content[content.length - 1] != '\n') {
          problems.add(where + " is incomplete: the file was truncated in the middle of record " + expected);
          return count;
        }
        JsonNode record;
        try {
          record = json.readTree(line);
        } catch (IOException e) {
          record = null;
        }
        if (record == null || !record.path("seq").canConvertToLong() || !record.path("event").isObject()) {
          problems.add(where + " (record " + expected + ") was modified: it is no longer a well-formed record");
          return count;
        }
        long sequence = record.path("seq").asLong();
        if (sequence != expected) {
          problems.add(where + " holds record " + sequence + " where record " + expected + " belongs: "
              + describeGap(lines, i, expected, sequence));
          return count;
        }
        if (!record.path("prev").asText().equals(AuditFiles.hex(previous))) {
          problems.add(sequence == 1 ? where + " (record 1) was modified"
              : "record " + (sequence - 1) + " (just before " + where + ") was modified: its hash does not match the "
                  + "link record " + sequence + " carries");
          return count;
        }
        previous = sha256.digest(line);
        String claimed = expectedHashes.get(sequence);
        if (claimed != null && !claimed.equals(AuditFiles.hex(previous))) {
          problems.add(where + " (record " + sequence + ") was modified after digest " + expectedBy.get(sequence)
              + " signed it");
          return count;
        }
        expected++;
        count++;
      }
    }
    return count;
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

  /** Each file as the digests last saw it, and whether the newest digest reaches the last record. */
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
        problems.add("file " + name + " was deleted: digest " + signedBy.get(name) + " covers records "
            + entry.getValue().path("firstSequence").asLong() + " to " + entry.getValue().path("lastSequence").asLong());
        continue;
      }
      byte[] content = Files.readAllBytes(file);
      if (content.length < bytes) {
        problems.add("file " + name + " was truncated or replaced with an older copy: digest " + signedBy.get(name)
            + " signed " + bytes + " bytes, it now holds " + content.length);
        continue;
      }
      MessageDigest sha256 = sha256();
      sha256.update(content, 0, (int) bytes);
      if (!AuditFiles.hex(sha256.digest()).equals(entry.getValue().path("sha256").asText())) {
        problems.add("file " + name + " was modified within the " + bytes + " bytes digest " + signedBy.get(name)
            + " signed");
      }
    }
    long covered = digests.isEmpty() ? 0 : digests.get(digests.size() - 1).path("lastSequence").asLong();
    if (problems.isEmpty() && records > covered) {
      problems.add("records " + (covered + 1) + " to " + records + " are not covered by any signed digest: the newest "
          + "digest was removed, or the sidecar stopped without signing them (starting it signs them)");
    }
    if (problems.isEmpty() && records < covered) {
      problems.add("the log ends at record " + records + " but digest " + digests.get(digests.size() - 1)
          .path("digestNumber").asLong() + " covers records up to " + covered + ": records were removed from the end");
    }
    if (recordFiles.isEmpty() && covered > 0) {
      problems.add("every record file is gone, though the digests cover " + covered + " records");
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
