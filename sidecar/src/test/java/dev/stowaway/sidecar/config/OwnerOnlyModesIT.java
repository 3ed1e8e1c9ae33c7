package dev.stowaway.sidecar.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stowaway.sidecar.testing.RunningSidecar;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17, finding 6: a data directory made beforehand with 0755, and files an older version left
 * 0644 (vault.db, vault.db.journal) or 0755 (audit/digests), are made owner-only when the sidecar
 * starts; one that cannot be tightened stops the start.
 */
class OwnerOnlyModesIT {

  @TempDir Path root;

  private static String mode(Path path) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }

  private static void chmod(Path path, String mode) throws IOException {
    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(mode));
  }

  @Test
  void aDataDirectoryMadeBeforehandWith0755IsTightenedAtStart() throws IOException {
    Path dir = Files.createDirectory(root.resolve("data"));
    chmod(dir, "rwxr-xr-x");
    Path stray = Files.writeString(dir.resolve("notes.txt"), "put here by hand");
    chmod(stray, "rw-r--r--");
    try (RunningSidecar sidecar = RunningSidecar.in(dir)) {
      assertEquals("rwx------", mode(dir));
      assertEquals("rw-------", mode(stray));
    }
  }

  @Test
  void filesAnOlderVersionLeftReadableByOthersAreTightenedAtTheNextStart() throws IOException {
    Path dir = root.resolve("data");
    RunningSidecar.in(dir).close();
    chmod(dir, "rwxr-xr-x");
    chmod(dir.resolve("vault.db"), "rw-r--r--");
    chmod(dir.resolve("vault.db.journal"), "rw-r--r--");
    chmod(dir.resolve("audit/digests"), "rwxr-xr-x");
    List<OwnerOnlyModes.Tightened> tightened = new OwnerOnlyModes().enforce(dir);
    assertEquals(List.of(
            "tightened " + dir + " from 0755 to 0700",
            "tightened " + dir.resolve("audit/digests") + " from 0755 to 0700",
            "tightened " + dir.resolve("vault.db") + " from 0644 to 0600",
            "tightened " + dir.resolve("vault.db.journal") + " from 0644 to 0600"),
        tightened.stream().map(Object::toString).sorted().toList());
    chmod(dir.resolve("vault.db"), "rw-rw-rw-");
    try (RunningSidecar sidecar = RunningSidecar.in(dir)) {
      assertEquals("rw-------", mode(dir.resolve("vault.db")));
    }
  }

  @Test
  void anEntryThatCannotBeTightenedStopsTheStartAndSaysWhy() throws IOException {
    Path dir = Files.createDirectory(root.resolve("data"));
    Path loose = Files.writeString(dir.resolve("root.key"), "x".repeat(32));
    chmod(loose, "rw-r--r--");
    // as a file another user owns, or a read-only mount, answers
    OwnerOnlyModes refusing = new OwnerOnlyModes((path, mode) -> {
      throw new AccessDeniedException(path.toString(), null, "Operation not permitted");
    });
    ConfigException e = assertThrows(ConfigException.class, () -> refusing.enforce(loose));
    assertTrue(e.getMessage().startsWith(loose + " is 0644 (owner "), e.getMessage());
    assertTrue(e.getMessage().contains("cannot make it 0600 (AccessDeniedException: " + loose
        + ": Operation not permitted). The data directory must be the sidecar's alone: make it owned by the "
        + "sidecar's user, or give --data-dir a directory inside it that the sidecar creates"), e.getMessage());
  }

  @Test
  void symbolicLinksAreNotFollowed() throws IOException {
    Path outside = Files.writeString(root.resolve("outside.txt"), "not the sidecar's");
    chmod(outside, "rw-r--r--");
    Path dir = Files.createDirectory(root.resolve("data"));
    chmod(dir, "rwx------");
    Files.createSymbolicLink(dir.resolve("link"), outside);
    assertEquals(List.of(), new OwnerOnlyModes().enforce(dir));
    assertEquals("rw-r--r--", mode(outside));
  }
}
