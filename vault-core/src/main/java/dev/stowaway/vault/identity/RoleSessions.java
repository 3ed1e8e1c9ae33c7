package dev.stowaway.vault.identity;

import dev.stowaway.vault.VaultError;
import dev.stowaway.vault.VaultException;
import dev.stowaway.vault.policy.Authorizer;
import dev.stowaway.vault.policy.MalformedPolicyException;
import dev.stowaway.vault.policy.PolicyParser;
import dev.stowaway.vault.store.RoleRecord;
import dev.stowaway.vault.store.SecretStore;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * STS's AssumeRole: checks the role's trust policy against the caller and issues credentials whose
 * identity is the assumed role, acting under the role's policies narrowed by an optional session policy.
 */
public final class RoleSessions {

  private static final int MIN_SECONDS = 900;
  private static final int DEFAULT_SECONDS = 3600;
  /** Role chaining is capped at one hour, as in AWS. */
  private static final int CHAINED_MAX_SECONDS = 3600;
  private static final Pattern SESSION_NAME = Pattern.compile("[\\w+=,.@-]{2,64}");
  private static final String MFA_FAILED = "MultiFactorAuthentication failed with invalid MFA one time pass code. ";

  private final SecretStore store;
  private final Authorizer authorizer;
  private final AccessKeys accessKeys;
  private final MfaDevices mfaDevices;
  private final Clock clock;
  private final String account;

  public RoleSessions(SecretStore store, Authorizer authorizer, AccessKeys accessKeys, MfaDevices mfaDevices,
      Clock clock, String account) {
    this.store = store;
    this.authorizer = authorizer;
    this.accessKeys = accessKeys;
    this.mfaDevices = mfaDevices;
    this.clock = clock;
    this.account = account;
  }

  public AssumedRole assumeRole(Caller caller, String roleArn, String sessionName, Integer durationSeconds,
      String externalId, String sessionPolicy, String serialNumber, String tokenCode) {
    if (sessionName == null || !SESSION_NAME.matcher(sessionName).matches()) {
      throw VaultException.validation("1 validation error detected: Value '" + sessionName + "' at 'roleSessionName' "
          + "failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]{2,64}");
    }
    if (sessionPolicy != null) {
      try {
        PolicyParser.identity("session", sessionPolicy);
      } catch (MalformedPolicyException e) {
        throw new VaultException(VaultError.MALFORMED_POLICY, e.getMessage());
      }
    }
    String prefix = "arn:aws:iam::" + account + ":role/";
    String roleName = roleArn != null && roleArn.startsWith(prefix) ? roleArn.substring(roleArn.lastIndexOf('/') + 1)
        : null;
    RoleRecord role = roleName == null ? null : store.read(view -> view.role(roleName)).orElse(null);
    Long mfaAt = null;
    if (serialNumber != null || tokenCode != null) {
      if (serialNumber == null || tokenCode == null || caller.userName() == null
          || !mfaDevices.verifyFor(caller, serialNumber, tokenCode, "AssumeRole")) {
        throw new VaultException(VaultError.ACCESS_DENIED, MFA_FAILED);
      }
      mfaAt = clock.instant().getEpochSecond();
    }
    Map<String, List<String>> keys = new LinkedHashMap<>();
    keys.put("sts:RoleSessionName", List.of(sessionName));
    if (externalId != null) {
      keys.put("sts:ExternalId", List.of(externalId));
    }
    if (mfaAt != null) {
      // the trust policy sees the MFA given with this call, as AWS evaluates it
      keys.put("aws:MultiFactorAuthPresent", List.of("true"));
      keys.put("aws:MultiFactorAuthAge", List.of("0"));
    }
    // a missing role is refused exactly like a role that does not trust the caller
    authorizer.authorizeAssumeRole(caller, roleArn, role == null ? null : role.assumeRolePolicy(), keys);
    int max = caller.isRoleSession() ? CHAINED_MAX_SECONDS : role.maxSessionDuration();
    int seconds = durationSeconds == null ? Math.min(DEFAULT_SECONDS, max) : durationSeconds;
    if (seconds < MIN_SECONDS) {
      throw VaultException.validation("1 validation error detected: Value '" + seconds + "' at 'durationSeconds' "
          + "failed to satisfy constraint: Member must have value greater than or equal to " + MIN_SECONDS);
    }
    if (seconds > max) {
      throw VaultException.validation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
    }
    String arn = "arn:aws:sts::" + account + ":assumed-role/" + roleName + "/" + sessionName;
    Instant expiration = clock.instant().plusSeconds(seconds).truncatedTo(ChronoUnit.SECONDS);
    NewSession credentials = accessKeys.issueRoleSession(caller, role, arn, expiration,
        mfaAt != null ? mfaAt : caller.mfaAuthenticatedAt(), sessionPolicy);
    return new AssumedRole(credentials, role.roleId() + ":" + sessionName, arn);
  }
}
