package dev.stowaway.sidecar.config;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The data directory belongs to the sidecar's user alone: the directory and every directory under
 * it 0700, every file 0600 (owner bits kept, group and other bits taken away). Whatever is looser
 * (a directory made beforehand with 0755, files written by an older version, a copy made with
 * another umask) is tightened; what cannot be tightened (owned by another user, a read-only mount)
 * stops the start, saying why. Symbolic links are not followed: their own mode means nothing, and
 * where they lead is not the data directory.
 */
final class OwnerOnlyModes {

  private static final Set<PosixFilePermission> NOT_OWNER = EnumSet.of(
      PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
      PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

  /** One entry made owner-only: where, and its mode before and after. */
  record Tightened(Path path, String from, String to) {
    @Override
    public String toString() {
      return "tightened " + path + " from " + from + " to " + to;
    }
  }

  /** How a mode is changed; tests put a file system in its place that refuses. */
  interface Chmod {
    void set(Path path, Set<PosixFilePermission> permissions) throws IOException;
  }

  private final Chmod chmod;

  OwnerOnlyModes() {
    this(Files::setPosixFilePermissions);
  }

  OwnerOnlyModes(Chmod chmod) {
    this.chmod = chmod;
  }

  /**
   * Makes {@code dir} and everything under it owner-only; returns what it changed.
   *
   * @throws ConfigException naming the entry, its mode and owner, when one cannot be tightened
   */
  List<Tightened> enforce(Path dir) throws IOException {
    List<Tightened> changed = new ArrayList<>();
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
        tighten(d, changed);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        if (!attrs.isSymbolicLink()) {
          tighten(file, changed);
        }
        return FileVisitResult.CONTINUE;
      }
    });
    return changed;
  }

  private void tighten(Path path, List<Tightened> changed) throws IOException {
    PosixFileAttributes attrs = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    Set<PosixFilePermission> mode = attrs.permissions();
    if (mode.stream().noneMatch(NOT_OWNER::contains)) {
      return;
    }
    Set<PosixFilePermission> ownerOnly = EnumSet.noneOf(PosixFilePermission.class);
    mode.stream().filter(p -> !NOT_OWNER.contains(p)).forEach(ownerOnly::add);
    try {
      chmod.set(path, ownerOnly);
    } catch (IOException | UnsupportedOperationException e) {
      throw new ConfigException(path + " is " + octal(mode) + " (owner " + attrs.owner().getName() + ", group "
          + attrs.group().getName() + "): others than its owner may use it, and the sidecar (user "
          + System.getProperty("user.name") + ") cannot make it " + octal(ownerOnly) + " (" + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "). The data directory must be the sidecar's "
          + "alone: make it owned by the sidecar's user, or give --data-dir a directory inside it that the sidecar "
          + "creates");
    }
    changed.add(new Tightened(path, octal(mode), octal(ownerOnly)));
  }

  /** {@code 0755} for rwxr-xr-x. */
  static String octal(Set<PosixFilePermission> mode) {
    int bits = 0;
    for (PosixFilePermission p : mode) {
      bits |= 1 << (8 - p.ordinal());
    }
    return String.format("0%o", bits);
  }
}
