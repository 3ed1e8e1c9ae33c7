package dev.stowaway.vault.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stowaway.vault.kms.RootKey;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The append-only, hash-chained audit log under {@code DIR/audit/}. Each line is
 * {@code {"seq":N,"prev":"<SHA-256 of line N-1>","event":{…CloudTrail record…}}}; the chain runs
 * across files. One writer thread takes whatever records are waiting, writes them, syncs once and
 * only then releases their requests (group commit). Signed digests cover the files' hashes and
 * the previous digest (its file name and signature): every {@code digestInterval} even when nothing
 * was written, on roll, at start and, marked final, on a clean close. The cadence lets a verifier
 * tell a deleted digest or a log cut short from a quiet one (as CloudTrail's digests do).
 *
 * <p>When a write fails the log fails closed: every waiting request gets
 * {@link AuditUnavailableException}, the file is cut back to its last good record, and each later
 * request first probes whether the log can be written again.
 */
public final class AuditLog implements AutoCloseable {

  /** How big and old a file may grow, how often digests are signed, and whether writes are synced. */
  public record Settings(long maxFileBytes, Duration maxFileAge, Duration digestInterval, boolean sync) {

    public static Settings defaults() {
      return new Settings(16L << 20, Duration.ofHours(1), Duration.ofMinutes(5), true);
    }

    public Settings withMaxFileBytes(long bytes) {
      return new Settings(bytes, maxFileAge, digestInterval, sync);
    }

    public Settings withDigestInterval(Duration interval) {
      return new Settings(maxFileBytes, maxFileAge, interval, sync);
    }

    /** Writes without fsync: for measuring what durability costs, never for serving. */
    public Settings unsynced() {
      return new Settings(maxFileBytes, maxFileAge, digestInterval, false);
    }
  }

  /** What the writer reports after each group commit, for metrics. */
  public interface Observer {
    void committed(int records, long nanos);

    void failed(int records);
  }

  /**
   * Shapes the record of something that happened to the log itself (its file removed or replaced,
   * its history missing at start) as the embedding application writes its records.
   */
  @FunctionalInterface
  public interface IncidentRecords {
    ObjectNode record(String eventSource, String eventName, Instant time, ObjectNode details);
  }

  /** The {@code eventSource} of the records the log writes about itself. */
  public static final String INCIDENT_SOURCE = "stowaway.audit";
  /** The newest digest format: v2 adds the cadence, the reason and the previous digest's file name. */
  static final int DIGEST_VERSION = 2;

  private static final Logger LOG = System.getLogger(AuditLog.class.getName());
  private static final int MAX_BATCH = 512;
  private static final Pending STOP = new Pending(null, null, false, false);

  private final ObjectMapper json = new ObjectMapper();
  private final Path dir;
  private final Clock clock;
  private final Settings settings;
  private final AuditSigningKey signingKey;
  private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final List<Consumer<ObjectNode>> subscribers = new CopyOnWriteArrayList<>();
  private final List<java.util.function.ObjLongConsumer<ObjectNode>> sequenced = new CopyOnWriteArrayList<>();
  private final Object lifecycle = new Object();
  private final Thread writer;
  private volatile Observer observer = new Observer() {
    @Override
    public void committed(int records, long nanos) {}

    @Override
    public void failed(int records) {}
  };
  private volatile boolean failing;
  private volatile IncidentRecords incidentRecords = AuditLog::plainIncident;
  private boolean closed;

  // Writer-thread state from here on.
  private final MessageDigest sha256;
  private FileChannel channel;
  private Path current;
  /** The identity ({@code fileKey}, the inode) of the file {@link #channel} writes, to notice it replaced. */
  private Object currentFileKey;
  private long currentBytes;
  private Instant currentStarted;
  private MessageDigest currentHash;
  private long firstSequenceInCurrent;
  private long nextSequence;
  private byte[] previousHash;
  /** Files written since the last digest, by name, with what the next digest says of them. */
  private final Map<String, FileCoverage> undigested = new LinkedHashMap<>();
  /** Records of done changes that a failed write could not take, to go first once it can. */
  private final List<ObjectNode> kept = new ArrayList<>();
  /** What happened to the log itself, to be written first in the next commit. */
  private final List<Incident> incidents = new ArrayList<>();
  private long lastDigestNumber;
  private String lastDigestFile;
  private String lastDigestSignature;
  /** What the start digest says came before it; see {@link #recover}. */
  private String startedAfter;
  private long lastDigestedSequence;
  private Instant nextDigestAt;

  /** A record to write, a probe ({@code event} null) or a tick that looks at the clock for a due digest. */
  private record Pending(ObjectNode event, CompletableFuture<Long> done, boolean keep, boolean tick) {}

  private record Incident(String eventName, Instant time, ObjectNode details) {}

  private record FileCoverage(String name, long bytes, String sha256, long firstSequence, long lastSequence) {}

  private AuditLog(Path dir, Clock clock, Settings settings, AuditSigningKey signingKey) {
    this.dir = dir;
    this.clock = clock;
    this.settings = settings;
    this.signingKey = signingKey;
    this.sha256 = newSha256();
    this.writer = new Thread(this::run, "stowaway-audit-writer");
    this.writer.setDaemon(true);
  }

  /**
   * Opens the log in {@code dir}, picking the chain up where the last record left it, and signs a
   * digest over whatever the previous run wrote after its last one.
   *
   * @throws AuditLogDamagedException if the newest file holds a line that is not a record
   */
  public static AuditLog open(Path dir, RootKey rootKey, Clock clock, SecureRandom random, Settings settings)
      throws IOException {
    return open(dir, rootKey, clock, random, settings, false, AuditLog::plainIncident);
  }

  /**
   * As {@link #open(Path, RootKey, Clock, SecureRandom, Settings)}, for a vault that already
   * existed when {@code logExpected}: finding no audit history then means it was deleted, which the
   * start digest says and a record tells. {@code incidentRecords} shapes the records the log writes
   * about itself.
   *
   * @throws AuditLogDamagedException if the newest file holds a line that is not a record, or the
   *     log ends before the records the newest digest signed
   */
  public static AuditLog open(Path dir, RootKey rootKey, Clock clock, SecureRandom random, Settings settings,
      boolean logExpected, IncidentRecords incidentRecords) throws IOException {
    Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    AuditLog log = new AuditLog(dir, clock, settings, AuditSigningKey.loadOrCreate(dir, rootKey, random));
    log.incidentRecords = incidentRecords;
    log.recover(logExpected);
    if (!log.incidents.isEmpty()) {
      log.commit(new ArrayList<>());
    }
    log.writeDigest("start");
    log.startedAfter = null;
    log.writer.start();
    return log;
  }

  /** The hex SHA-256 of the digest-signing public key, for operators to note down. */
  public String signingKeyFingerprint() {
    return signingKey.fingerprint();
  }

  public Path directory() {
    return dir;
  }

  public void observe(Observer observer) {
    this.observer = observer;
  }

  /** Called on the writer thread with each record once it is durable; must not block. */
  public void subscribe(Consumer<ObjectNode> subscriber) {
    subscribers.add(subscriber);
  }

  /** As {@link #subscribe}, with each record's sequence number in this log. */
  public void subscribeWithSequence(java.util.function.ObjLongConsumer<ObjectNode> subscriber) {
    sequenced.add(subscriber);
  }

  /**
   * Appends one record and returns its sequence number once it is durable.
   *
   * @throws AuditUnavailableException if it could not be written
   */
  public long append(ObjectNode event) {
    return await(enqueue(new Pending(event, new CompletableFuture<>(), false, false)));
  }

  /**
   * Returns once the writer has looked at the clock and signed the digest that was due, if one
   * was: for tests that move a fake clock, so that nothing waits on the writer's own polling.
   */
  void awaitDueDigest() {
    await(enqueue(new Pending(null, new CompletableFuture<>(), false, true)));
  }

  /**
   * Appends the record of something already done (a committed change). If it cannot be written
   * now, this still throws, but the record is kept and written first once the log can be written
   * again, so the change is not left unrecorded. Only a crash while the log is down loses it.
   */
  public long appendDone(ObjectNode event) {
    return await(enqueue(new Pending(event, new CompletableFuture<>(), true, false)));
  }

  /**
   * Returns at once while the log is healthy; after a failure, asks the writer whether the log
   * can be written again, so that nothing is done while it cannot be recorded.
   */
  public void checkWritable() {
    if (failing) {
      await(enqueue(new Pending(null, new CompletableFuture<>(), false, false)));
    }
  }

  public boolean isFailing() {
    return failing;
  }

  private Pending enqueue(Pending pending) {
    synchronized (lifecycle) {
      if (closed) {
        throw new AuditUnavailableException("the audit log is closed", null);
      }
      queue.add(pending);
    }
    return pending;
  }

  private long await(Pending pending) {
    try {
      return pending.done().get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof AuditUnavailableException unavailable) {
        throw unavailable;
      }
      throw new AuditUnavailableException("the audit log failed: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AuditUnavailableException("interrupted while waiting for the audit log", e);
    }
  }

  /** Writes what is queued, signs a final digest and closes the file. */
  @Override
  public void close() {
    synchronized (lifecycle) {
      if (closed) {
        return;
      }
      closed = true;
      queue.add(STOP);
    }
    try {
      writer.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void run() {
    List<Pending> batch = new ArrayList<>();
    List<Pending> ticks = new ArrayList<>();
    boolean stop = false;
    while (!stop) {
      try {
        long wait = Math.max(1, Duration.between(clock.instant(), nextDigestAt).toMillis());
        Pending first = queue.poll(Math.min(wait, 1000), TimeUnit.MILLISECONDS);
        if (first != null) {
          batch.add(first);
          queue.drainTo(batch, MAX_BATCH - 1);
          int at = batch.indexOf(STOP);
          if (at >= 0) {
            stop = true;
            batch.subList(at, batch.size()).clear();
          }
          batch.removeIf(p -> p.tick() && ticks.add(p));
          if (!batch.isEmpty()) {
            commit(batch);
          }
          batch.clear();
        }
        if (stop) {
          tryDigest("final");
        } else if (!clock.instant().isBefore(nextDigestAt)) {
          tryDigest("interval");
        }
        ticks.forEach(t -> t.done().complete(-1L));
        ticks.clear();
      } catch (InterruptedException e) {
        stop = true;
      } catch (RuntimeException e) {
        LOG.log(Level.ERROR, "audit writer error: " + e, e);
        batch.forEach(p -> p.done().completeExceptionally(new AuditUnavailableException("audit writer error", e)));
        batch.clear();
        ticks.forEach(t -> t.done().completeExceptionally(new AuditUnavailableException("audit writer error", e)));
        ticks.clear();
      }
    }
    if (!kept.isEmpty()) {
      LOG.log(Level.ERROR, kept.size() + " audit record(s) of changes made while the log could not be written are "
          + "lost: the log was closed before it could be written again");
    }
    closeChannel();
  }

  private void commit(List<Pending> batch) {
    long started = System.nanoTime();
    List<ObjectNode> events = new ArrayList<>();
    int incidentCount;
    try {
      requireWritable();
      if (channel != null && !stillAtItsPath()) {
        reopenElsewhere();
      } else if (failing) {
        repair();
      }
      for (Incident incident : incidents) {
        events.add(incidentRecords.record(INCIDENT_SOURCE, incident.eventName(), incident.time(), incident.details()));
      }
    } catch (IOException e) {
      fail(batch, e);
      return;
    }
    incidentCount = incidents.size();
    events.addAll(kept);
    for (Pending pending : batch) {
      if (pending.event() != null) {
        events.add(pending.event());
      }
    }
    long sequence = nextSequence;
    byte[] previous = previousHash;
    ByteArrayOutputStream out = new ByteArrayOutputStream(512 * events.size());
    try {
      for (ObjectNode event : events) {
        ObjectNode line = json.createObjectNode();
        line.put("seq", sequence);
        line.put("prev", AuditFiles.hex(previous));
        line.set("event", event);
        byte[] bytes = json.writeValueAsBytes(line);
        previous = sha256.digest(bytes);
        out.write(bytes);
        out.write('\n');
        sequence++;
      }
      if (!events.isEmpty()) {
        if (channel == null || currentBytes > 0 && (currentBytes + out.size() > settings.maxFileBytes()
            || !clock.instant().isBefore(currentStarted.plus(settings.maxFileAge())))) {
          roll();
        }
        byte[] bytes = out.toByteArray();
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        if (settings.sync()) {
          channel.force(false);
        }
        currentHash.update(bytes);
        currentBytes += out.size();
        undigested.put(current.getFileName().toString(), new FileCoverage(current.getFileName().toString(),
            currentBytes, AuditFiles.hex(cloneOf(currentHash).digest()), firstSequenceInCurrent, sequence - 1));
        nextSequence = sequence;
        previousHash = previous;
      }
    } catch (IOException e) {
      fail(batch, e);
      return;
    }
    if (failing) {
      failing = false;
      LOG.log(Level.WARNING, "audit log " + dir + " is writable again; serving requests"
          + (kept.isEmpty() ? "" : " (wrote " + kept.size() + " record(s) of changes made as it failed)"));
    }
    long sequenceOfFirst = nextSequence - events.size() + incidentCount + kept.size();
    incidents.subList(0, incidentCount).clear();
    kept.clear();
    for (Pending pending : batch) {
      pending.done().complete(pending.event() == null ? -1 : sequenceOfFirst++);
    }
    if (!events.isEmpty()) {
      observer.committed(events.size(), System.nanoTime() - started);
      long sequenceOfEvent = nextSequence - events.size();
      for (ObjectNode event : events) {
        long written = sequenceOfEvent++;
        for (java.util.function.ObjLongConsumer<ObjectNode> subscriber : sequenced) {
          try {
            subscriber.accept(event, written);
          } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "audit subscriber failed: " + e);
          }
        }
        for (Consumer<ObjectNode> subscriber : subscribers) {
          try {
            subscriber.accept(event);
          } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "audit subscriber failed: " + e);
          }
        }
      }
    }
  }

  private void fail(List<Pending> batch, IOException cause) {
    if (!failing) {
      failing = true;
      LOG.log(Level.ERROR, "AUDIT LOG CANNOT BE WRITTEN (" + cause + ") in " + dir
          + ": every request is refused until it can be. Free space or restore write permission.");
    }
    AuditUnavailableException refusal = new AuditUnavailableException("the audit log cannot be written", cause);
    int records = 0;
    for (Pending pending : batch) {
      if (pending.event() != null) {
        records++;
        if (pending.keep()) {
          kept.add(pending.event());
        }
      }
      pending.done().completeExceptionally(refusal);
    }
    observer.failed(records);
  }

  /** Loss of write permission shows here before a write fails, and the log must stop at once. */
  private void requireWritable() throws IOException {
    if (!Files.isWritable(dir)) {
      throw new IOException(dir + " is not writable");
    }
    if (current != null && Files.exists(current, LinkOption.NOFOLLOW_LINKS) && !Files.isWritable(current)) {
      throw new IOException(current + " is not writable");
    }
  }

  /**
   * Whether the path still names the file the channel writes. A file deleted or replaced under a
   * running log would take every later record into an inode nobody can read; checked before each
   * group commit, so at most a write racing the check itself could go there.
   */
  private boolean stillAtItsPath() throws IOException {
    try {
      Object key = Files.readAttributes(current, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
      return key == null || key.equals(currentFileKey);
    } catch (NoSuchFileException e) {
      return false;
    }
  }

  /**
   * The current file was removed or replaced: sign what this log had written into it (so the
   * verifier can say what went with it), go on in a new file, and write there first what happened.
   */
  private void reopenElsewhere() throws IOException {
    String name = current.getFileName().toString();
    boolean removed = !Files.exists(current, LinkOption.NOFOLLOW_LINKS);
    String event = removed ? "AuditFileRemoved" : "AuditFileReplaced";
    LOG.log(Level.ERROR, "the audit file " + current + " was " + (removed ? "removed" : "replaced with another file")
        + " while the log was writing it; records " + firstSequenceInCurrent + " to " + (nextSequence - 1)
        + " went with it. Going on in a new file, and recording this as " + event + ".");
    ObjectNode details = json.createObjectNode();
    details.put("file", name);
    details.put("firstSequence", firstSequenceInCurrent);
    details.put("lastSequence", nextSequence - 1);
    details.put("bytes", currentBytes);
    details.put("what", removed ? "the audit file was removed while the log was writing it"
        : "the audit file was replaced with another file while the log was writing it");
    incidents.add(new Incident(event, clock.instant(), details));
    roll();
  }

  /** Cuts the current file back to its last complete, acknowledged record after a failed write. */
  private void repair() throws IOException {
    if (current == null) {
      return;
    }
    closeChannel();
    channel = FileChannel.open(current, StandardOpenOption.WRITE);
    if (channel.size() > currentBytes) {
      channel.truncate(currentBytes);
      channel.force(false);
    }
    channel.position(currentBytes);
  }

  private void roll() throws IOException {
    if (channel != null) {
      writeDigest("roll");
      closeChannel();
    }
    Instant now = clock.instant();
    Path next = dir.resolve(AuditFiles.recordFileName(nextSequence, now));
    // CREATE, not CREATE_NEW: a roll that failed half-way may have left this very file, empty.
    FileChannel opened = FileChannel.open(next, java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    if (opened.size() > 0) {
      opened.close();
      throw new IOException(next + " already holds data; it was not written by this log");
    }
    channel = opened;
    AuditSigningKey.syncDirectory(dir);
    currentFileKey = Files.readAttributes(next, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
    current = next;
    currentBytes = 0;
    currentStarted = now;
    currentHash = newSha256();
    firstSequenceInCurrent = nextSequence;
  }

  private void tryDigest(String reason) {
    try {
      if (!failing) {
        writeDigest(reason);
      }
    } catch (IOException e) {
      LOG.log(Level.ERROR, "cannot write an audit digest in " + dir + ": " + e + " (will retry)");
      nextDigestAt = clock.instant().plusSeconds(10);
    }
  }

  /**
   * Signs what was written since the last digest. The body is one JSON line, the signature the
   * next; the body names the previous digest (file and signature), so digests chain too. It says
   * why it was written ({@code start}, {@code interval}, {@code roll}, {@code final}) and the
   * cadence, so that a verifier knows when the next one was due.
   */
  private void writeDigest(String reason) throws IOException {
    Instant now = clock.instant();
    long number = lastDigestNumber + 1;
    ObjectNode body = json.createObjectNode();
    body.put("digestVersion", DIGEST_VERSION);
    body.put("digestNumber", number);
    body.put("digestTime", now.toString());
    body.put("reason", reason);
    body.put("digestIntervalSeconds", settings.digestInterval().toSeconds());
    if (reason.equals("start")) {
      body.put("startedAfter", startedAfter);
    }
    if (lastDigestNumber > 0) {
      body.put("previousDigestNumber", lastDigestNumber);
      body.put("previousDigestFile", lastDigestFile);
      body.put("previousDigestSignature", lastDigestSignature);
    } else {
      body.putNull("previousDigestNumber");
      body.putNull("previousDigestFile");
      body.putNull("previousDigestSignature");
    }
    body.put("signatureAlgorithm", AuditSigningKey.ALGORITHM);
    body.put("publicKeyFingerprint", signingKey.fingerprint());
    body.put("lastSequence", nextSequence - 1);
    body.put("lastRecordHash", AuditFiles.hex(previousHash));
    ArrayNode files = body.putArray("files");
    for (FileCoverage file : undigested.values()) {
      ObjectNode entry = files.addObject();
      entry.put("name", file.name());
      entry.put("bytes", file.bytes());
      entry.put("sha256", file.sha256());
      entry.put("firstSequence", file.firstSequence());
      entry.put("lastSequence", file.lastSequence());
    }
    byte[] bodyBytes = json.writeValueAsBytes(body);
    String signature = Base64.getEncoder().encodeToString(signingKey.sign(bodyBytes));
    byte[] content = (new String(bodyBytes, StandardCharsets.UTF_8) + "\n" + signature + "\n")
        .getBytes(StandardCharsets.UTF_8);
    String name = AuditFiles.digestFileName(number, now);
    AuditSigningKey.writeAtomically(dir.resolve(AuditFiles.DIGESTS).resolve(name), content);
    lastDigestNumber = number;
    lastDigestFile = name;
    lastDigestSignature = signature;
    lastDigestedSequence = nextSequence - 1;
    undigested.clear();
    nextDigestAt = now.plus(settings.digestInterval());
  }

  /**
   * Finds where the chain stands: the last digest, then the files after it. A line without its
   * newline is a write that was never acknowledged (a crash mid-write) and is cut off; any other
   * line that is not a record means the log was damaged, and the vault will not sign over it; nor
   * over a log that ends before the records the last digest signed (records cut off the end).
   * Notes for the start digest what came before it: a clean stop, a run that ended without a
   * final digest (a crash, or newer digests deleted), or nothing where something should be.
   */
  private void recover(boolean logExpected) throws IOException {
    List<Path> digests = AuditFiles.digestFiles(dir);
    lastDigestedSequence = 0;
    if (!digests.isEmpty()) {
      Path last = digests.get(digests.size() - 1);
      List<String> lines = Files.readAllLines(last, StandardCharsets.UTF_8);
      if (lines.size() < 2) {
        throw new AuditLogDamagedException(last + " is not a complete digest; run 'stowaway audit verify'");
      }
      JsonNode body = json.readTree(lines.get(0));
      lastDigestNumber = body.path("digestNumber").asLong();
      lastDigestFile = last.getFileName().toString();
      lastDigestSignature = lines.get(1).trim();
      lastDigestedSequence = body.path("lastSequence").asLong();
      startedAfter = body.path("digestVersion").asInt() < DIGEST_VERSION ? "earlier-version"
          : body.path("reason").asText().equals("final") ? "final-digest" : "no-final-digest";
    }
    nextSequence = 1;
    previousHash = new byte[32];
    List<Path> files = AuditFiles.recordFiles(dir);
    // Start at the file holding the last digested record: it carries the chain, and it and
    // everything after it may hold records no digest covers yet.
    int from = 0;
    for (int i = 0; i < files.size(); i++) {
      if (AuditFiles.firstSequence(files.get(i).getFileName().toString()) <= lastDigestedSequence) {
        from = i;
      }
    }
    for (int i = from; i < files.size(); i++) {
      scan(files.get(i), i == files.size() - 1);
    }
    if (nextSequence - 1 < lastDigestedSequence) {
      throw new AuditLogDamagedException("the audit log ends at record " + (nextSequence - 1) + " but digest "
          + lastDigestNumber + " signed records up to " + lastDigestedSequence + ": records were cut off the end; run "
          + "'stowaway audit verify' to see what changed, and move the audit directory aside to start a new log");
    }
    if (digests.isEmpty()) {
      if (!files.isEmpty()) {
        startedAfter = "missing-digests";
        incident("AuditDigestsMissing", "records 1 to " + (nextSequence - 1) + " were found without any digest: the "
            + "digests were deleted");
      } else if (logExpected) {
        startedAfter = "missing-log";
        incident("AuditLogMissing", "the vault already existed but its audit log did not: every earlier record and "
            + "digest was deleted");
      } else {
        startedAfter = "new-log";
      }
    }
  }

  private void incident(String eventName, String what) {
    LOG.log(Level.ERROR, "audit log " + dir + ": " + what + "; starting a new chain of digests and recording "
        + eventName);
    ObjectNode details = json.createObjectNode();
    details.put("what", what);
    incidents.add(new Incident(eventName, clock.instant(), details));
  }

  /** The record of an incident when no one said how to shape it: CloudTrail's service event, reduced. */
  private static ObjectNode plainIncident(String eventSource, String eventName, Instant time, ObjectNode details) {
    ObjectNode record = new ObjectMapper().createObjectNode();
    record.put("eventVersion", "1.08");
    record.put("eventTime", time.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
    record.put("eventSource", eventSource);
    record.put("eventName", eventName);
    record.put("eventType", "AwsServiceEvent");
    record.set("serviceEventDetails", details);
    return record;
  }

  /**
   * Whether the bytes after the last newline are what a write cut short leaves: the beginning of a
   * record line ({@code {"seq":…}), JSON text without control bytes. Anything else is damage, and
   * cutting it off could hide an acknowledged record.
   */
  private static boolean looksTorn(byte[] content, int from) {
    byte[] start = "{\"seq\":".getBytes(StandardCharsets.US_ASCII);
    for (int i = from; i < content.length; i++) {
      int k = i - from;
      if (k < start.length ? content[i] != start[k] : (content[i] & 0xff) < 0x20) {
        return false;
      }
    }
    return true;
  }

  /** Reads one file's records to carry the chain on; the last file stays open for appending. */
  private void scan(Path file, boolean last) throws IOException {
    byte[] content = Files.readAllBytes(file);
    int end = content.length;
    while (end > 0 && content[end - 1] != '\n') {
      end--;
    }
    if (end < content.length) {
      if (!last) {
        throw new AuditLogDamagedException(file + " ends in the middle of a record; run 'stowaway audit verify'");
      }
      if (!looksTorn(content, end)) {
        throw new AuditLogDamagedException(file + " ends in bytes that are not part of a record (damaged, not a write "
            + "cut short); run 'stowaway audit verify'");
      }
      LOG.log(Level.WARNING, "discarding " + (content.length - end) + " bytes of an unfinished audit record at the end of "
          + file + " (written but never acknowledged before a crash)");
      try (FileChannel truncate = FileChannel.open(file, StandardOpenOption.WRITE)) {
        truncate.truncate(end);
        truncate.force(false);
      }
    }
    String name = file.getFileName().toString();
    long firstSequence = AuditFiles.firstSequence(name);
    long lastSequence = firstSequence - 1;
    int start = 0;
    int lineNumber = 0;
    while (start < end) {
      int newline = start;
      while (content[newline] != '\n') {
        newline++;
      }
      lineNumber++;
      byte[] line = java.util.Arrays.copyOfRange(content, start, newline);
      JsonNode record;
      try {
        record = json.readTree(line);
      } catch (IOException e) {
        record = null;
      }
      if (record == null || !record.path("seq").canConvertToLong() || !record.has("prev")) {
        throw new AuditLogDamagedException(file + " line " + lineNumber
            + " is not an audit record; run 'stowaway audit verify --data-dir DIR' to see what changed");
      }
      lastSequence = record.path("seq").asLong();
      previousHash = sha256.digest(line);
      start = newline + 1;
    }
    if (lastSequence >= firstSequence) {
      nextSequence = lastSequence + 1;
    } else if (nextSequence < firstSequence) {
      nextSequence = firstSequence;
    }
    MessageDigest hash = newSha256();
    hash.update(content, 0, end);
    if (lastSequence > lastDigestedSequence) {
      undigested.put(name, new FileCoverage(name, end, AuditFiles.hex(cloneOf(hash).digest()), firstSequence,
          lastSequence));
    }
    if (last) {
      current = file;
      currentBytes = end;
      currentHash = hash;
      currentStarted = AuditFiles.startTime(name);
      firstSequenceInCurrent = firstSequence;
      channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
      currentFileKey = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
    }
  }

  private void closeChannel() {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        LOG.log(Level.WARNING, "closing " + current + ": " + e);
      }
      channel = null;
    }
  }

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static MessageDigest cloneOf(MessageDigest digest) {
    try {
      return (MessageDigest) digest.clone();
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException(e);
    }
  }

  static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }
}
