package dev.stowaway.vault.audit;

import dev.stowaway.vault.audit.AuditVerifier.Problem;
import dev.stowaway.vault.audit.AuditVerifier.Verdict;
import dev.stowaway.vault.audit.AuditVerifier.Window;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The verifier's completeness checks over a window, as CloudTrail's validation makes them: each
 * digest records the cadence it was written on, so a period without one is missing; a log whose
 * newest digest is not a final one and whose next digest is overdue by the end of the window was
 * cut short; records after the newest digest of a running log are only not yet covered.
 */
final class AuditCompleteness {

  /** How late a digest may be before its period counts as missing: the writer is a busy thread, not a timer chip. */
  static final Duration GRACE = Duration.ofMinutes(1);

  /** A digest as read: what the completeness checks need of it. */
  record Digest(String file, long number, Instant time, int version, String reason, Duration interval,
      String startedAfter, long lastSequence) {

    boolean isFinal() {
      return "final".equals(reason);
    }

    /** When the next digest was due at the latest, or null if this one does not say (version 1, or final). */
    Instant nextDueBy() {
      return version < AuditLog.DIGEST_VERSION || isFinal() || interval == null ? null : time.plus(interval).plus(GRACE);
    }
  }

  private final Window window;
  private final List<Problem> problems;
  private final List<String> notes;

  AuditCompleteness(Window window, List<Problem> problems, List<String> notes) {
    this.window = window;
    this.problems = problems;
    this.notes = notes;
  }

  private void problem(Verdict kind, String message) {
    problems.add(new Problem(kind, message));
  }

  /**
   * Whether digests came as often as they say they would over the window, and how the log ends:
   * with a signed final digest (a clean stop), still running (the next digest not yet due), or cut
   * short (the next digest overdue and no final one).
   */
  void check(List<Digest> digests, long lastRead, long coveredByNewest) {
    // Once the digests or the chain are found broken, how the log ends adds only noise.
    boolean brokenBefore = !problems.isEmpty();
    if (digests.isEmpty()) {
      if (!brokenBefore) {
        problem(Verdict.MISSING, "records 1 to " + lastRead + " are not covered by any signed digest: every digest "
            + "was deleted");
      }
      return;
    }
    Instant from = window.from() != null ? window.from() : digests.get(0).time();
    Instant until = window.until();
    Digest first = digests.get(0);
    if (first.number() == 1 && first.time().isAfter(from) && "new-log".equals(first.startedAfter())) {
      notes.add("the audit log begins at " + first.time() + " (digest 1), after " + from);
    }
    for (int i = 0; i < digests.size(); i++) {
      Digest digest = digests.get(i);
      Digest before = i > 0 ? digests.get(i - 1) : null;
      // What a start digest outside the window says of the time before it is not asked about.
      String startedAfter = digest.time().isBefore(from) || digest.time().isAfter(until) ? null
          : digest.startedAfter();
      if ("missing-log".equals(startedAfter)) {
        problem(Verdict.MISSING, "digest " + digest.number() + " (" + digest.file() + "): when the sidecar started at "
            + digest.time() + " the vault already existed but its audit log did not: every earlier record and digest "
            + "was deleted");
      } else if ("missing-digests".equals(startedAfter)) {
        problem(Verdict.MISSING, "digest " + digest.number() + " (" + digest.file() + "): when the sidecar started at "
            + digest.time() + " it found records but no digest: every earlier digest was deleted");
      } else if ("no-final-digest".equals(startedAfter) && before != null) {
        notes.add("the sidecar started again at " + digest.time() + " (digest " + digest.number() + ") after a run "
            + "that ended without a final digest after digest " + before.number() + " (" + before.time() + "): a "
            + "crash or kill, or newer digests were deleted");
      }
      if (before == null) {
        continue;
      }
      Instant due = before.nextDueBy();
      if (due != null && digest.time().isAfter(due) && digest.time().isAfter(from) && before.time().isBefore(until)) {
        problem(Verdict.MISSING, "no digest from " + before.time() + " (digest " + before.number() + ") to "
            + digest.time() + " (digest " + digest.number() + "), though one is due every "
            + before.interval().toSeconds() + " s" + ("no-final-digest".equals(digest.startedAfter())
                ? ": the sidecar was down without a final digest (a crash or kill), or the digests of that period "
                    + "were deleted and the log cut back"
                : ": digests of that period were deleted, or the sidecar could not write them"));
      }
    }
    Digest newest = digests.get(digests.size() - 1);
    if (newest.version() < AuditLog.DIGEST_VERSION) {
      notes.add("digests up to " + newest.number() + " come from an earlier version that recorded neither their "
          + "cadence nor a clean stop: periods without a digest and a log cut short after digest " + newest.number()
          + " cannot be told apart from a quiet or crashed sidecar");
      if (!brokenBefore && lastRead > coveredByNewest) {
        problem(Verdict.TRUNCATED, "records " + (coveredByNewest + 1) + " to " + lastRead + " are not covered by any "
            + "signed digest: the newest digest was removed, or the sidecar stopped without signing them (starting "
            + "it signs them)");
      }
      return;
    }
    if (brokenBefore) {
      return;
    }
    String uncovered = lastRead > coveredByNewest ? "records " + (coveredByNewest + 1) + " to " + lastRead : null;
    if (newest.isFinal()) {
      if (uncovered != null) {
        problem(Verdict.TAMPERED, uncovered + " come after digest " + newest.number() + ", the final digest the "
            + "sidecar signed when it stopped at " + newest.time() + ": they were added by something else");
      }
      return;
    }
    Instant due = newest.nextDueBy();
    if (until.isAfter(due)) {
      problem(Verdict.TRUNCATED, "the log stops at digest " + newest.number() + " (" + newest.time() + ") without a "
          + "final digest, and no digest follows though the next was due by " + due + (uncovered == null ? ""
              : "; " + uncovered + " are not covered by any digest") + ": newer digests were deleted (and the log "
          + "perhaps cut back), or the sidecar stopped without signing one (a crash or kill) and has not started since "
          + "(starting it signs what is unsigned)");
    } else if (uncovered != null) {
      notes.add(uncovered + " are not yet covered by a digest: the newest, digest " + newest.number() + ", is from "
          + newest.time() + " and the next is due by " + due + " (the sidecar is running, or stopped since)");
    }
  }
}
