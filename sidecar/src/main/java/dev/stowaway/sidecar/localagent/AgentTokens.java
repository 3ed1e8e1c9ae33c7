package dev.stowaway.sidecar.localagent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The tokens that AWS-agent-style clients present ({@code X-Aws-Parameters-Secrets-Token}), each
 * bound to an IAM user so that policies and audit apply to whoever uses it. Kept in
 * {@code DIR/agent-tokens} (0600) as SHA-256 hashes only: the token itself is shown once, when it
 * is made. The file is small and changed by {@code stowaway token} while the sidecar serves, so
 * the sidecar rereads it when it changes; a revoked token stops working on its next use.
 */
public final class AgentTokens {

  public static final String FILE = "agent-tokens";
  /** The id of the token given at start ({@code --agent-token}), which is not in the file. */
  public static final String CONFIGURED = "configured";
  private static final String PREFIX = "stw_";
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One token as stored: never the token, only its hash.
   *
   * @param userId the unique id ({@code AIDA…}) of the user it stands for, once the sidecar has bound
   *     it; null before that ({@code stowaway token create} runs without the vault, which the sidecar holds)
   * @param nameOnly whether it was written before tokens were bound to unique ids (no {@code userId}
   *     member in the file): such a token is bound to whoever holds its user name when the sidecar
   *     first sees it, so that it keeps working for a user that still exists
   */
  public record Entry(String id, String user, String userId, boolean nameOnly, String sha256, Instant created) {

    Entry boundTo(String uniqueId) {
      return new Entry(id, user, uniqueId, false, sha256, created);
    }

    /** The same token, no longer bound to a name alone: from now on only a user who existed when it was made may have it. */
    Entry unboundByName() {
      return new Entry(id, user, null, false, sha256, created);
    }
  }

  /** A token just made: the only moment its value exists outside the caller's file. */
  public record Issued(String id, String user, String token) {
    @Override
    public String toString() {
      return "Issued[" + id + ", " + user + ", token REDACTED]";
    }
  }

  private final Path file;
  private final Entry configured;
  private List<Entry> entries = List.of();
  private Object version;

  private AgentTokens(Path file, Entry configured) {
    this.file = file;
    this.configured = configured;
  }

  public static AgentTokens in(Path dataDir) {
    return new AgentTokens(dataDir.resolve(FILE), null);
  }

  /**
   * The same file plus one token given to the sidecar at start ({@code --agent-token}), as AWS's
   * agent takes its token, bound to {@code user}.
   */
  public AgentTokens withConfigured(String token, String user) {
    return new AgentTokens(file, new Entry(CONFIGURED, user, null, false, sha256(token), Instant.EPOCH));
  }

  public Path file() {
    return file;
  }

  /** Makes a token for {@code user} and stores its hash. */
  public Issued create(String user, SecureRandom random, Instant now) {
    byte[] raw = new byte[32];
    random.nextBytes(raw);
    String token = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    java.util.Arrays.fill(raw, (byte) 0);
    byte[] idBytes = new byte[6];
    random.nextBytes(idBytes);
    String id = "tok-" + HexFormat.of().formatHex(idBytes);
    Entry entry = new Entry(id, user, null, false, sha256(token), now);
    change(list -> {
      List<Entry> more = new ArrayList<>(list);
      more.add(entry);
      return more;
    });
    return new Issued(id, user, token);
  }

  /** Removes the tokens with this id or this value; returns those removed. */
  public List<Entry> revoke(String id, String token) {
    String hash = token == null ? null : sha256(token);
    List<Entry> removed = new ArrayList<>();
    change(list -> {
      List<Entry> kept = new ArrayList<>();
      for (Entry e : list) {
        boolean match = e.id().equals(id) || (hash != null && MessageDigest.isEqual(bytes(e.sha256()), bytes(hash)));
        (match ? removed : kept).add(e);
      }
      return kept;
    });
    return removed;
  }

  /**
   * Binds the token {@code id} to the user with unique id {@code userId}, if it is not bound yet;
   * written to the file, so the binding outlives the process and a later user of the same name
   * never inherits the token.
   */
  public void bind(String id, String userId) {
    change(list -> list.stream().map(e -> e.id().equals(id) && e.userId() == null ? e.boundTo(userId) : e).toList());
  }

  /** Takes away the name-only binding of old tokens ({@link Entry#nameOnly()}) whose user is gone. */
  public void unbindByName(List<String> ids) {
    change(list -> list.stream().map(e -> ids.contains(e.id()) && e.nameOnly() ? e.unboundByName() : e).toList());
  }

  public synchronized List<Entry> list() {
    reloadIfChanged();
    return entries;
  }

  /** The entry for a presented token, if it is one; every stored hash is compared in constant time. */
  public synchronized Optional<Entry> match(String presented) {
    if (presented == null || presented.isEmpty()) {
      return Optional.empty();
    }
    reloadIfChanged();
    byte[] hash = bytes(sha256(presented));
    Entry found = null;
    if (configured != null && MessageDigest.isEqual(bytes(configured.sha256()), hash)) {
      found = configured;
    }
    for (Entry e : entries) {
      if (MessageDigest.isEqual(bytes(e.sha256()), hash)) {
        found = e;
      }
    }
    return Optional.ofNullable(found);
  }

  /** Whether a token matched earlier is still there (not revoked): for streams that outlive one request. */
  public synchronized boolean stillHolds(Entry matched) {
    if (matched.equals(configured)) {
      return true;
    }
    reloadIfChanged();
    // By id and hash: binding a token to its user's unique id on first use rewrites its entry.
    return entries.stream().anyMatch(e -> e.id().equals(matched.id()) && e.sha256().equals(matched.sha256()));
  }

  private void reloadIfChanged() {
    Object now;
    try {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      now = List.of(a.lastModifiedTime(), a.size(), String.valueOf(a.fileKey()));
    } catch (NoSuchFileException e) {
      entries = List.of();
      version = null;
      return;
    } catch (IOException e) {
      throw new DamagedTokenFileException(file);
    }
    if (!now.equals(version)) {
      entries = read(file);
      version = now;
    }
  }

  /** Read, change, write back atomically, under a lock so two {@code stowaway token} runs do not race. */
  private void change(UnaryOperator<List<Entry>> edit) {
    Path lock = file.resolveSibling(FILE + ".lock");
    try (FileChannel channel = FileChannel.open(lock, java.util.Set.of(StandardOpenOption.CREATE,
        StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
         FileLock held = channel.lock()) {
      List<Entry> current = Files.exists(file) ? read(file) : List.of();
      write(edit.apply(current));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot update " + file, e);
    }
  }

  private void write(List<Entry> list) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode tokens = root.putArray("tokens");
    for (Entry e : list) {
      ObjectNode token = tokens.addObject().put("id", e.id()).put("user", e.user());
      if (!e.nameOnly()) {
        token.put("userId", e.userId()); // null until bound; absent only in old files
      }
      token.put("sha256", e.sha256()).put("created", e.created().toString());
    }
    Path temp = file.resolveSibling(FILE + ".tmp");
    Files.deleteIfExists(temp);
    Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
      out.write(java.nio.ByteBuffer.wrap(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root)));
      out.force(true);
    }
    try {
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static List<Entry> read(Path file) {
    try {
      JsonNode root = JSON.readTree(Files.readAllBytes(file));
      List<Entry> list = new ArrayList<>();
      for (JsonNode t : root.path("tokens")) {
        JsonNode userId = t.get("userId");
        list.add(new Entry(t.path("id").asText(), t.path("user").asText(),
            userId == null || userId.isNull() ? null : userId.asText(), userId == null, t.path("sha256").asText(),
            Instant.parse(t.path("created").asText())));
      }
      return List.copyOf(list);
    } catch (IOException | RuntimeException e) {
      throw new DamagedTokenFileException(file);
    }
  }

  static String sha256(String token) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] bytes(String hex) {
    return hex.getBytes(StandardCharsets.US_ASCII);
  }
}
