package dev.stowaway.vault.secrets;

import java.util.List;

/** BatchGetSecretValue's answer: the values found and, per secret id, what went wrong. */
public record BatchResult(List<RetrievedSecret> values, List<Failure> errors, String nextToken) {

  public record Failure(String secretId, dev.stowaway.vault.VaultError error, String message) {}
}
