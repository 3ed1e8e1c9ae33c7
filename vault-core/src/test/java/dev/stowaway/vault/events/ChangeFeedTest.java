package dev.stowaway.vault.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stowaway.vault.testing.MutableClock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChangeFeedTest {

  private final ChangeFeed feed = new ChangeFeed(MutableClock.at("2026-01-01T00:00:00Z"));

  @Test
  void listenersSeeChangesInSequence() {
    List<Long> seen = new ArrayList<>();
    feed.subscribe(c -> seen.add(c.sequence()));
    feed.publish("arn:a", "a", "PutSecretValue", Map.of("v1", List.of("AWSCURRENT")));
    feed.publish("arn:b", "b", "CreateSecret", Map.of());
    assertEquals(List.of(1L, 2L), seen);
  }

  @Test
  void replayGivesWhatASubscriberMissed() {
    for (int i = 0; i < 5; i++) {
      feed.publish("arn:" + i, "n" + i, "PutSecretValue", Map.of());
    }
    ChangeFeed.Replay replay = feed.since(3);
    assertTrue(replay.complete());
    assertEquals(List.of(4L, 5L), replay.changes().stream().map(SecretChange::sequence).toList());
    assertEquals(List.of(), feed.since(5).changes());
  }

  @Test
  void replayPastWhatIsKeptIsIncomplete() {
    for (int i = 0; i < ChangeFeed.RETAINED + 10; i++) {
      feed.publish("arn", "n", "PutSecretValue", Map.of());
    }
    assertFalse(feed.since(5).complete());
    assertTrue(feed.since(20).complete());
  }

  @Test
  void aSequenceFromTheFutureIsIncomplete() {
    feed.publish("arn", "n", "PutSecretValue", Map.of());
    assertFalse(feed.since(7).complete());
  }
}
