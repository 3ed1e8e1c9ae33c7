package dev.stowaway.sidecar.cli;

import dev.stowaway.sidecar.config.DataDirectory;
import dev.stowaway.sidecar.config.ServerConfig;
import dev.stowaway.vault.Vault;
import dev.stowaway.vault.secrets.SecretValue;
import dev.stowaway.vault.store.SecretRecord;
import dev.stowaway.vault.store.SecretStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Arrays;

/** After a store was copied (migrate, restore): do sampled secrets decrypt the same from both? */
final class CopyCheck {

  static final int SAMPLE = 10;

  private CopyCheck() {}

  /**
   * Decrypts the current value of up to {@value #SAMPLE} live secrets through both stores with the
   * data directory's root key and compares them; returns how many were compared.
   *
   * @throws IllegalStateException naming the first secret that differs
   */
  static int sampleDecryptsTheSame(SecretStore from, SecretStore to, ServerConfig config, char[] passphrase) {
    int sampled = 0;
    try (var fromKey = new DataDirectory(config.dataDir()).existingRootKey(passphrase);
         var toKey = new DataDirectory(config.dataDir()).existingRootKey(passphrase)) {
      SecureRandom random = new SecureRandom();
      Vault source = Vault.open(from, fromKey, Clock.systemUTC(), random, config.region(), config.account());
      Vault target = Vault.open(to, toKey, Clock.systemUTC(), random, config.region(), config.account());
      for (SecretRecord secret : from.read(view -> view.secrets()).stream().filter(s -> s.deletedDate() == null)
          .filter(s -> !s.versions().isEmpty()).limit(SAMPLE).toList()) {
        try (SecretValue a = source.secrets().getValue(secret.arn(), null, null).value();
             SecretValue b = target.secrets().getValue(secret.arn(), null, null).value()) {
          byte[] x = bytes(a);
          byte[] y = bytes(b);
          boolean same = MessageDigest.isEqual(x, y);
          Arrays.fill(x, (byte) 0);
          Arrays.fill(y, (byte) 0);
          if (!same) {
            throw new IllegalStateException(secret.name() + " does not decrypt the same from the copy");
          }
        }
        sampled++;
      }
    }
    return sampled;
  }

  private static byte[] bytes(SecretValue value) {
    return value.isBinary() ? value.asBinary() : value.asString().getBytes(StandardCharsets.UTF_8);
  }
}
