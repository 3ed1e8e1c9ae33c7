package dev.stowaway.sidecar.cli;

import dev.stowaway.sidecar.backup.BackupException;
import dev.stowaway.sidecar.backup.VaultBackup;
import dev.stowaway.sidecar.config.DataDirectory;
import dev.stowaway.sidecar.config.ServerConfig;
import dev.stowaway.sidecar.store.PostgresSecretStore;
import dev.stowaway.sidecar.store.StoreCopy;
import dev.stowaway.vault.kms.RootKey;
import dev.stowaway.vault.store.SecretStore;
import dev.stowaway.vault.store.StoreException;
import dev.stowaway.vault.store.mapdb.MapDbSecretStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@code stowaway restore --from FILE --data-dir DIR [--store postgresql --store-url URL]}: opens a
 * backup with DIR's root key into a vault-less DIR (or an empty PostgreSQL store) while no sidecar
 * runs on it, then checks the counts and that sampled secrets decrypt the same.
 */
final class RestoreCommand {

  static final String USAGE = "usage: stowaway restore --from FILE --data-dir DIR "
      + "[--store postgresql --store-url URL [--store-credentials-file F]]\n";

  private RestoreCommand() {}

  static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    Path from = null;
    List<String> rest = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--from") && i + 1 < args.length) {
        from = Path.of(args[++i]).toAbsolutePath().normalize();
      } else {
        rest.add(args[i]);
      }
    }
    if (from == null || !rest.contains("--data-dir")) {
      err.print(USAGE);
      return 2;
    }
    ServerConfig config = ServerConfig.parse(rest.toArray(String[]::new), env);
    Path dir = config.dataDir();
    Path storeFile = dir.resolve(DataDirectory.STORE);
    Path existing = Files.exists(storeFile) ? storeFile : storeFile.resolveSibling(DataDirectory.STORE + ".journal");
    if (!config.store().postgresql() && Files.exists(existing)) {
      err.println("stowaway: " + existing + " exists: restore into a data directory without a vault "
          + "(stop its sidecar and move vault.db and vault.db.journal away first)");
      return 2;
    }
    String passphraseValue = env.get("STOWAWAY_ROOT_PASSPHRASE");
    char[] passphrase = passphraseValue == null || passphraseValue.isEmpty() ? null : passphraseValue.toCharArray();
    Path scratch = dir.resolve(".restore-" + UUID.randomUUID() + ".db");
    try {
      new DataDirectory(dir).makeOwnerOnly().forEach(line -> out.println("stowaway: " + line));
      VaultBackup.Manifest manifest;
      try (RootKey rootKey = new DataDirectory(dir).existingRootKey(passphrase);
           InputStream in = Files.newInputStream(from)) {
        out.println("stowaway: opening " + from + " with the root key of " + dir);
        manifest = VaultBackup.read(in, rootKey, scratch);
      }
      out.println("stowaway: the backup was made " + manifest.created() + " and holds " + manifest.counts());
      try (MapDbSecretStore backup = MapDbSecretStore.open(scratch);
           SecretStore target = config.store().postgresql()
               ? PostgresSecretStore.open(config.store().url(), config.store().user(), config.store().password())
               : MapDbSecretStore.open(storeFile)) {
        if (!backup.read(StoreCopy::count).equals(manifest.counts())) {
          err.println("stowaway: the backup's records do not match its manifest; nothing was restored");
          return 1;
        }
        out.println("stowaway: restoring into " + (config.store().postgresql() ? config.store().url() : storeFile));
        Map<String, Integer> copied = StoreCopy.copy(backup, target, out);
        if (!target.read(StoreCopy::count).equals(copied)) {
          err.println("stowaway: the restored store does not hold what was copied");
          return 1;
        }
        int sampled = CopyCheck.sampleDecryptsTheSame(backup, target, config, passphrase);
        out.println("stowaway: restored: every count matches the backup, and " + sampled
            + " sampled secret(s) decrypt the same; start the sidecar on " + dir);
        return 0;
      }
    } catch (BackupException e) {
      err.println("stowaway: cannot restore " + from + ": " + e.getMessage() + "; nothing was restored");
      return 1;
    } catch (IllegalStateException | StoreException e) {
      err.println("stowaway: " + e.getMessage());
      return 1;
    } catch (IOException e) {
      err.println("stowaway: cannot read " + from + " (" + e.getClass().getSimpleName() + ")");
      return 1;
    } finally {
      if (passphrase != null) {
        Arrays.fill(passphrase, '\0');
      }
      try (var siblings = Files.list(dir)) {
        for (Path p : siblings.filter(p -> p.getFileName().toString().startsWith(scratch.getFileName().toString()))
            .toList()) {
          Files.deleteIfExists(p);
        }
      } catch (IOException e) {
        err.println("stowaway: WARNING cannot remove " + scratch + " (" + e.getClass().getSimpleName() + ")");
      }
    }
  }
}
