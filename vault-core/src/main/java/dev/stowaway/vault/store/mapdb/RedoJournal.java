package dev.stowaway.vault.store.mapdb;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The redo journal beside the store file. Each batch holds the bytes one sync of the store changes,
 * with a sequence number and a CRC-32C over all of it; a batch is forced to disk before any of its
 * bytes reach the store file, so a crash leaves either a complete batch (replayed on open) or a
 * torn one at the end (never acknowledged, discarded).
 *
 * <p>Format, big-endian: {@code magic:int seq:long fileLength:long entries:int bodyBytes:int},
 * then {@code entries} times {@code offset:long length:int bytes}, then {@code crc32c:int} over
 * header and body. Batches follow each other; a checkpoint empties the file.
 */
final class RedoJournal implements Closeable {

  static final int MAGIC = 0x534a4e31; // "SJN1"
  static final int HEADER_BYTES = 4 + 8 + 8 + 4 + 4;
  private static final int CRC_BYTES = 4;
  private static final int ENTRY_HEADER_BYTES = 8 + 4;

  /** Bytes for the store file: {@code length} bytes of {@code data} from {@code from}, at {@code offset}. */
  record Entry(long offset, byte[] data, int from, int length) {}

  /** What one batch does to the store file: write its entries, then have it {@code fileLength} long. */
  record Batch(long fileLength, List<Entry> entries) {}

  /** Receives the complete batches of a replay in order. */
  interface BatchTarget {
    void apply(Batch batch);
  }

  /** What a replay found: complete batches applied, and bytes of a torn batch after them. */
  record Replay(int batches, long tornBytes) {}

  private final Path path;
  private final FileChannel channel;
  private long size;
  private long nextSeq = 1;
  private boolean broken;

  private RedoJournal(Path path, FileChannel channel, long size) {
    this.path = path;
    this.channel = channel;
    this.size = size;
  }

  /** Opens the journal, creating it (durably: its directory entry is forced too) if missing. */
  static RedoJournal open(Path path) throws IOException {
    boolean existed = Files.exists(path);
    FileChannel channel = FileChannel.open(path, java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    if (!existed) {
      channel.force(true);
      forceDirectory(path.toAbsolutePath().getParent());
    }
    return new RedoJournal(path, channel, channel.size());
  }

  Path path() {
    return path;
  }

  /** Bytes of complete batches since the last checkpoint. */
  long size() {
    return size;
  }

  /**
   * Hands every complete batch to {@code target} in order. A torn batch may only be the last thing
   * in the file: if a complete batch follows damaged bytes, an acknowledged commit is damaged and
   * the journal is refused rather than cut there.
   */
  Replay replay(BatchTarget target) throws IOException {
    long end = channel.size();
    long pos = 0;
    long lastSeq = 0;
    int batches = 0;
    while (pos < end) {
      Parsed parsed = parse(pos, end, lastSeq);
      if (parsed == null) {
        long damaged = findCompleteBatchAfter(pos + 1, end, lastSeq);
        if (damaged >= 0) {
          throw new JournalDamagedException("the store journal " + path + " is damaged at byte " + pos
              + ", and a complete commit follows at byte " + damaged);
        }
        break;
      }
      target.apply(parsed.batch());
      lastSeq = parsed.seq();
      batches++;
      pos = parsed.end();
    }
    size = pos;
    nextSeq = lastSeq + 1;
    return new Replay(batches, end - pos);
  }

  /** The first offset from {@code from} where a complete batch numbered after {@code lastSeq} starts, or -1. */
  private long findCompleteBatchAfter(long from, long end, long lastSeq) throws IOException {
    if (end - from < HEADER_BYTES + CRC_BYTES) {
      return -1;
    }
    ByteBuffer rest = ByteBuffer.allocate(Math.toIntExact(end - from));
    readFully(rest, from);
    for (int i = 0; i + HEADER_BYTES + CRC_BYTES <= rest.capacity(); i++) {
      if (rest.getInt(i) == MAGIC) {
        Parsed found = parse(from + i, end, 0);
        if (found != null && found.seq() > lastSeq) {
          return from + i;
        }
      }
    }
    return -1;
  }

  private record Parsed(long seq, Batch batch, long end) {}

  /** The complete batch at {@code pos}, or null if it is torn, foreign or out of sequence. */
  private Parsed parse(long pos, long end, long lastSeq) throws IOException {
    if (end - pos < HEADER_BYTES + CRC_BYTES) {
      return null;
    }
    ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
    readFully(header, pos);
    header.flip();
    long seq;
    long fileLength;
    int entries;
    int bodyBytes;
    if (header.getInt() != MAGIC) {
      return null;
    }
    seq = header.getLong();
    fileLength = header.getLong();
    entries = header.getInt();
    bodyBytes = header.getInt();
    if (bodyBytes < 0 || entries < 0 || fileLength < 0 || end - pos - HEADER_BYTES - CRC_BYTES < bodyBytes
        || (lastSeq != 0 && seq != lastSeq + 1)) {
      return null;
    }
    ByteBuffer rest = ByteBuffer.allocate(bodyBytes + CRC_BYTES);
    readFully(rest, pos + HEADER_BYTES);
    byte[] body = rest.array();
    CRC32C crc = new CRC32C();
    crc.update(header.array(), 0, HEADER_BYTES);
    crc.update(body, 0, bodyBytes);
    if ((int) crc.getValue() != rest.getInt(bodyBytes)) {
      return null;
    }
    ByteBuffer in = ByteBuffer.wrap(body, 0, bodyBytes);
    List<Entry> list = new ArrayList<>(entries);
    for (int i = 0; i < entries; i++) {
      if (in.remaining() < ENTRY_HEADER_BYTES) {
        throw new JournalDamagedException("the store journal " + path + " has a batch at byte " + pos
            + " whose checksum matches but whose entries overrun it");
      }
      long offset = in.getLong();
      int length = in.getInt();
      if (length < 0 || length > in.remaining() || offset < 0) {
        throw new JournalDamagedException("the store journal " + path + " has a batch at byte " + pos
            + " whose checksum matches but whose entries overrun it");
      }
      list.add(new Entry(offset, body, in.position(), length));
      in.position(in.position() + length);
    }
    return new Parsed(seq, new Batch(fileLength, list), pos + HEADER_BYTES + bodyBytes + CRC_BYTES);
  }

  private void readFully(ByteBuffer buffer, long pos) throws IOException {
    while (buffer.hasRemaining()) {
      if (channel.read(buffer, pos + buffer.position()) < 0) {
        throw new IOException("unexpected end of " + path);
      }
    }
  }

  /**
   * Appends {@code batch} and forces it to disk. If that fails, the journal is cut back to its last
   * complete batch, so no later batch ever lands behind a torn one.
   */
  void append(Batch batch) throws IOException {
    if (broken) {
      throw new IOException("the store journal " + path + " could not be cut back after a failed write");
    }
    int bodyBytes = 0;
    for (Entry e : batch.entries()) {
      bodyBytes += ENTRY_HEADER_BYTES + e.length();
    }
    ByteBuffer out = ByteBuffer.allocate(HEADER_BYTES + bodyBytes + CRC_BYTES);
    out.putInt(MAGIC).putLong(nextSeq).putLong(batch.fileLength()).putInt(batch.entries().size()).putInt(bodyBytes);
    for (Entry e : batch.entries()) {
      out.putLong(e.offset()).putInt(e.length()).put(e.data(), e.from(), e.length());
    }
    CRC32C crc = new CRC32C();
    crc.update(out.array(), 0, out.position());
    out.putInt((int) crc.getValue());
    out.flip();
    try {
      while (out.hasRemaining()) {
        channel.write(out, size + out.position());
      }
      channel.force(false);
    } catch (IOException | RuntimeException e) {
      try {
        channel.truncate(size);
        channel.force(true);
      } catch (IOException | RuntimeException again) {
        broken = true;
        e.addSuppressed(again);
      }
      throw e;
    }
    size += out.limit();
    nextSeq++;
  }

  /** Empties the journal: the store file holds (and has forced) everything it had. */
  void reset() throws IOException {
    channel.truncate(0);
    channel.force(true);
    size = 0;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  private static void forceDirectory(Path dir) throws IOException {
    if (dir == null) {
      return;
    }
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      // Some file systems refuse to open a directory for reading; the file's own force still holds.
    }
  }

  /** The journal holds a damaged commit that a later complete one follows. */
  static final class JournalDamagedException extends IOException {
    JournalDamagedException(String message) {
      super(message);
    }
  }
}
