package dev.stowaway.vault.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Takes write permission away from a directory and the files in it, and gives it back. Root
 * ignores mode bits, so as root this sets the immutable attribute ({@code chattr +i}), which
 * stops even writes through descriptors that are already open, as a lost disk or mount would.
 */
public final class Unwritable implements AutoCloseable {

  private static final boolean ROOT = "root".equals(System.getProperty("user.name"));
  private final List<Path> changed = new ArrayList<>();

  private Unwritable() {}

  public static Unwritable make(Path dir) throws IOException {
    Unwritable u = new Unwritable();
    List<Path> paths = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      files.filter(Files::isRegularFile).forEach(paths::add);
    }
    paths.add(dir);
    for (Path path : paths) {
      u.lock(path);
    }
    return u;
  }

  private void lock(Path path) throws IOException {
    if (ROOT) {
      run("chattr", "+i", path.toString());
    } else {
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(Files.isDirectory(path) ? "r-x------" : "r--------"));
    }
    changed.add(path);
  }

  @Override
  public void close() throws IOException {
    for (Path path : changed) {
      if (ROOT) {
        run("chattr", "-i", path.toString());
      } else {
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(Files.isDirectory(path) ? "rwx------" : "rw-------"));
      }
    }
    changed.clear();
  }

  private static void run(String... command) throws IOException {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes());
      if (process.waitFor() != 0) {
        throw new IOException(String.join(" ", command) + " failed: " + output.strip());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }
}
