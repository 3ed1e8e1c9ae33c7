package dev.stowaway.vault.identity;

/**
 * Who is asking, and from where: what authorization and the request context need. {@link #SYSTEM}
 * is the vault itself (its sweeper, its start-up), which policies do not govern.
 */
public record Caller(String userName, String userId, String arn, String accessKeyId, String sourceIp,
    boolean secureTransport) {

  public static final Caller SYSTEM = new Caller(null, null, null, null, null, true);

  public boolean isSystem() {
    return arn == null;
  }
}
