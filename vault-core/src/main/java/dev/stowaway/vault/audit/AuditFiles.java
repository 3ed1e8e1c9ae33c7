package dev.stowaway.vault.audit;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names under {@code audit/}: record files {@code audit-<first sequence>-<UTC time>.jsonl} and
 * digests {@code digests/digest-<number>-<UTC time>.json}. Zero-padded numbers make name order
 * the write order, which the verifier relies on.
 */
final class AuditFiles {

  static final String DIGESTS = "digests";
  static final String PUBLIC_KEY = "public-key.pem";
  static final String SEALED_SIGNING_KEY = "signing-key.sealed";
  static final String ZERO_HASH = "0".repeat(64);

  private static final Pattern RECORD_FILE = Pattern.compile("audit-(\\d{12})-(\\d{8}T\\d{6}Z)\\.jsonl");
  private static final Pattern DIGEST_FILE = Pattern.compile("digest-(\\d{8})-(\\d{8}T\\d{6}Z)\\.json");
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private AuditFiles() {}

  static String recordFileName(long firstSequence, Instant time) {
    return String.format("audit-%012d-%s.jsonl", firstSequence, STAMP.format(time));
  }

  static String digestFileName(long number, Instant time) {
    return String.format("digest-%08d-%s.json", number, STAMP.format(time));
  }

  /** The sequence number a record file's name says it starts with, or -1 if it is not one. */
  static long firstSequence(String name) {
    Matcher m = RECORD_FILE.matcher(name);
    return m.matches() ? Long.parseLong(m.group(1)) : -1;
  }

  /** The number a digest file's name carries, or -1 if it is not one. */
  static long digestNumber(String name) {
    Matcher m = DIGEST_FILE.matcher(name);
    return m.matches() ? Long.parseLong(m.group(1)) : -1;
  }

  /** When a record file was started, from its name. */
  static Instant startTime(String name) {
    Matcher m = RECORD_FILE.matcher(name);
    if (!m.matches()) {
      throw new IllegalArgumentException(name);
    }
    return STAMP.parse(m.group(2), Instant::from);
  }

  static List<Path> recordFiles(Path dir) throws IOException {
    return sorted(dir, "audit-*.jsonl", true);
  }

  static List<Path> digestFiles(Path dir) throws IOException {
    Path digests = dir.resolve(DIGESTS);
    return Files.isDirectory(digests) ? sorted(digests, "digest-*.json", false) : List.of();
  }

  private static List<Path> sorted(Path dir, String glob, boolean records) throws IOException {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, glob)) {
      for (Path file : stream) {
        String name = file.getFileName().toString();
        if ((records ? firstSequence(name) : digestNumber(name)) >= 0) {
          files.add(file);
        }
      }
    }
    files.sort(null);
    return files;
  }

  static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }
}
