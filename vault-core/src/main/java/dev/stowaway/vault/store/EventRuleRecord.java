package dev.stowaway.vault.store;

import java.util.List;

/**
 * An EventBridge rule: which events it matches (the pattern as the user wrote it), whether it
 * is on, and where matching events go.
 */
public record EventRuleRecord(String name, String arn, String eventPattern, String state, String description,
    long createdDate, List<Target> targets) {

  /** Where a matched event goes: a webhook URL, a JSON-lines file or a command, named by {@code arn}. */
  public record Target(String id, String arn, String input) {}

  public EventRuleRecord {
    targets = List.copyOf(targets);
  }

  public EventRuleRecord withTargets(List<Target> newTargets) {
    return new EventRuleRecord(name, arn, eventPattern, state, description, createdDate, newTargets);
  }
}
