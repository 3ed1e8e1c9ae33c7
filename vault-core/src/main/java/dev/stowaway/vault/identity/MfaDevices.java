package dev.stowaway.vault.identity;

import dev.stowaway.vault.RandomIds;
import dev.stowaway.vault.VaultError;
import dev.stowaway.vault.VaultException;
import dev.stowaway.vault.kms.EncryptionContext;
import dev.stowaway.vault.kms.Envelope;
import dev.stowaway.vault.kms.EnvelopeCipher;
import dev.stowaway.vault.kms.KeyRing;
import dev.stowaway.vault.policy.Authorizer;
import dev.stowaway.vault.store.KmsKeyRecord;
import dev.stowaway.vault.store.MfaDeviceRecord;
import dev.stowaway.vault.store.SecretStore;
import dev.stowaway.vault.store.StoreTransaction;
import dev.stowaway.vault.store.StoreView;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.bouncycastle.util.encoders.Base32;

/**
 * Virtual MFA devices: a TOTP seed per device, sealed like a secret value, shown once at
 * creation, then only ever used inside the vault to check codes.
 *
 * <p>Codes are six digits, so they are guessed online unless guessing is slowed: each wrong code
 * counts against the device and against the key (or token) it came with, and once either has
 * used up its allowance ({@link FailedAttempts}) every code is refused with {@code THROTTLING}
 * until the window moves on, the right one too: were the right code let through, a guesser would
 * simply keep going. A device counts only the failures of its own user (or, before it is enabled,
 * of whoever may enable it), so that nobody else can lock its owner out.
 */
public final class MfaDevices {

  /** 40 bytes, the length of AWS's seeds (64 Base32 characters). */
  private static final int SEED_BYTES = 40;
  private static final Pattern NAME = Pattern.compile("[\\w+=,.@-]{1,226}");
  private static final String INVALID_CODE = "Authentication code for device is not valid.";
  /** AWS's message for any throttled request. */
  static final String THROTTLED = "Rate exceeded";

  private final SecretStore store;
  private final KeyRing keyRing;
  private final EnvelopeCipher cipher;
  private final Authorizer authorizer;
  private final Clock clock;
  private final RandomIds ids;
  private final String account;
  private final Caller caller;
  /** Shared by every caller's view, as are the listeners. */
  private final FailedAttempts failures;
  private final List<Consumer<MfaFailure>> listeners;

  public MfaDevices(SecretStore store, KeyRing keyRing, EnvelopeCipher cipher, Authorizer authorizer, Clock clock,
      RandomIds ids, String account, FailedAttempts.Limit limit) {
    this(store, keyRing, cipher, authorizer, clock, ids, account, Caller.SYSTEM, new FailedAttempts(limit, clock),
        new CopyOnWriteArrayList<>());
  }

  private MfaDevices(SecretStore store, KeyRing keyRing, EnvelopeCipher cipher, Authorizer authorizer, Clock clock,
      RandomIds ids, String account, Caller caller, FailedAttempts failures, List<Consumer<MfaFailure>> listeners) {
    this.failures = failures;
    this.listeners = listeners;
    this.store = store;
    this.keyRing = keyRing;
    this.cipher = cipher;
    this.authorizer = authorizer;
    this.clock = clock;
    this.ids = ids;
    this.account = account;
    this.caller = caller;
  }

  public MfaDevices as(Caller who) {
    return new MfaDevices(store, keyRing, cipher, authorizer, clock, ids, account, who, failures, listeners);
  }

  /** Creates a device and returns its seed, Base32 as AWS's {@code Base32StringSeed}. */
  public NewMfaDevice createVirtual(String name, String path) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw VaultException.validation("1 validation error detected: Value '" + name + "' at 'virtualMFADeviceName' "
          + "failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+");
    }
    String p = path == null ? "/" : path;
    String serial = "arn:aws:iam::" + account + ":mfa" + p + name;
    authorizer.authorize(caller, "iam:CreateVirtualMFADevice", serial, Map.of(), null);
    byte[] seed = ids.bytes(SEED_BYTES);
    byte[] base32 = Base32.encode(seed);
    try {
      store.write(tx -> {
        if (tx.mfaDevice(serial).isPresent()) {
          throw VaultException.exists("MFADevice entity at the same path and name already exists.");
        }
        KmsKeyRecord key = keyRing.resolve(tx, KeyRing.SECRETS_MANAGER_ALIAS);
        byte[] sealed = cipher.seal(key, seed, context(serial)).encode();
        tx.putMfaDevice(new MfaDeviceRecord(serial, p, clock.millis(), null, 0, sealed, Long.MIN_VALUE));
        return null;
      });
      return new NewMfaDevice(serial, new String(base32, StandardCharsets.US_ASCII));
    } finally {
      Arrays.fill(seed, (byte) 0);
      Arrays.fill(base32, (byte) 0);
    }
  }

  /** Tells {@code listener} of every wrong code (after it is counted), on the thread that checked it. */
  public void onFailure(Consumer<MfaFailure> listener) {
    listeners.add(listener);
  }

  /** Ties the device to the user once two consecutive codes prove the user holds it. */
  public void enable(String userName, String serialNumber, String code1, String code2) {
    authorizer.authorize(caller, "iam:EnableMFADevice", userArn(userName), Map.of(), null);
    refuseWhileThrottled(caller, serialNumber);
    try {
      enableChecked(userName, serialNumber, code1, code2);
    } catch (VaultException e) {
      if (e.error() == VaultError.INVALID_AUTHENTICATION_CODE) {
        // not yet anyone's device: whoever may enable it may also use up its tries
        failed(caller, serialNumber, true, "EnableMFADevice");
      }
      throw e;
    }
  }

  private void enableChecked(String userName, String serialNumber, String code1, String code2) {
    changed(tx -> {
      if (tx.user(userName).isEmpty()) {
        throw noSuchUser(userName);
      }
      MfaDeviceRecord device = tx.mfaDevice(serialNumber).orElseThrow(() ->
          VaultException.notFound("VirtualMFADevice with serial number " + serialNumber + " doesn't exist."));
      if (device.userName() != null) {
        throw VaultException.exists("MFA Device is already in use.");
      }
      long now = Totp.step(clock.millis());
      byte[] seed = open(tx, device);
      try {
        // the second code is current (within the tolerance); the first is the one of the step before it
        OptionalLong second = Totp.accept(seed, code2, now, device.lastUsedStep());
        boolean valid = second.isPresent() && second.getAsLong() - 1 > device.lastUsedStep() && code1 != null
            && MessageDigest.isEqual(code1.getBytes(StandardCharsets.US_ASCII),
                Totp.code(seed, second.getAsLong() - 1).getBytes(StandardCharsets.US_ASCII));
        if (!valid) {
          throw new VaultException(VaultError.INVALID_AUTHENTICATION_CODE, INVALID_CODE);
        }
        tx.putMfaDevice(device.enabledFor(userName, clock.millis(), second.getAsLong()));
      } finally {
        Arrays.fill(seed, (byte) 0);
      }
      return null;
    });
  }

  public void deactivate(String userName, String serialNumber) {
    authorizer.authorize(caller, "iam:DeactivateMFADevice", userArn(userName), Map.of(), null);
    changed(tx -> {
      if (tx.user(userName).isEmpty()) {
        throw noSuchUser(userName);
      }
      MfaDeviceRecord device = tx.mfaDevice(serialNumber).filter(d -> userName.equals(d.userName()))
          .orElseThrow(() -> VaultException.notFound("MFA Device with serial number " + serialNumber
              + " does not exist for user " + userName + "."));
      tx.putMfaDevice(device.disabled());
      return null;
    });
  }

  /** The devices enabled for {@code userName} (the caller's own when null). */
  public List<MfaDeviceRecord> list(String userName) {
    String user = caller.userNameOr(userName);
    authorizer.authorize(caller, "iam:ListMFADevices", userArn(user), Map.of(), null);
    return store.read(view -> {
      if (view.user(user).isEmpty()) {
        throw noSuchUser(user);
      }
      return view.mfaDevices().stream().filter(d -> user.equals(d.userName()))
          .sorted(Comparator.comparing(MfaDeviceRecord::serialNumber)).toList();
    });
  }

  public void deleteVirtual(String serialNumber) {
    authorizer.authorize(caller, "iam:DeleteVirtualMFADevice", serialNumber, Map.of(), null);
    changed(tx -> {
      MfaDeviceRecord device = tx.mfaDevice(serialNumber).orElseThrow(() ->
          VaultException.notFound("VirtualMFADevice with serial number " + serialNumber + " doesn't exist."));
      if (device.userName() != null) {
        throw new VaultException(VaultError.DELETE_CONFLICT, "MFA Device is already in use.");
      }
      tx.removeMfaDevice(serialNumber);
      return null;
    });
  }

  /**
   * Whether {@code code} is a fresh code of the device enabled for {@code userName}; a code that
   * passes is spent, so the same code is refused afterwards.
   */
  public boolean verify(String userName, String serialNumber, String code) {
    return store.write(tx -> {
      MfaDeviceRecord device = tx.mfaDevice(serialNumber).filter(d -> userName.equals(d.userName())).orElse(null);
      if (device == null) {
        return false;
      }
      byte[] seed = open(tx, device);
      try {
        OptionalLong step = Totp.accept(seed, code, Totp.step(clock.millis()), device.lastUsedStep());
        step.ifPresent(s -> tx.putMfaDevice(device.used(s)));
        return step.isPresent();
      } finally {
        Arrays.fill(seed, (byte) 0);
      }
    });
  }

  /**
   * {@link #verify} for a caller presenting a code with {@code operation} (GetSessionToken,
   * AssumeRole): refused with {@code THROTTLING} while the device or the caller's key has had too
   * many wrong codes lately; a wrong code counts against both and is told to the listeners.
   */
  public boolean verifyFor(Caller presenter, String serialNumber, String code, String operation) {
    refuseWhileThrottled(presenter, serialNumber);
    if (verify(presenter.userName(), serialNumber, code)) {
      return true;
    }
    boolean own = store.read(view -> view.mfaDevice(serialNumber))
        .filter(d -> d.userName() != null && d.userName().equals(presenter.userName())).isPresent();
    failed(presenter, serialNumber, own, operation);
    return false;
  }

  private void refuseWhileThrottled(Caller presenter, String serialNumber) {
    if (failures.isThrottled(deviceKey(serialNumber)) || failures.isThrottled(credentialKey(presenter))) {
      throw new VaultException(VaultError.THROTTLING, THROTTLED);
    }
  }

  private void failed(Caller presenter, String serialNumber, boolean countsForDevice, String operation) {
    boolean throttled = failures.fail(credentialKey(presenter));
    if (countsForDevice) {
      throttled |= failures.fail(deviceKey(serialNumber));
    }
    MfaFailure failure = new MfaFailure(operation, serialNumber, presenter.arn(), presenter.accessKeyId(),
        presenter.sourceIp(), throttled);
    for (Consumer<MfaFailure> listener : listeners) {
      listener.accept(failure);
    }
  }

  private static String deviceKey(String serialNumber) {
    return "device " + serialNumber;
  }

  /** The key the code came with; a caller without one (an agent token) counts as its principal. */
  private static String credentialKey(Caller presenter) {
    return presenter.accessKeyId() != null ? "key " + presenter.accessKeyId() : "principal " + presenter.arn();
  }

  private byte[] open(StoreView view, MfaDeviceRecord device) {
    Envelope envelope = Envelope.decode(device.sealedSeed());
    return cipher.open(keyRing.resolve(view, envelope.keyId()), envelope, context(device.serialNumber()));
  }

  private String userArn(String userName) {
    return "arn:aws:iam::" + account + ":user/" + userName;
  }

  private static VaultException noSuchUser(String userName) {
    return VaultException.notFound("The user with name " + userName + " cannot be found.");
  }

  private static EncryptionContext context(String serialNumber) {
    return EncryptionContext.of("MfaSerialNumber", serialNumber);
  }

  private <T> T changed(Function<? super StoreTransaction, T> work) {
    try {
      return store.write(work);
    } finally {
      authorizer.identityChanged();
    }
  }
}
