package dev.stowaway.vault.store.mapdb;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.mapdb.DBException;
import org.mapdb.DataInput2;
import org.mapdb.volume.ByteArrayVol;
import org.mapdb.volume.RandomAccessFileVol;
import org.mapdb.volume.Volume;

/**
 * A MapDB volume whose every {@link #sync()} is atomic and durable: writes stay in memory until
 * then, go to the {@link RedoJournal} as one checksummed batch that is forced to disk, and only
 * then reach the store file. After a crash, {@link #open} replays the complete batches over the
 * store file, so it holds exactly what the last acknowledged sync left, whatever the crash cut.
 *
 * <p>Why not MapDB's own write-ahead log: MapDB 3.1's {@code StoreWAL} logs only part of a commit
 * (records and the header, not the index values or free lists it then writes in place) and never
 * replays its log on open, so a kill while a commit is written into the store file leaves a damaged
 * B-tree behind ({@code StoreKillCheck} in the benchmarks module shows it). This volume sits below
 * MapDB's plain {@code StoreDirect}, which writes everything through the volume and syncs it once
 * per commit; that sync is the commit point.
 *
 * <p>The store file is forced only at a checkpoint (when the journal has grown past a bound, and on
 * close); between checkpoints a commit costs one forced append. Concurrency: a read sees pending
 * pages, so the store keeps readers out while a write is under way ({@link MapDbSecretStore}'s
 * lock); the pending pages are guarded by this object, the cached clean pages by their cache.
 */
final class JournaledVolume extends Volume {

  static final int PAGE = 4096;
  private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
  private static final System.Logger LOG = System.getLogger(JournaledVolume.class.getName());

  private final Volume file;
  private final RedoJournal journal;
  private final long checkpointBytes;
  /**
   * Pages as the store file holds them: MapDB reads a long or a few bytes at a time (a header
   * checksum alone is eight thousand reads), far too many to each be a system call.
   */
  private final Cache<Long, byte[]> clean;
  /** One function object, not one per read. */
  private final Function<Long, byte[]> loader = this::load;
  /** Pages changed since the last sync, by page number. */
  private final Map<Long, PendingPage> pending = new HashMap<>();
  private volatile boolean anyPending;
  /** How long the store file is; bytes past it read as zeros. */
  private volatile long fileLength;
  /** How long the store is once the pending pages are applied. */
  private long length;
  /** A batch the journal holds that did not fully reach the store file. */
  private boolean unapplied;
  private final RedoJournal.Replay recovered;

  private JournaledVolume(Volume file, RedoJournal journal, long checkpointBytes, long cachedBytes,
      RedoJournal.Replay recovered) {
    this.file = file;
    this.clean = Caffeine.newBuilder().maximumSize(Math.max(16, cachedBytes / PAGE)).build();
    this.journal = journal;
    this.checkpointBytes = checkpointBytes;
    this.fileLength = file.length();
    this.length = fileLength;
    this.recovered = recovered;
  }

  /**
   * Opens the store file (taking MapDB's lock on it, so a second process is refused before it
   * touches anything), replays the journal beside it and checkpoints.
   */
  static JournaledVolume open(Path storeFile, long checkpointBytes, long cachedBytes) throws IOException {
    Path journalFile = storeFile.resolveSibling(storeFile.getFileName() + ".journal");
    if (!Files.exists(storeFile) && Files.exists(journalFile) && Files.size(journalFile) > 0) {
      // replayed over a new, empty file it would make a store of fragments
      throw new IOException(journalFile + " holds commits of a store file that is not there; move it away with the "
          + "store file it belongs to");
    }
    if (!Files.exists(storeFile)) {
      // made owner-only before MapDB opens it: MapDB would make it with the process's umask (0644)
      Files.createFile(storeFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }
    Volume file = RandomAccessFileVol.FACTORY.makeVolume(storeFile.toString(), false, 0L);
    try {
      RedoJournal journal = RedoJournal.open(journalFile);
      try {
        RedoJournal.Replay replay = journal.replay(batch -> applyTo(file, batch));
        if (replay.batches() > 0) {
          file.sync();
        }
        if (replay.batches() > 0 || replay.tornBytes() > 0) {
          journal.reset();
          // after a crash, not a fault: the torn bytes are a commit that was never acknowledged
          LOG.log(System.Logger.Level.INFO, "store: replayed " + replay.batches() + " commit(s) from " + journal.path()
              + (replay.tornBytes() > 0 ? "; discarded " + replay.tornBytes() + " byte(s) of a commit a crash cut off "
                  + "before it was acknowledged" : ""));
        }
        return new JournaledVolume(file, journal, checkpointBytes, cachedBytes, replay);
      } catch (IOException | RuntimeException e) {
        journal.close();
        throw e;
      }
    } catch (IOException | RuntimeException e) {
      file.close();
      throw e;
    }
  }

  /** A volume in memory: the same staging, no journal. */
  static JournaledVolume inMemory() {
    return new JournaledVolume(new ByteArrayVol(), null, Long.MAX_VALUE, 1 << 20, new RedoJournal.Replay(0, 0));
  }

  /** What opening replayed from the journal. */
  RedoJournal.Replay recovered() {
    return recovered;
  }

  /** Bytes in the journal since the last checkpoint (for tests). */
  long journalBytes() {
    return journal == null ? 0 : journal.size();
  }

  private static void applyTo(Volume file, RedoJournal.Batch batch) {
    long end = batch.fileLength();
    for (RedoJournal.Entry e : batch.entries()) {
      end = Math.max(end, e.offset() + e.length());
    }
    file.ensureAvailable(end);
    for (RedoJournal.Entry e : batch.entries()) {
      file.putData(e.offset(), e.data(), e.from(), e.length());
    }
    if (file.length() > batch.fileLength()) {
      file.truncate(batch.fileLength());
    }
  }

  // --- writes: into pending pages ---

  @Override
  public synchronized void ensureAvailable(long offset) {
    length = Math.max(length, offset);
  }

  @Override
  public synchronized void truncate(long size) {
    length = size;
    pending.keySet().removeIf(page -> page * PAGE >= size);
    long last = size / PAGE;
    PendingPage cut = pending.get(last);
    if (cut != null) {
      int from = (int) (size - last * PAGE);
      Arrays.fill(cut.bytes, from, PAGE, (byte) 0);
      cut.touched(from, PAGE);
    }
  }

  @Override
  public void putLong(long offset, long value) {
    byte[] b = new byte[8];
    LONG.set(b, 0, value);
    putData(offset, b, 0, 8);
  }

  @Override
  public void putInt(long offset, int value) {
    byte[] b = new byte[4];
    INT.set(b, 0, value);
    putData(offset, b, 0, 4);
  }

  @Override
  public void putByte(long offset, byte value) {
    putData(offset, new byte[] {value}, 0, 1);
  }

  @Override
  public synchronized void putData(long offset, byte[] src, int srcPos, int srcSize) {
    while (srcSize > 0) {
      long page = offset / PAGE;
      int at = (int) (offset - page * PAGE);
      int n = Math.min(srcSize, PAGE - at);
      // MapDB rewrites its header checksum at every commit: unchanged bytes make no pending page
      if (pending.containsKey(page) || !Arrays.equals(clean.get(page, loader), at, at + n, src, srcPos, srcPos + n)) {
        PendingPage p = page(page);
        System.arraycopy(src, srcPos, p.bytes, at, n);
        p.touched(at, at + n);
      }
      offset += n;
      srcPos += n;
      srcSize -= n;
    }
  }

  @Override
  public void putData(long offset, ByteBuffer buf) {
    byte[] b = new byte[buf.remaining()];
    buf.get(b);
    putData(offset, b, 0, b.length);
  }

  @Override
  public synchronized void clear(long startOffset, long endOffset) {
    long offset = startOffset;
    while (offset < endOffset) {
      long page = offset / PAGE;
      int at = (int) (offset - page * PAGE);
      int n = (int) Math.min(endOffset - offset, PAGE - at);
      PendingPage p = pending.get(page);
      // A page wholly past the end of the file reads as zeros and is extended with zeros: nothing to log.
      if (p != null || page * PAGE < fileLength) {
        p = page(page);
        Arrays.fill(p.bytes, at, at + n, (byte) 0);
        p.touched(at, at + n);
      }
      offset += n;
    }
  }

  /** The pending copy of {@code page}, made from the store file on first write; under the lock. */
  private PendingPage page(long page) {
    PendingPage p = pending.get(page);
    if (p == null) {
      p = new PendingPage(clean.get(page, loader).clone());
      pending.put(page, p);
      anyPending = true;
    }
    return p;
  }

  // --- reads: pending pages over cached pages of the store file ---

  @Override
  public long getLong(long offset) {
    int at = (int) (offset % PAGE);
    if (at <= PAGE - 8) {
      return (long) LONG.get(readable(offset / PAGE), at);
    }
    byte[] b = new byte[8];
    getData(offset, b, 0, 8);
    return (long) LONG.get(b, 0);
  }

  @Override
  public int getInt(long offset) {
    int at = (int) (offset % PAGE);
    if (at <= PAGE - 4) {
      return (int) INT.get(readable(offset / PAGE), at);
    }
    byte[] b = new byte[4];
    getData(offset, b, 0, 4);
    return (int) INT.get(b, 0);
  }

  @Override
  public byte getByte(long offset) {
    return readable(offset / PAGE)[(int) (offset % PAGE)];
  }

  @Override
  public DataInput2 getDataInput(long offset, int size) {
    byte[] b = new byte[size];
    getData(offset, b, 0, size);
    return new DataInput2.ByteArray(b);
  }

  @Override
  public void getData(long offset, byte[] bytes, int bytesPos, int size) {
    while (size > 0) {
      long page = offset / PAGE;
      int at = (int) (offset - page * PAGE);
      int n = Math.min(size, PAGE - at);
      System.arraycopy(readable(page), at, bytes, bytesPos, n);
      offset += n;
      bytesPos += n;
      size -= n;
    }
  }

  /**
   * The page as this reader is to see it: pending, if a write changed it (only the writer reads
   * while a write is under way), else as the store file holds it. Never to be modified.
   */
  private byte[] readable(long page) {
    if (anyPending) {
      synchronized (this) {
        PendingPage p = pending.get(page);
        if (p != null) {
          return p.bytes;
        }
      }
    }
    return clean.get(page, loader);
  }

  private byte[] load(long page) {
    byte[] b = new byte[PAGE];
    readFile(page * PAGE, b, 0, PAGE);
    return b;
  }

  /** Reads the store file; what lies past its end reads as zeros. */
  private void readFile(long offset, byte[] bytes, int bytesPos, int size) {
    long available = Math.max(0, Math.min(size, fileLength - offset));
    if (available > 0) {
      file.getData(offset, bytes, bytesPos, (int) available);
    }
    Arrays.fill(bytes, bytesPos + (int) available, bytesPos + size, (byte) 0);
  }

  // --- the commit point ---

  /**
   * Makes everything written since the last sync durable as one unit: journal it and force it, then
   * write it into the store file. If the journal write fails, nothing reached the store file and
   * the changes are still pending ({@link #discard()} drops them).
   */
  @Override
  public synchronized void sync() {
    if (pending.isEmpty() && length == fileLength) {
      return;
    }
    RedoJournal.Batch batch = batch();
    failIfInjected(FailurePoint.BEFORE_JOURNAL);
    if (journal != null) {
      try {
        journal.append(batch);
      } catch (IOException e) {
        throw new DBException.VolumeIOError(e);
      }
    }
    unapplied = true;
    failIfInjected(FailurePoint.BEFORE_FILE);
    long before = fileLength;
    try {
      applyTo(file, batch);
    } finally {
      fileLength = file.length();
    }
    // the pending images are now what the file holds; pages cut off by a truncation are gone
    pending.forEach((page, p) -> clean.put(page, p.bytes));
    if (fileLength < before) {
      clean.asMap().keySet().removeIf(page -> (page + 1) * PAGE > fileLength);
    }
    pending.clear();
    anyPending = false;
    unapplied = false;
    if (journal != null && journal.size() >= checkpointBytes) {
      try {
        checkpoint();
      } catch (RuntimeException e) {
        // the commit is durable in the journal all the same; the next sync tries again
        LOG.log(System.Logger.Level.WARNING, "store: checkpoint of " + journal.path() + " failed, will try again: " + e);
      }
    }
  }

  /** Where a sync can be made to fail, as a full or failing disk would make it (for tests). */
  enum FailurePoint { BEFORE_JOURNAL, BEFORE_FILE }

  private FailurePoint injected;

  /** Makes the next sync fail at {@code point} (for tests of what the store does then). */
  synchronized void failNextSync(FailurePoint point) {
    injected = point;
  }

  private void failIfInjected(FailurePoint point) {
    if (injected == point) {
      injected = null;
      throw new DBException.VolumeIOError(new IOException("no space left on device (injected at " + point + ")"));
    }
  }

  /** The pending pages as one batch; changes that meet across a page boundary make one entry. */
  private RedoJournal.Batch batch() {
    long[] pages = pending.keySet().stream().mapToLong(Long::longValue).sorted().toArray();
    List<RedoJournal.Entry> entries = new ArrayList<>();
    int i = 0;
    while (i < pages.length) {
      PendingPage first = pending.get(pages[i]);
      if (first.hi <= first.lo) {
        i++;
        continue;
      }
      int j = i + 1;
      int bytes = first.hi - first.lo;
      // a run goes on while each page is changed to its end and the next one from its start
      while (j < pages.length && pages[j] == pages[j - 1] + 1 && pending.get(pages[j - 1]).hi == PAGE
          && pending.get(pages[j]).lo == 0) {
        bytes += pending.get(pages[j]).hi;
        j++;
      }
      byte[] run = new byte[bytes];
      int at = 0;
      for (int k = i; k < j; k++) {
        PendingPage p = pending.get(pages[k]);
        System.arraycopy(p.bytes, p.lo, run, at, p.hi - p.lo);
        at += p.hi - p.lo;
      }
      entries.add(new RedoJournal.Entry(pages[i] * PAGE + first.lo, run, 0, bytes));
      i = j;
    }
    return new RedoJournal.Batch(length, entries);
  }

  /** Forces the store file, then empties the journal. */
  private void checkpoint() {
    file.sync();
    try {
      journal.reset();
    } catch (IOException e) {
      throw new DBException.VolumeIOError(e);
    }
  }

  /**
   * Back to the last durable state: pending changes are dropped, and a batch the journal holds but
   * the store file may not (its write failed) is replayed from the journal.
   */
  synchronized void discard() {
    pending.clear();
    anyPending = false;
    clean.invalidateAll();
    if (unapplied) {
      if (journal == null) {
        throw new IllegalStateException("a commit was written only in part into the store in memory");
      }
      try {
        journal.replay(batch -> applyTo(file, batch));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      unapplied = false;
    }
    fileLength = file.length();
    length = fileLength;
  }

  /**
   * Syncs what is pending and checkpoints, unless a batch the journal holds did not reach the file:
   * then nothing is written, and the next open replays it.
   */
  @Override
  public synchronized void close() {
    if (closed.compareAndSet(false, true)) {
      try {
        if (!unapplied) {
          sync();
          if (journal != null && journal.size() > 0) {
            checkpoint();
          }
        }
      } finally {
        try {
          if (journal != null) {
            journal.close();
          }
        } catch (IOException e) {
          LOG.log(System.Logger.Level.WARNING, "closing " + journal.path() + ": " + e);
        } finally {
          file.close();
        }
      }
    }
  }

  @Override
  public int sliceSize() {
    return -1;
  }

  @Override
  public boolean isSliced() {
    return false;
  }

  @Override
  public synchronized long length() {
    return length;
  }

  @Override
  public boolean isReadOnly() {
    return false;
  }

  @Override
  public File getFile() {
    return file.getFile();
  }

  @Override
  public boolean getFileLocked() {
    return file.getFileLocked();
  }

  @Override
  public boolean fileLoad() {
    return file.fileLoad();
  }

  /** A page's bytes as they will be, and the span of them changed since the last sync. */
  private static final class PendingPage {
    final byte[] bytes;
    int lo = PAGE;
    int hi;

    PendingPage(byte[] bytes) {
      this.bytes = bytes;
    }

    void touched(int from, int to) {
      lo = Math.min(lo, from);
      hi = Math.max(hi, to);
    }
  }
}
