package dev.stowaway.sidecar.rotation;

import java.time.Duration;

/**
 * Who may run a secret's rotation now. With one sidecar, it always may; with several sharing a
 * store, exactly one holds the lease, and if it dies the lease runs out and another takes over.
 */
public interface RotationLeases {

  /** One sidecar alone needs no lease. */
  RotationLeases ALONE = new RotationLeases() {
    @Override
    public boolean acquire(String name, Duration ttl) {
      return true;
    }

    @Override
    public void release(String name) {}
  };

  /** Takes the lease unless another holder's has not run out. */
  boolean acquire(String name, Duration ttl);

  void release(String name);
}
