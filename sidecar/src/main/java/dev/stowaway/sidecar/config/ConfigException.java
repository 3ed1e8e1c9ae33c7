package dev.stowaway.sidecar.config;

/** A setting or a data directory the sidecar cannot start with; the message says which. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message, null, false, false);
  }
}
