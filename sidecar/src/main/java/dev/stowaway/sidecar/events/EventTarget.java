package dev.stowaway.sidecar.events;

import dev.stowaway.sidecar.config.Destinations;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Where a rule sends a matched event. Each delivery either completes or throws; the caller
 * decides about retries. None of them is ever called on a request's thread.
 */
sealed interface EventTarget permits EventTarget.Webhook, EventTarget.JsonLinesFile, EventTarget.Command {

  /** The kind, for metrics: webhook, file or command. */
  String kind();

  void deliver(byte[] event) throws IOException;

  /** The target an ARN names, with files and commands confined to the data directory. */
  static EventTarget of(String arn, Path dataDir, HttpClient http, Duration timeout) {
    if (arn.startsWith("http://") || arn.startsWith("https://")) {
      return new Webhook(URI.create(arn), http, timeout);
    }
    if (arn.startsWith("file:")) {
      return new JsonLinesFile(dataDir.resolve("events").resolve(arn.substring("file:".length())));
    }
    if (arn.startsWith("command:")) {
      return new Command(dataDir.resolve("hooks").resolve(arn.substring("command:".length())), timeout);
    }
    throw new IllegalArgumentException("not a target: " + arn);
  }

  /** POSTs the event as JSON; any 2xx is delivered, anything else is a failure to retry. */
  record Webhook(URI uri, HttpClient http, Duration timeout) implements EventTarget {
    @Override
    public String kind() {
      return "webhook";
    }

    @Override
    public void deliver(byte[] event) throws IOException {
      HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout)
          .header("Content-Type", "application/json")
          .header("User-Agent", "stowaway-events")
          .POST(HttpRequest.BodyPublishers.ofByteArray(event)).build();
      HttpResponse<Void> response;
      try {
        response = http.send(request, HttpResponse.BodyHandlers.discarding());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
      if (response.statusCode() / 100 != 2) {
        throw new IOException(Destinations.shown(uri) + " answered " + response.statusCode());
      }
    }
  }

  /** Appends the event as one line to a file under {@code DIR/events/}, private to the vault's user. */
  record JsonLinesFile(Path file) implements EventTarget {
    @Override
    public String kind() {
      return "file";
    }

    @Override
    public void deliver(byte[] event) throws IOException {
      Files.createDirectories(file.getParent(), PosixFilePermissions.asFileAttribute(
          PosixFilePermissions.fromString("rwx------")));
      byte[] line = new byte[event.length + 1];
      System.arraycopy(event, 0, line, 0, event.length);
      line[event.length] = '\n';
      synchronized (JsonLinesFile.class) {
        try (var channel = java.nio.channels.FileChannel.open(file, Set.of(StandardOpenOption.CREATE,
            StandardOpenOption.WRITE, StandardOpenOption.APPEND),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
          channel.write(java.nio.ByteBuffer.wrap(line));
        }
      }
    }
  }

  /** Runs an executable under {@code DIR/hooks/} with the event on stdin; exit 0 is delivered. */
  record Command(Path executable, Duration timeout) implements EventTarget {
    @Override
    public String kind() {
      return "command";
    }

    @Override
    public void deliver(byte[] event) throws IOException {
      if (!Files.isExecutable(executable)) {
        throw new IOException(executable + " is not an executable file");
      }
      Process process = new ProcessBuilder(executable.toString())
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(ProcessBuilder.Redirect.DISCARD)
          .start();
      try (var stdin = process.getOutputStream()) {
        stdin.write(event);
      } catch (IOException e) {
        // The command may exit without reading its input; its exit status decides.
      }
      try {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          process.destroyForcibly();
          throw new IOException(executable + " did not finish within " + timeout.toSeconds() + " s");
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
      if (process.exitValue() != 0) {
        throw new IOException(executable + " exited with " + process.exitValue());
      }
    }
  }
}
