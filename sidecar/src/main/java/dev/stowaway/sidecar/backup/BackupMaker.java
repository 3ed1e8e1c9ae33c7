package dev.stowaway.sidecar.backup;

import dev.stowaway.vault.kms.RootKey;
import dev.stowaway.vault.store.SecretStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;

/** Makes backups of a serving sidecar's vault, for {@code CreateBackup}. */
public final class BackupMaker {

  /** A backup made, ready to send. */
  public record Made(VaultBackup.Manifest manifest, byte[] bytes) {}

  private final SecretStore store;
  private final RootKey rootKey;
  private final SecureRandom random;
  private final Clock clock;
  private final Path scratchDir;

  public BackupMaker(SecretStore store, RootKey rootKey, SecureRandom random, Clock clock, Path scratchDir) {
    this.store = store;
    this.rootKey = rootKey;
    this.random = random;
    this.clock = clock;
    this.scratchDir = scratchDir;
  }

  public Made make() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      VaultBackup.Manifest manifest = VaultBackup.write(store, rootKey, random, clock.instant(), scratchDir, out);
      return new Made(manifest, out.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the backup's snapshot in " + scratchDir, e);
    }
  }
}
