package dev.stowaway.sidecar.logging;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonFactory;
import dev.stowaway.sidecar.config.ServerConfig.LogFormat;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The sidecar's log lines on standard error: one readable line per record, or with
 * {@code --log-format json} one JSON object per line ({@code time, level, logger, message,
 * requestId, error}) for a log pipeline. An exception shows only its type: its message or stack
 * trace can carry what a request held.
 */
public final class LogLines {

  private LogLines() {}

  /** Replaces the root logger's handlers with one writing {@code format} to standard error. */
  public static void install(LogFormat format) {
    Logger root = Logger.getLogger("");
    for (Handler h : root.getHandlers()) {
      root.removeHandler(h);
    }
    ConsoleHandler handler = new ConsoleHandler();
    handler.setFormatter(format == LogFormat.JSON ? new Json() : new Text());
    root.addHandler(handler);
  }

  /**
   * A stream whose lines are written to {@code console} as JSON log lines of {@code logger}: for
   * the sidecar's own console lines (banner, shutdown) when every line must be JSON. Formatted
   * here rather than sent through JUL, whose shutdown hook closes its handlers while the sidecar's
   * own hook still has things to say.
   */
  public static java.io.PrintStream asJson(String logger, java.io.PrintStream console) {
    Json json = new Json();
    return new java.io.PrintStream(new java.io.OutputStream() {
      private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();

      @Override
      public synchronized void write(int b) {
        if (b == '\n') {
          LogRecord r = new LogRecord(java.util.logging.Level.INFO,
              line.toString(java.nio.charset.StandardCharsets.UTF_8).stripTrailing());
          r.setLoggerName(logger);
          console.print(json.format(r));
          console.flush();
          line.reset();
        } else {
          line.write(b);
        }
      }
    }, true, java.nio.charset.StandardCharsets.UTF_8);
  }

  /** {@code 2026-11-30T02:41:07.123Z WARNING dev.stowaway.… message [request 1f…]}. */
  static final class Text extends Formatter {
    @Override
    public String format(LogRecord r) {
      StringBuilder line = new StringBuilder().append(Instant.ofEpochMilli(r.getMillis())).append(' ')
          .append(r.getLevel().getName()).append(' ').append(shortName(r.getLoggerName())).append(": ")
          .append(formatMessage(r));
      String requestId = RequestContext.requestId();
      if (requestId != null) {
        line.append(" [request ").append(requestId).append(']');
      }
      if (r.getThrown() != null) {
        line.append(" (").append(r.getThrown().getClass().getName()).append(')');
      }
      return line.append(System.lineSeparator()).toString();
    }
  }

  /** One JSON object per line. */
  static final class Json extends Formatter {
    private final JsonFactory factory = new JsonFactory();

    @Override
    public String format(LogRecord r) {
      StringWriter out = new StringWriter();
      try (JsonGenerator json = factory.createGenerator(out)) {
        json.writeStartObject();
        json.writeStringField("time", Instant.ofEpochMilli(r.getMillis()).toString());
        json.writeStringField("level", r.getLevel().getName());
        json.writeStringField("logger", r.getLoggerName());
        json.writeStringField("message", formatMessage(r));
        String requestId = RequestContext.requestId();
        if (requestId != null) {
          json.writeStringField("requestId", requestId);
        }
        if (r.getThrown() != null) {
          json.writeStringField("error", r.getThrown().getClass().getName());
        }
        json.writeEndObject();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return out.append(System.lineSeparator()).toString();
    }
  }

  private static String shortName(String logger) {
    if (logger == null) {
      return "";
    }
    return logger.startsWith("dev.stowaway.") ? logger.substring(logger.lastIndexOf('.') + 1) : logger;
  }
}
