package dev.stowaway.vault.policy;

public enum Effect {
  ALLOW,
  DENY
}
