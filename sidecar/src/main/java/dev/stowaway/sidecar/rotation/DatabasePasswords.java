package dev.stowaway.sidecar.rotation;

import dev.stowaway.vault.secrets.PasswordGenerator;
import dev.stowaway.vault.secrets.PasswordSpec;

/**
 * New database passwords: 32 characters without the ones AWS's rotation functions leave out
 * because connection strings and SQL quoting trip on them.
 */
final class DatabasePasswords {

  private static final PasswordSpec SPEC = new PasswordSpec(32L, "/@\"'\\:;%`$&", null, null, null, null, false,
      true);
  private final PasswordGenerator generator;

  DatabasePasswords(PasswordGenerator generator) {
    this.generator = generator;
  }

  String next() {
    return generator.generate(SPEC);
  }
}
