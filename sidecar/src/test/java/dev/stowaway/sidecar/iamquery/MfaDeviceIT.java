package dev.stowaway.sidecar.iamquery;

import static dev.stowaway.sidecar.testing.ByteSearch.indexOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.zxing.BinaryBitmap;
import com.google.zxing.DecodeHintType;
import com.google.zxing.RGBLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import dev.stowaway.sidecar.testing.RunningSidecar;
import dev.stowaway.vault.identity.Totp;
import dev.stowaway.vault.testing.MutableClock;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.bouncycastle.util.encoders.Base32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.DeleteConflictException;
import software.amazon.awssdk.services.iam.model.InvalidAuthenticationCodeException;
import software.amazon.awssdk.services.iam.model.MFADevice;
import software.amazon.awssdk.services.iam.model.VirtualMFADevice;

/** Virtual MFA devices through the SDK's IamClient, with codes computed here from the returned seed. */
class MfaDeviceIT {

  @TempDir
  Path dataDir;

  // the sidecar's clock: fixed near now so signatures stay valid, moved by hand across TOTP steps
  private final MutableClock clock = new MutableClock(Instant.now());
  private RunningSidecar sidecar;
  private IamClient iam;

  @BeforeEach
  void start() {
    sidecar = RunningSidecar.in(dataDir, clock);
    iam = IamClient.builder().endpointOverride(sidecar.endpoint()).region(Region.AWS_GLOBAL)
        .credentialsProvider(sidecar.adminCredentials()).httpClient(UrlConnectionHttpClient.create()).build();
  }

  @AfterEach
  void stop() {
    iam.close();
    sidecar.close();
  }

  private String code(byte[] seed, long stepsFromNow) {
    return Totp.code(seed, Totp.step(clock.millis()) + stepsFromNow);
  }

  @Test
  void deviceIsCreatedEnabledListedDeactivatedAndDeleted() {
    iam.createUser(r -> r.userName("alice"));
    VirtualMFADevice created = iam.createVirtualMFADevice(r -> r.virtualMFADeviceName("alice-phone"))
        .virtualMFADevice();
    String serial = created.serialNumber();
    assertEquals("arn:aws:iam::123456789012:mfa/alice-phone", serial);
    String seedText = created.base32StringSeed().asUtf8String();
    assertTrue(seedText.matches("[A-Z2-7]{64}"), seedText);
    byte[] seed = Base32.decode(seedText);

    iam.enableMFADevice(r -> r.userName("alice").serialNumber(serial)
        .authenticationCode1(code(seed, -1)).authenticationCode2(code(seed, 0)));
    List<MFADevice> devices = iam.listMFADevices(r -> r.userName("alice")).mfaDevices();
    assertEquals(1, devices.size());
    assertEquals(serial, devices.get(0).serialNumber());
    assertEquals("alice", devices.get(0).userName());

    DeleteConflictException inUse = assertThrows(DeleteConflictException.class,
        () -> iam.deleteVirtualMFADevice(r -> r.serialNumber(serial)));
    assertEquals("MFA Device is already in use.", inUse.awsErrorDetails().errorMessage());
    iam.deactivateMFADevice(r -> r.userName("alice").serialNumber(serial));
    assertEquals(List.of(), iam.listMFADevices(r -> r.userName("alice")).mfaDevices());
    iam.deleteVirtualMFADevice(r -> r.serialNumber(serial));
    iam.deleteUser(r -> r.userName("alice"));
  }

  @Test
  void theQrCodeCarriesTheSameSeed() throws Exception {
    for (int i = 0; i < 20; i++) { // seeds are random: one lucky image proves little
      String name = "carol-phone-" + i;
      VirtualMFADevice created = iam.createVirtualMFADevice(r -> r.virtualMFADeviceName(name)).virtualMFADevice();
      BufferedImage png = ImageIO.read(new ByteArrayInputStream(created.qrCodePNG().asByteArray()));
      int[] pixels = png.getRGB(0, 0, png.getWidth(), png.getHeight(), null, 0, png.getWidth());
      String text = new QRCodeReader().decode(new BinaryBitmap(new HybridBinarizer(
          new RGBLuminanceSource(png.getWidth(), png.getHeight(), pixels))),
          Map.of(DecodeHintType.PURE_BARCODE, Boolean.TRUE)).getText();
      assertEquals("otpauth://totp/" + name + "@123456789012?secret=" + created.base32StringSeed().asUtf8String(),
          text);
    }
  }

  @Test
  void wrongOrReplayedCodesDoNotEnable() {
    iam.createUser(r -> r.userName("bob"));
    VirtualMFADevice created = iam.createVirtualMFADevice(r -> r.virtualMFADeviceName("bob-phone"))
        .virtualMFADevice();
    String serial = created.serialNumber();
    byte[] seed = Base32.decode(created.base32StringSeed().asUtf8String());
    String first = code(seed, -1);
    String second = code(seed, 0);
    InvalidAuthenticationCodeException wrong = assertThrows(InvalidAuthenticationCodeException.class,
        () -> iam.enableMFADevice(r -> r.userName("bob").serialNumber(serial)
            .authenticationCode1(second).authenticationCode2(first)));
    assertEquals("Authentication code for device is not valid.", wrong.awsErrorDetails().errorMessage());
    assertEquals(403, wrong.statusCode());

    iam.enableMFADevice(r -> r.userName("bob").serialNumber(serial).authenticationCode1(first)
        .authenticationCode2(second));
    iam.deactivateMFADevice(r -> r.userName("bob").serialNumber(serial));
    assertThrows(InvalidAuthenticationCodeException.class, () -> iam.enableMFADevice(r -> r.userName("bob")
        .serialNumber(serial).authenticationCode1(first).authenticationCode2(second)), "replayed codes");
    clock.advance(Duration.ofSeconds(60));
    iam.enableMFADevice(r -> r.userName("bob").serialNumber(serial).authenticationCode1(code(seed, -1))
        .authenticationCode2(code(seed, 0)));
    assertEquals(1, iam.listMFADevices(r -> r.userName("bob")).mfaDevices().size());
  }

  @Test
  void theSeedIsNotStoredInPlaintext() throws Exception {
    String seedText = iam.createVirtualMFADevice(r -> r.virtualMFADeviceName("stored")).virtualMFADevice()
        .base32StringSeed().asUtf8String();
    byte[] seed = Base32.decode(seedText);
    clock.advance(Duration.ofSeconds(1));
    sidecar.close();
    try (var files = Files.walk(dataDir)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        byte[] bytes = Files.readAllBytes(f);
        assertTrue(indexOf(bytes, seedText.getBytes(StandardCharsets.US_ASCII)) < 0, "Base32 seed in " + f);
        assertTrue(indexOf(bytes, seed) < 0, "raw seed in " + f);
      }
    }
    sidecar = RunningSidecar.in(dataDir, clock);
  }
}
