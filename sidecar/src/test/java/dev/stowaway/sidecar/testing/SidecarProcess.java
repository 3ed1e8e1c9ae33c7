package dev.stowaway.sidecar.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The sidecar as users run it: {@code java -jar stowaway-sidecar.jar server …} in a child
 * process on a free port. Its whole output is kept for inspection.
 */
public final class SidecarProcess implements AutoCloseable {

  private static final Pattern SERVING = Pattern.compile("serving the AWS Secrets Manager API at (http://\\S+)");
  private static final String EXITED = "\u0000exited";

  private final Process process;
  private final StringBuffer output = new StringBuffer();
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final Thread reader;
  private URI endpoint;

  private SidecarProcess(Process process) {
    this.process = process;
    this.reader = new Thread(this::pump, "sidecar-output");
    reader.setDaemon(true);
    reader.start();
  }

  public static Path jar() {
    String jar = System.getProperty("stowaway.sidecar.jar");
    if (jar == null || !Files.exists(Path.of(jar))) {
      throw new IllegalStateException("the shaded sidecar jar is missing (" + jar + "): run 'mvn verify', which "
          + "packages it before the integration tests");
    }
    return Path.of(jar);
  }

  /** Launches the sidecar; call {@link #awaitServing()} or {@link #awaitExit()} next. */
  public static SidecarProcess launch(Path dataDir, Map<String, String> env, String... extraArgs) {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-jar", jar().toString(),
        "server", "--data-dir", dataDir.toString(), "--port", "0"));
    command.addAll(List.of(extraArgs));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().keySet().removeIf(k -> k.startsWith("STOWAWAY_"));
    builder.environment().putAll(env);
    try {
      return new SidecarProcess(builder.start());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static SidecarProcess start(Path dataDir) {
    return launch(dataDir, Map.of()).awaitServing();
  }

  /** Waits for the start-up banner to end; fails with the output if the process dies first. */
  public SidecarProcess awaitServing() {
    if (!awaitServingOrExit()) {
      throw new IllegalStateException("sidecar did not start; output:\n" + output);
    }
    return this;
  }

  /** Waits for the banner (true) or for the process to end without one (false). */
  public boolean awaitServingOrExit() {
    try {
      while (true) {
        String line = lines.poll(60, TimeUnit.SECONDS);
        if (line == null) {
          throw new IllegalStateException("sidecar neither started nor exited in 60 s; output:\n" + output);
        }
        if (line.equals(EXITED)) {
          return false;
        }
        Matcher m = SERVING.matcher(line);
        if (m.find()) {
          endpoint = URI.create(m.group(1));
        }
        if (endpoint != null && line.contains("secretsmanager list-secrets")) {
          return true; // the banner's last line: everything start-up prints is in output()
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public int awaitExit() {
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("sidecar did not exit; output:\n" + output);
      }
      reader.join(10_000);
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public URI endpoint() {
    return endpoint;
  }

  /** SIGTERM, as an orchestrator sends it; returns the exit code. */
  public int terminate() {
    // Through the handle: Process.destroy() would also close our end of its output streams.
    process.toHandle().destroy();
    return awaitExit();
  }

  /** SIGKILL: no shutdown hook, no store close, as in a crash. */
  public int kill() {
    process.toHandle().destroyForcibly();
    return awaitExit();
  }

  public String output() {
    return output.toString();
  }

  private void pump() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        output.append(line).append('\n');
        lines.add(line);
      }
    } catch (IOException e) {
      output.append("[output read failed: ").append(e).append("]\n");
    } finally {
      lines.add(EXITED);
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }
}
