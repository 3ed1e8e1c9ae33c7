package dev.stowaway.vault.events;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The in-process feed of committed secret changes. Keeps the most recent changes so a subscriber
 * that reconnects can be given what it missed; one that asks for more than is kept is told to
 * start over ({@link Replay#complete()} is false).
 */
public final class ChangeFeed {

  static final int RETAINED = 1024;

  private final Clock clock;
  private final Deque<SecretChange> recent = new ArrayDeque<>();
  private final List<Consumer<SecretChange>> listeners = new CopyOnWriteArrayList<>();
  private long sequence;

  public ChangeFeed(Clock clock) {
    this.clock = clock;
  }

  /** Records a change and tells every listener, in order. */
  public void publish(String arn, String name, String operation, Map<String, List<String>> stages) {
    SecretChange change;
    synchronized (this) {
      change = new SecretChange(++sequence, arn, name, operation, Map.copyOf(stages), clock.instant());
      recent.addLast(change);
      if (recent.size() > RETAINED) {
        recent.removeFirst();
      }
      // Delivered under the lock, so every listener sees changes in sequence order.
      for (Consumer<SecretChange> listener : listeners) {
        listener.accept(change);
      }
    }
  }

  public void subscribe(Consumer<SecretChange> listener) {
    listeners.add(listener);
  }

  public void unsubscribe(Consumer<SecretChange> listener) {
    listeners.remove(listener);
  }

  /** The changes after {@code sequence}, if they are all still kept. */
  public synchronized Replay since(long after) {
    long oldest = recent.isEmpty() ? sequence + 1 : recent.peekFirst().sequence();
    if (after > sequence || after + 1 < oldest) {
      return new Replay(false, List.of());
    }
    List<SecretChange> missed = new ArrayList<>();
    for (SecretChange c : recent) {
      if (c.sequence() > after) {
        missed.add(c);
      }
    }
    return new Replay(true, missed);
  }

  public synchronized long lastSequence() {
    return sequence;
  }

  /** @param complete false when changes were lost to the subscriber, who must refresh everything */
  public record Replay(boolean complete, List<SecretChange> changes) {}
}
