package dev.stowaway.vault.events;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A committed change to a secret, as the change feed tells it: which version now holds which
 * staging label. It never carries a value.
 *
 * @param sequence position in this sidecar's feed, from 1
 * @param operation what caused it, e.g. {@code PutSecretValue}, {@code DeleteSecret}
 * @param versionIdsToStages labelled versions after the change; empty once the secret is gone
 */
public record SecretChange(long sequence, String arn, String name, String operation,
    Map<String, List<String>> versionIdsToStages, Instant time) {}
