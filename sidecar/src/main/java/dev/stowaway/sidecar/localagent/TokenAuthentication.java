package dev.stowaway.sidecar.localagent;

import dev.stowaway.sidecar.http.AwsError;
import dev.stowaway.vault.identity.Caller;
import dev.stowaway.vault.identity.IdentityService;
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
  private final IdentityService identity;

  public TokenAuthentication(AgentTokens tokens, IdentityService identity) {
    this.tokens = tokens;
    this.identity = identity;
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

  /**
   * The caller the request's token stands for.
   *
   * @param header a request header by lower-case name
   * @throws AwsError when the token is unknown, revoked or its user is gone, or the request was
   *     forwarded; a 500 {@code InternalFailure} naming the file when the token file is damaged
   */
  public Caller caller(Function<String, String> header, String sourceIp) {
    if (header.apply("x-forwarded-for") != null) {
      throw AwsError.badRequest("AccessDeniedException",
          "A request forwarded by a proxy (X-Forwarded-For) cannot authenticate with an agent token.");
    }
    for (String name : TOKEN_HEADERS) {
      Optional<Caller> caller = match(tokens, header.apply(name))
          .flatMap(entry -> identity.callerForUser(entry.user(), sourceIp));
      if (caller.isPresent()) {
        return caller.get();
      }
    }
    throw AwsError.badRequest("UnrecognizedClientException", "The agent token included in the request is invalid.");
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
