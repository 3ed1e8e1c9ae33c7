package dev.stowaway.sidecar.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class DerivedKeysTest {

  private final DerivedKeys keys = new DerivedKeys();
  private final AtomicInteger derivations = new AtomicInteger();
  private final DerivedKeys.Scope scope = new DerivedKeys.Scope("AKIAEXAMPLE", "20260501", "us-east-1", "secretsmanager");

  private byte[] derive() {
    derivations.incrementAndGet();
    return new byte[] {1, 2, 3};
  }

  @Test
  void aKeyIsDerivedOnceForItsScope() {
    assertArrayEquals(new byte[] {1, 2, 3}, keys.copy(scope, this::derive));
    assertArrayEquals(new byte[] {1, 2, 3}, keys.copy(scope, this::derive));
    assertEquals(1, derivations.get());
  }

  @Test
  void anotherDateRegionOrServiceIsDerivedAgain() {
    keys.copy(scope, this::derive);
    keys.copy(new DerivedKeys.Scope("AKIAEXAMPLE", "20260502", "us-east-1", "secretsmanager"), this::derive);
    keys.copy(new DerivedKeys.Scope("AKIAEXAMPLE", "20260501", "eu-west-1", "secretsmanager"), this::derive);
    keys.copy(new DerivedKeys.Scope("AKIAEXAMPLE", "20260501", "us-east-1", "kms"), this::derive);
    assertEquals(4, derivations.get());
  }

  @Test
  void zeroingACopyLeavesTheKeptKey() {
    byte[] copy = keys.copy(scope, this::derive);
    Arrays.fill(copy, (byte) 0);
    assertArrayEquals(new byte[] {1, 2, 3}, keys.copy(scope, this::derive));
  }

  @Test
  void aKeptKeyIsZeroedAndDerivedAgainAfterFiveMinutes() {
    AtomicLong nanos = new AtomicLong();
    DerivedKeys expiring = new DerivedKeys(nanos::get);
    byte[] kept = {7, 7, 7};
    expiring.copy(scope, () -> kept);
    nanos.addAndGet(DerivedKeys.KEEP.minusSeconds(1).toNanos());
    assertArrayEquals(new byte[] {7, 7, 7}, expiring.copy(scope, this::derive));
    nanos.addAndGet(Duration.ofSeconds(2).toNanos());
    assertArrayEquals(new byte[] {1, 2, 3}, expiring.copy(scope, this::derive));
    assertArrayEquals(new byte[] {0, 0, 0}, kept);
    assertEquals(1, derivations.get());
  }

  @Test
  void noKeyIsKeptWhenThereIsNoneToDerive() {
    assertNull(keys.copy(scope, () -> null));
    assertEquals(0, keys.size());
    assertArrayEquals(new byte[] {1, 2, 3}, keys.copy(scope, this::derive));
  }
}
