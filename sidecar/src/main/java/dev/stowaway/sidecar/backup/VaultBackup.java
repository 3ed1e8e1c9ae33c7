package dev.stowaway.sidecar.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stowaway.sidecar.store.StoreCopy;
import dev.stowaway.vault.kms.RootKey;
import dev.stowaway.vault.kms.RootKeyMismatchException;
import dev.stowaway.vault.store.SecretStore;
import dev.stowaway.vault.store.mapdb.MapDbSecretStore;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A vault backup: a consistent snapshot of every store record, sealed under the root key.
 *
 * <p>The snapshot is the store copied, as stored (values stay envelope-encrypted), into a scratch
 * MapDB file under one read transaction, so it is consistent while the sidecar serves (writes
 * wait for the copy). That file, behind a manifest with the counts, is cut into 1 MiB chunks,
 * each sealed by the root key (AES-256-GCM) with the backup's random id, the chunk's index and
 * whether it is the last bound in as associated data: a chunk cannot be altered, reordered,
 * moved to another backup or dropped from the end unnoticed. Names and metadata are therefore
 * encrypted too, and without the root key a backup is useless.
 *
 * <pre>STOWAWAY-BACKUP1 | id (16 bytes) | (length:int sealed-chunk)+</pre>
 */
public final class VaultBackup {

  private static final byte[] MAGIC = "STOWAWAY-BACKUP1".getBytes(StandardCharsets.US_ASCII);
  private static final int CHUNK = 1 << 20;
  private static final int MAX_SEALED = CHUNK + 1024;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What a backup holds, by kind, and when it was made. */
  public record Manifest(Instant created, Map<String, Integer> counts) {}

  private VaultBackup() {}

  /** Writes a backup of {@code store} to {@code out}, using {@code scratchDir} for the snapshot file. */
  public static Manifest write(SecretStore store, RootKey rootKey, SecureRandom random, Instant now, Path scratchDir,
      OutputStream out) throws IOException {
    byte[] id = new byte[16];
    random.nextBytes(id);
    Path snapshot = scratchDir.resolve(".backup-" + HexFormat.of().formatHex(id) + ".db");
    try {
      Map<String, Integer> counts;
      try (MapDbSecretStore copy = MapDbSecretStore.open(snapshot)) {
        counts = StoreCopy.copy(store, copy, new PrintStream(OutputStream.nullOutputStream()));
      }
      Manifest manifest = new Manifest(now, counts);
      byte[] manifestBytes = JSON.writeValueAsBytes(manifestJson(manifest));
      DataOutputStream data = new DataOutputStream(out);
      data.write(MAGIC);
      data.write(id);
      try (InputStream plain = new SequenceInputStream(new ByteArrayInputStream(
          ByteBuffer.allocate(4 + manifestBytes.length).putInt(manifestBytes.length).put(manifestBytes).array()),
          Files.newInputStream(snapshot))) {
        byte[] pending = plain.readNBytes(CHUNK);
        int index = 0;
        while (true) {
          byte[] next = plain.readNBytes(CHUNK);
          boolean last = next.length == 0;
          byte[] sealed = rootKey.seal(pending, purpose(id, index, last), random);
          Arrays.fill(pending, (byte) 0);
          data.writeInt(sealed.length);
          data.write(sealed);
          if (last) {
            break;
          }
          pending = next;
          index++;
        }
      }
      data.flush();
      return manifest;
    } finally {
      deleteSnapshot(snapshot);
    }
  }

  /**
   * Opens a backup into a MapDB file at {@code to} (which must not exist) and returns its
   * manifest.
   *
   * @throws BackupException if it is not a backup, was altered or cut short, or the root key does not open it
   */
  public static Manifest read(InputStream in, RootKey rootKey, Path to) throws IOException {
    DataInputStream data = new DataInputStream(in);
    byte[] magic = data.readNBytes(MAGIC.length);
    if (!Arrays.equals(magic, MAGIC)) {
      throw new BackupException("this is not a Stowaway backup (it does not begin with STOWAWAY-BACKUP1)");
    }
    byte[] id = data.readNBytes(16);
    if (id.length != 16) {
      throw new BackupException("the backup is cut short (no chunks)");
    }
    Manifest manifest = null;
    try (OutputStream file = Files.newOutputStream(Files.createFile(to,
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))), StandardOpenOption.WRITE)) {
      byte[] head = new byte[0]; // the manifest's bytes, until the manifest is whole
      for (int index = 0; ; index++) {
        int length;
        try {
          length = data.readInt();
        } catch (EOFException e) {
          throw new BackupException("the backup is cut short after chunk " + index + ": its last chunk is missing");
        }
        if (length <= 0 || length > MAX_SEALED) {
          throw new BackupException("chunk " + index + " has an impossible length " + length + ": the backup was altered");
        }
        byte[] sealed = data.readNBytes(length);
        if (sealed.length != length) {
          throw new BackupException("the backup is cut short inside chunk " + index);
        }
        boolean last = false;
        byte[] plain;
        try {
          plain = rootKey.open(sealed, purpose(id, index, false));
        } catch (RootKeyMismatchException more) {
          try {
            plain = rootKey.open(sealed, purpose(id, index, true));
            last = true;
          } catch (RootKeyMismatchException neither) {
            throw new BackupException(index == 0
                ? "this root key does not open the backup (it was made with another, or altered)"
                : "chunk " + index + " was altered, moved or replaced");
          }
        }
        try {
          byte[] body = plain;
          if (manifest == null) {
            head = concat(head, plain);
            if (head.length >= 4 && head.length >= 4 + ByteBuffer.wrap(head).getInt()) {
              int size = ByteBuffer.wrap(head).getInt();
              manifest = manifest(JSON.readTree(Arrays.copyOfRange(head, 4, 4 + size)));
              body = Arrays.copyOfRange(head, 4 + size, head.length);
              Arrays.fill(head, (byte) 0);
            } else {
              body = new byte[0];
            }
          }
          file.write(body);
          Arrays.fill(body, (byte) 0);
        } finally {
          Arrays.fill(plain, (byte) 0);
        }
        if (last) {
          break;
        }
      }
      if (data.read() != -1) {
        throw new BackupException("there are bytes after the backup's last chunk: it was altered");
      }
    }
    if (manifest == null) {
      throw new BackupException("the backup holds no manifest: it was altered");
    }
    return manifest;
  }

  private static String purpose(byte[] id, int index, boolean last) {
    return "stowaway-backup/" + HexFormat.of().formatHex(id) + "/" + index + "/" + (last ? "last" : "more");
  }

  private static ObjectNode manifestJson(Manifest manifest) {
    ObjectNode json = JSON.createObjectNode();
    json.put("format", 1);
    json.put("created", manifest.created().toString());
    ObjectNode counts = json.putObject("counts");
    manifest.counts().forEach(counts::put);
    return json;
  }

  private static Manifest manifest(JsonNode json) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    json.path("counts").fields().forEachRemaining(e -> counts.put(e.getKey(), e.getValue().asInt()));
    return new Manifest(Instant.parse(json.path("created").asText()), counts);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] both = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    Arrays.fill(a, (byte) 0);
    return both;
  }

  /** The scratch snapshot holds what vault.db holds; it goes as soon as it is sealed. */
  private static void deleteSnapshot(Path snapshot) throws IOException {
    try (var siblings = Files.list(snapshot.getParent())) {
      for (Path p : siblings.filter(p -> p.getFileName().toString().startsWith(snapshot.getFileName().toString()))
          .toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
