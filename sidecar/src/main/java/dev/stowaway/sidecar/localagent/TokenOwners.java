package dev.stowaway.sidecar.localagent;

import dev.stowaway.vault.identity.Caller;
import dev.stowaway.vault.identity.IdentityService;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Who an agent token stands for. A token belongs to one IAM user by unique id ({@code AIDA…}), as
 * an access key does, never to a user name: once that user is deleted the token is dead for good,
 * even when a user of the same name is made again.
 *
 * <p>{@code stowaway token create} cannot see the vault (the sidecar holds it), so it writes the
 * user's name only; the sidecar binds the token the first time it sees it, to the user of that name
 * who already existed when the token was made, and writes the binding into the file. A user made
 * after the token is a later user and never gets it. Tokens written before bindings existed (no
 * {@code userId} in the file) are bound at start to the user who holds their name then, so they keep
 * working for a user that still exists. The token given at start ({@code --agent-token}) is bound to
 * its user on first use, for the life of the process.
 */
public final class TokenOwners {

  private static final Logger LOG = System.getLogger(TokenOwners.class.getName());

  private final AgentTokens tokens;
  private final IdentityService identity;
  private String configuredUserId;

  public TokenOwners(AgentTokens tokens, IdentityService identity) {
    this.tokens = tokens;
    this.identity = identity;
  }

  public AgentTokens tokens() {
    return tokens;
  }

  /**
   * Binds every token of the file written before tokens were bound by unique id, to the user who
   * holds its name now; a token whose user is gone is left to the rule for new tokens (only a user
   * that existed when it was made may have it), which no user made from now on can meet.
   */
  public void bindOldTokens() {
    List<String> orphans = new ArrayList<>();
    for (AgentTokens.Entry entry : tokens.list()) {
      if (entry.nameOnly()) {
        Optional<String> userId = identity.userId(entry.user());
        if (userId.isPresent()) {
          tokens.bind(entry.id(), userId.get());
        } else {
          orphans.add(entry.id());
        }
      }
    }
    if (!orphans.isEmpty()) {
      tokens.unbindByName(orphans);
      LOG.log(Level.WARNING, "agent token(s) " + String.join(", ", orphans) + " in " + tokens.file()
          + " stand for users who no longer exist; they stay refused, even for a new user of the same name");
    }
  }

  /** The caller a matched token stands for, or empty when its user is gone (or was never there). */
  public Optional<Caller> caller(AgentTokens.Entry entry, String sourceIp) {
    String userId = userIdOf(entry);
    return userId == null ? Optional.empty() : identity.callerForUser(entry.user(), userId, sourceIp);
  }

  private String userIdOf(AgentTokens.Entry entry) {
    if (entry.userId() != null) {
      return entry.userId();
    }
    if (entry.id().equals(AgentTokens.CONFIGURED)) {
      synchronized (this) {
        if (configuredUserId == null) {
          configuredUserId = identity.userId(entry.user()).orElse(null);
        }
        return configuredUserId;
      }
    }
    Optional<String> userId = entry.nameOnly() ? identity.userId(entry.user())
        : identity.userIdAsOf(entry.user(), entry.created());
    userId.ifPresent(id -> tokens.bind(entry.id(), id));
    return userId.orElse(null);
  }
}
