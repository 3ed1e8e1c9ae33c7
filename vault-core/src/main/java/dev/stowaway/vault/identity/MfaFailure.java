package dev.stowaway.vault.identity;

/**
 * A wrong MFA code, as told to whoever alerts on them. Never carries the code.
 *
 * @param operation the call that presented it: {@code GetSessionToken}, {@code AssumeRole}, {@code EnableMFADevice}
 * @param principalArn who presented it
 * @param accessKeyId the key it was presented with, or null (an agent token)
 * @param throttled whether this failure used up the allowance of the device or the key, so that
 *     further codes are refused for a while
 */
public record MfaFailure(String operation, String serialNumber, String principalArn, String accessKeyId,
    String sourceIp, boolean throttled) {}
