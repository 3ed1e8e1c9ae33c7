package dev.stowaway.sidecar.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stowaway.vault.audit.AuditLookup;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The audit records of every sidecar sharing a PostgreSQL store, in one table, for LookupEvents.
 * Each sidecar's own files stay the record of truth (hash chain, signed digests, fail-closed);
 * records are copied here after they are durable there, in batches, off the request path. A
 * copy that cannot be made now is retried; one that the bounded queue cannot hold is logged.
 */
public final class SharedAuditIndex implements AuditLookup.Search, AutoCloseable {

  private static final Logger LOG = System.getLogger(SharedAuditIndex.class.getName());
  private static final int BATCH = 200;

  private record Pending(long sequence, ObjectNode event) {}

  private final ObjectMapper json = new ObjectMapper();
  private final PostgresSecretStore store;
  private final String stream;
  private final BlockingQueue<Pending> queue = new ArrayBlockingQueue<>(50_000);
  private final Thread writer;
  private volatile boolean closed;

  /** {@code stream} names this sidecar's audit log among the others (its signing key's fingerprint). */
  public SharedAuditIndex(PostgresSecretStore store, String stream) {
    this.store = store;
    this.stream = stream;
    this.writer = new Thread(this::run, "stowaway-audit-index");
    this.writer.setDaemon(true);
    this.writer.start();
  }

  /** Called with each durable record; never blocks. */
  public void recorded(ObjectNode event, long sequence) {
    if (!queue.offer(new Pending(sequence, event))) {
      LOG.log(Level.WARNING, "shared audit index is behind: record " + sequence + " of " + stream
          + " is only in this sidecar's files");
    }
  }

  private void run() {
    List<Pending> batch = new ArrayList<>();
    while (!closed || !queue.isEmpty()) {
      try {
        if (batch.isEmpty()) {
          Pending first = queue.poll(500, TimeUnit.MILLISECONDS);
          if (first == null) {
            continue;
          }
          batch.add(first);
          queue.drainTo(batch, BATCH - 1);
        }
        insert(batch);
        batch.clear();
      } catch (InterruptedException e) {
        return;
      } catch (SQLException | IOException e) {
        if (closed) {
          LOG.log(Level.WARNING, "shutting down: " + (batch.size() + queue.size()) + " audit record(s) of " + stream
              + " are only in this sidecar's files");
          return;
        }
        LOG.log(Level.WARNING, "cannot copy audit records to the shared index (" + e.getMessage() + "); retrying");
        try {
          Thread.sleep(1000); // a retry delay for a database that is away
        } catch (InterruptedException interrupted) {
          return;
        }
      }
    }
  }

  private void insert(List<Pending> batch) throws SQLException, IOException {
    try (Connection c = store.listenerConnection();
         PreparedStatement s = c.prepareStatement("INSERT INTO stowaway_audit_events (stream, seq, event_time, body) "
             + "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
      for (Pending p : batch) {
        s.setString(1, stream);
        s.setLong(2, p.sequence());
        s.setTimestamp(3, Timestamp.from(Instant.parse(p.event().path("eventTime").asText())));
        s.setBytes(4, json.writeValueAsBytes(p.event()));
        s.addBatch();
      }
      s.executeBatch();
    }
  }

  /** Newest first across all streams; the cursor is the last row returned (time, stream, sequence). */
  @Override
  public AuditLookup.Page search(AuditLookup.Query query) throws IOException {
    Cursor after = Cursor.parse(query.cursor());
    List<JsonNode> found = new ArrayList<>();
    Cursor last = after;
    try (Connection c = store.listenerConnection()) {
      while (true) {
        StringBuilder sql = new StringBuilder("SELECT stream, seq, event_time, body FROM stowaway_audit_events WHERE true");
        if (query.start() != null) {
          sql.append(" AND event_time >= ?");
        }
        if (query.end() != null) {
          sql.append(" AND event_time <= ?");
        }
        if (last != null) {
          sql.append(" AND (event_time, stream, seq) < (?, ?, ?)");
        }
        sql.append(" ORDER BY event_time DESC, stream DESC, seq DESC LIMIT 500");
        try (PreparedStatement s = c.prepareStatement(sql.toString())) {
          int i = 1;
          if (query.start() != null) {
            s.setTimestamp(i++, Timestamp.from(query.start()));
          }
          if (query.end() != null) {
            s.setTimestamp(i++, Timestamp.from(query.end()));
          }
          if (last != null) {
            s.setTimestamp(i++, Timestamp.from(last.time()));
            s.setString(i++, last.stream());
            s.setLong(i, last.sequence());
          }
          int rows = 0;
          try (ResultSet r = s.executeQuery()) {
            while (r.next()) {
              rows++;
              Cursor here = new Cursor(r.getTimestamp(3).toInstant(), r.getString(1), r.getLong(2));
              JsonNode event = json.readTree(r.getBytes(4));
              if (!AuditLookup.matches(event, query)) {
                last = here;
                continue;
              }
              if (found.size() == query.maxResults()) {
                return new AuditLookup.Page(found, last.encode());
              }
              found.add(event);
              last = here;
            }
          }
          if (rows < 500) {
            return new AuditLookup.Page(found, null);
          }
        }
      }
    } catch (SQLException e) {
      throw new IOException("the shared audit index cannot be read: " + e.getMessage(), e);
    }
  }

  private record Cursor(Instant time, String stream, long sequence) {
    String encode() {
      return time.getEpochSecond() + "/" + time.getNano() + "/" + sequence + "/" + stream;
    }

    static Cursor parse(String text) {
      if (text == null) {
        return null;
      }
      String[] parts = text.split("/", 4);
      try {
        Instant time = Instant.ofEpochSecond(Long.parseLong(parts[0]), Long.parseLong(parts[1]));
        return new Cursor(time, parts[3], Long.parseLong(parts[2]));
      } catch (RuntimeException e) {
        throw new dev.stowaway.vault.VaultException(dev.stowaway.vault.VaultError.INVALID_NEXT_TOKEN,
            "The NextToken is not valid.");
      }
    }
  }

  /** Copies what is queued (for a few seconds at most), then stops. */
  @Override
  public void close() {
    closed = true;
    try {
      writer.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
