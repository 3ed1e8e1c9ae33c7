package dev.stowaway.sidecar.config;

import dev.stowaway.sidecar.audit.AuditTrail;
import dev.stowaway.vault.Vault;
import dev.stowaway.vault.audit.AuditLog;
import dev.stowaway.vault.audit.AuditLogDamagedException;
import dev.stowaway.vault.identity.NewAccessKey;
import dev.stowaway.vault.kms.RootKey;
import dev.stowaway.vault.kms.RootKeyMismatchException;
import dev.stowaway.vault.store.StoreException;
import dev.stowaway.sidecar.store.PostgresSecretStore;
import dev.stowaway.vault.store.SecretStore;
import dev.stowaway.vault.store.mapdb.MapDbSecretStore;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The data directory: {@code root.key} (or a passphrase and {@code root.salt}), {@code vault.db},
 * {@code audit/} and, on first start, {@code admin-credentials}. Initialises an empty directory
 * and says what it created; refuses a directory it cannot trust, saying why.
 */
public final class DataDirectory {

  private static final System.Logger LOG = System.getLogger(DataDirectory.class.getName());

  public static final String ROOT_KEY = "root.key";
  public static final String ROOT_SALT = "root.salt";
  public static final String STORE = "vault.db";
  public static final String AUDIT = "audit";
  public static final String ADMIN_CREDENTIALS = "admin-credentials";
  public static final String ADMIN_USER = "admin";
  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");

  private final Path dir;
  /** What the vault is stored in, for messages: the MapDB file or the database URL. */
  private String storeName;

  public DataDirectory(Path dir) {
    this.dir = dir;
  }

  public Path path() {
    return dir;
  }

  /**
   * Opens the vault in this directory, creating what is missing on first start.
   *
   * @param passphrase {@code STOWAWAY_ROOT_PASSPHRASE}, or null to use {@code root.key}
   * @param created receives the names of the files this call created
   */
  /** The vault and its audit log, opened together because both need the root key. */
  public record Opened(Vault vault, AuditLog audit, SecretStore store) {}

  public Opened open(char[] passphrase, ServerConfig config, Clock clock, SecureRandom random, List<String> created) {
    return open(passphrase, config, clock, random, created, AuditLog.Settings.defaults());
  }

  public Opened open(char[] passphrase, ServerConfig config, Clock clock, SecureRandom random, List<String> created,
      AuditLog.Settings auditSettings) {
    try {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
      makeOwnerOnly().forEach(line -> LOG.log(System.Logger.Level.WARNING, line));
      SecretStore shared = null;
      boolean fresh;
      if (config.store().postgresql()) {
        // Many sidecars share this store: it is new only if no sidecar has made a vault in it yet.
        try {
          shared = PostgresSecretStore.open(config.store().url(), config.store().user(), config.store().password());
        } catch (StoreException e) {
          throw new ConfigException(e.getMessage());
        }
        fresh = shared.read(view -> view.kmsKeys().isEmpty());
        storeName = config.store().url();
      } else {
        fresh = !Files.exists(dir.resolve(STORE));
        storeName = dir.resolve(STORE).toString();
      }
      if (!Files.exists(dir.resolve(ROOT_KEY)) && !Files.exists(dir.resolve(ROOT_SALT))) {
        Files.setPosixFilePermissions(dir, OWNER_ONLY_DIR);
      }
      RootKey rootKey;
      try {
        rootKey = passphrase != null ? derivedRootKey(passphrase, fresh, random, created)
            : fileRootKey(fresh, random, created);
      } catch (RuntimeException | IOException e) {
        if (shared != null) {
          shared.close();
        }
        throw e;
      }
      Path audit = dir.resolve(AUDIT);
      // An existing vault without its audit history means the history was deleted. With a shared
      // store a new sidecar starts its own stream, so only a directory left in place says so.
      boolean logExpected = config.store().postgresql() ? Files.isDirectory(audit) : !fresh;
      if (!Files.isDirectory(audit)) {
        Files.createDirectory(audit, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
        created.add(AUDIT + "/");
      }
      SecretStore store;
      if (shared != null) {
        store = shared;
      } else {
        try {
          store = MapDbSecretStore.open(dir.resolve(STORE));
        } catch (StoreException e) {
          rootKey.close();
          throw new ConfigException(e.getMessage());
        }
        if (fresh) {
          created.add(STORE);
        }
      }
      Vault vault;
      try {
        vault = Vault.open(store, rootKey, clock, random, config.region(), config.account(),
            config.guessLimits().mfa());
      } catch (RootKeyMismatchException e) {
        store.close();
        rootKey.close();
        throw new ConfigException(e.getMessage() + " in " + storeName);
      }
      AuditLog auditLog;
      try {
        boolean signingKeyExisted = Files.exists(audit.resolve("signing-key.sealed"));
        auditLog = AuditLog.open(audit, rootKey, clock, random, auditSettings, logExpected,
            AuditTrail.incidentRecords(config.region(), config.account()));
        if (!signingKeyExisted) {
          created.add(AUDIT + "/signing-key.sealed");
        }
      } catch (RootKeyMismatchException | AuditLogDamagedException e) {
        vault.close();
        throw new ConfigException(e.getMessage() + " in " + audit);
      } catch (IOException | RuntimeException e) {
        vault.close();
        throw e;
      }
      if (fresh) {
        vault.identity().ensureAdministrator(ADMIN_USER);
        writeAdminCredentials(vault.accessKeys().create(ADMIN_USER), config.region());
        created.add(ADMIN_CREDENTIALS);
      }
      return new Opened(vault, auditLog, store);
    } catch (IOException e) {
      throw new ConfigException("cannot use data directory " + dir + ": " + e);
    }
  }

  /** The root key of a vault this directory already holds, for tools that open it offline. */
  public RootKey existingRootKey(char[] passphrase) {
    storeName = dir.resolve(STORE).toString();
    try {
      return passphrase != null ? derivedRootKey(passphrase, false, null, new ArrayList<>())
          : fileRootKey(false, null, new ArrayList<>());
    } catch (IOException e) {
      throw new ConfigException("cannot read the root key in " + dir + ": " + e.getMessage());
    }
  }

  private RootKey fileRootKey(boolean fresh, SecureRandom random, List<String> created) throws IOException {
    Path file = dir.resolve(ROOT_KEY);
    if (Files.exists(file)) {
      byte[] bytes = Files.readAllBytes(file);
      try {
        if (bytes.length != RootKey.BYTES) {
          throw new ConfigException(file + " must hold exactly " + RootKey.BYTES + " bytes, it holds " + bytes.length);
        }
        return RootKey.of(bytes);
      } finally {
        Arrays.fill(bytes, (byte) 0);
      }
    }
    if (!fresh) {
      throw new ConfigException(file + " is missing, but the vault in " + storeName + " exists: restore the root key "
          + "that encrypted this vault (every sidecar sharing a store needs the same one), or set "
          + "STOWAWAY_ROOT_PASSPHRASE if it was derived from one");
    }
    RootKey key = RootKey.generate(random);
    byte[] bytes = key.exportBytes();
    try {
      writeOwnerOnly(file, bytes);
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
    created.add(ROOT_KEY);
    return key;
  }

  private RootKey derivedRootKey(char[] passphrase, boolean fresh, SecureRandom random, List<String> created)
      throws IOException {
    Path saltFile = dir.resolve(ROOT_SALT);
    byte[] salt;
    if (Files.exists(saltFile)) {
      salt = Files.readAllBytes(saltFile);
    } else if (fresh) {
      salt = new byte[16];
      random.nextBytes(salt);
      writeOwnerOnly(saltFile, salt);
      created.add(ROOT_SALT);
    } else {
      throw new ConfigException(saltFile + " is missing, so the root key cannot be derived from the passphrase");
    }
    return RootKey.derive(passphrase, salt);
  }

  private void writeAdminCredentials(NewAccessKey key, String region) throws IOException {
    String text = "# Stowaway bootstrap administrator. Keep this file private (mode 0600).\n"
        + "[default]\n"
        + "aws_access_key_id = " + key.accessKeyId() + "\n"
        + "aws_secret_access_key = " + key.secretAccessKey() + "\n"
        + "region = " + region + "\n";
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    try {
      writeOwnerOnly(dir.resolve(ADMIN_CREDENTIALS), bytes);
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  /** Writes a new file that is 0600 from its first byte, then moves it into place atomically. */
  private static void writeOwnerOnly(Path file, byte[] bytes) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    try {
      Files.createFile(tmp, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
    } catch (FileAlreadyExistsException e) {
      throw new ConfigException("cannot create " + tmp + ": it already exists");
    }
    Files.write(tmp, bytes);
    try (var channel = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
      channel.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * Makes the directory and everything in it its owner's alone (directories 0700, files 0600),
   * whoever made them and with whatever umask: a directory made beforehand (a mounted volume), files
   * an older version left readable, a copy. Returns one line per entry it tightened.
   *
   * @throws ConfigException naming the entry and why, when one cannot be tightened
   */
  public List<String> makeOwnerOnly() {
    try {
      return new OwnerOnlyModes().enforce(dir).stream()
          .map(t -> t + " (the data directory is for the sidecar's user alone)").toList();
    } catch (IOException e) {
      throw new ConfigException("cannot check the modes of the files in " + dir + ": " + e);
    }
  }

  /** Files this directory holds whose mode lets others read them; reported as a warning. */
  public List<String> looseFiles() throws IOException {
    List<String> loose = new ArrayList<>();
    for (String name : List.of(ROOT_KEY, ROOT_SALT, ADMIN_CREDENTIALS)) {
      Path file = dir.resolve(name);
      if (Files.exists(file) && !OWNER_ONLY.containsAll(Files.getPosixFilePermissions(file))) {
        loose.add(name);
      }
    }
    return loose;
  }
}
