package dev.stowaway.sidecar.localagent;

import dev.stowaway.sidecar.http.AwsError;
import dev.stowaway.vault.identity.Caller;
import java.util.Optional;
import java.util.function.Function;

/**
 * An agent token instead of a signature, on the AWS APIs and the change feed too: a request
 * without an {@code Authorization} header that carries {@code X-Aws-Parameters-Secrets-Token}
 * (or {@code X-Vault-Token}) acts as the token's IAM user. This is how Stowaway's own agent works
 * in a pod that holds a per-pod token and no AWS keys. As with AWS's agent, a request that a proxy
 * forwarded ({@code X-Forwarded-For}) may not use a token.
 */
public final class TokenAuthentication {

  private static final String[] TOKEN_HEADERS = {"x-aws-parameters-secrets-token", "x-vault-token"};

  private final AgentTokens tokens;
  private final TokenOwners owners;

  public TokenAuthentication(TokenOwners owners) {
    this.tokens = owners.tokens();
    this.owners = owners;
  }

  /** Whether the request authenticates with a token rather than a signature. */
  public static boolean usesToken(Function<String, String> header) {
    if (header.apply("authorization") != null) {
      return false;
    }
    for (String name : TOKEN_HEADERS) {
      if (header.apply(name) != null) {
        return true;
      }
    }
    return false;
  }

  /** A caller that proved itself with a token, and the token it matched. */
  public record Authenticated(Caller caller, AgentTokens.Entry token) {}

  /**
   * The caller the request's token stands for.
   *
   * @param header a request header by lower-case name
   * @throws AwsError when the token is unknown, revoked or its user is gone, or the request was
   *     forwarded; a 500 {@code InternalFailure} naming the file when the token file is damaged
   */
  public Caller caller(Function<String, String> header, String sourceIp) {
    return authenticate(header, sourceIp).caller();
  }

  /** As {@link #caller(Function, String)}, with the token matched, for a stream to recheck later. */
  public Authenticated authenticate(Function<String, String> header, String sourceIp) {
    if (header.apply("x-forwarded-for") != null) {
      throw AwsError.badRequest("AccessDeniedException",
          "A request forwarded by a proxy (X-Forwarded-For) cannot authenticate with an agent token.");
    }
    for (String name : TOKEN_HEADERS) {
      Optional<AgentTokens.Entry> entry = match(tokens, header.apply(name));
      Optional<Caller> caller = entry.flatMap(e -> owners.caller(e, sourceIp));
      if (caller.isPresent()) {
        return new Authenticated(caller.get(), entry.get());
      }
    }
    throw AwsError.badRequest("UnrecognizedClientException", "The agent token included in the request is invalid.");
  }

  /** Why a token matched earlier may not be used any more (revoked, its user gone), or empty while it may. */
  public Optional<String> whyUnusable(AgentTokens.Entry token) {
    if (!tokens.stillHolds(token)) {
      return Optional.of("The agent token was revoked.");
    }
    if (owners.caller(token, null).isEmpty()) {
      return Optional.of("The agent token's user no longer exists.");
    }
    return Optional.empty();
  }

  /** The token's entry; a damaged token file is an error on the wire (and so in the audit record), not a crash. */
  static Optional<AgentTokens.Entry> match(AgentTokens tokens, String presented) {
    try {
      return tokens.match(presented);
    } catch (DamagedTokenFileException e) {
      throw new AwsError(500, "InternalFailure", e.getMessage());
    }
  }
}
