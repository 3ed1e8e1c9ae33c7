package dev.stowaway.sidecar.rotation;

/**
 * What a RotationLambdaARN names. Built-in rotators make the new value and apply and test it
 * themselves; external ones (webhook, exec) are handed each of the four steps, like a Lambda, and
 * call the Secrets Manager API back for the values and labels.
 */
sealed interface Rotator permits Rotator.BuiltIn, Rotator.External {

  /** A rotator that knows its target system. Each step must be safe to run again after a crash. */
  non-sealed interface BuiltIn extends Rotator {

    /** createSecret: the new value, made from the current one (which it must not change). */
    String create(RotationContext context) throws RotationException;

    /** setSecret: makes the target system accept the pending value. */
    void set(RotationContext context) throws RotationException;

    /** testSecret: proves the pending value works, by logging in with it. */
    void test(RotationContext context) throws RotationException;

    /**
     * After a failed test: puts the target back to the current value where set changed it, so
     * AWSCURRENT keeps working. Best effort; a failure here is reported, not thrown.
     */
    default void undo(RotationContext context) throws RotationException {}
  }

  /** A rotator outside the sidecar, given each step with the Lambda event's fields. */
  non-sealed interface External extends Rotator {
    void step(String step, String secretArn, String token, String rotationToken) throws RotationException;
  }
}
