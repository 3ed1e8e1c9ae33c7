package dev.stowaway.sidecar.rotation;

import java.util.Map;
import java.util.function.Function;

/**
 * One rotation's values, in plaintext for as long as the rotation runs: the current, pending and
 * previous SecretStrings (pending is null before createSecret, previous if there is none), a way
 * to read another secret's current value and tags (the master secret of the alternating strategy),
 * and the rotated secret's name and tags.
 */
record RotationContext(String arn, String name, String token, String current, String pending, String previous,
    Function<String, String> secretValue, Map<String, String> tags,
    Function<String, Map<String, String>> secretTags) {

  RotationContext withPending(String value) {
    return new RotationContext(arn, name, token, current, value, previous, secretValue, tags, secretTags);
  }

  /** A message with every value of this rotation taken out, for errors from drivers and servers. */
  String scrub(String message) {
    String scrubbed = message == null ? "" : message;
    for (String value : new String[] {current, pending, previous}) {
      if (value != null) {
        for (String secret : DatabaseCredentials.passwordsIn(value)) {
          scrubbed = scrubbed.replace(secret, "[REDACTED]");
        }
      }
    }
    return scrubbed;
  }

  @Override
  public String toString() {
    return "RotationContext[" + arn + ", " + token + ", values REDACTED]";
  }
}
