package dev.stowaway.sidecar.iamquery;

import dev.stowaway.vault.identity.AssumedRole;
import dev.stowaway.vault.identity.NewSession;
import dev.stowaway.vault.identity.RoleSessions;
import dev.stowaway.vault.identity.SessionTokens;
import java.util.Map;

/** The STS Query actions ({@code Version=2011-06-15}): GetCallerIdentity, GetSessionToken, AssumeRole. */
final class StsApi implements QueryApi {

  private final Map<String, Action> actions;

  StsApi(SessionTokens sessions, RoleSessions roleSessions) {
    actions = Map.of(
        "AssumeRole", (in, caller, xml) -> {
          AssumedRole assumed = roleSessions.assumeRole(caller, in.required("RoleArn"), in.required("RoleSessionName"),
              in.integer("DurationSeconds"), in.get("ExternalId"), in.get("Policy"), in.get("SerialNumber"),
              in.get("TokenCode"));
          credentials(xml, assumed.credentials());
          xml.open("AssumedRoleUser").element("AssumedRoleId", assumed.assumedRoleId()).element("Arn", assumed.arn())
              .close("AssumedRoleUser");
        },
        "GetCallerIdentity", (in, caller, xml) -> xml.element("Arn", caller.arn()).element("UserId", caller.userId())
            .element("Account", caller.arn().split(":")[4]),
        "GetSessionToken", (in, caller, xml) -> credentials(xml, sessions.getSessionToken(caller,
            in.integer("DurationSeconds"), in.get("SerialNumber"), in.get("TokenCode"))));
  }

  private static void credentials(Xml xml, NewSession session) {
    xml.open("Credentials").element("AccessKeyId", session.accessKeyId())
        .element("SecretAccessKey", session.secretAccessKey()).element("SessionToken", session.sessionToken())
        .element("Expiration", session.expiration()).close("Credentials");
  }

  @Override
  public String version() {
    return "2011-06-15";
  }

  @Override
  public String signingName() {
    return "sts";
  }

  @Override
  public String namespace() {
    return "https://sts.amazonaws.com/doc/2011-06-15/";
  }

  @Override
  public Map<String, Action> actions() {
    return actions;
  }
}
