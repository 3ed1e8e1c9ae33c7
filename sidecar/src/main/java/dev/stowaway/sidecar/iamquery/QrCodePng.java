package dev.stowaway.sidecar.iamquery;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.EncodeHintType;
import com.google.zxing.WriterException;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.qrcode.QRCodeWriter;
import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * The QR code an authenticator app scans to add a virtual MFA device, rendered here so the seed
 * never leaves the machine: {@code otpauth://totp/NAME@ACCOUNT?secret=SEED}, as AWS encodes it.
 */
final class QrCodePng {

  private static final int SIZE = 256;

  private QrCodePng() {}

  static byte[] render(String deviceName, String account, String base32Seed) {
    String label = encode(deviceName) + "@" + encode(account);
    String uri = "otpauth://totp/" + label + "?secret=" + base32Seed;
    try {
      BitMatrix matrix = new QRCodeWriter().encode(uri, BarcodeFormat.QR_CODE, SIZE, SIZE,
          Map.of(EncodeHintType.MARGIN, 2, EncodeHintType.ERROR_CORRECTION, ErrorCorrectionLevel.M));
      BufferedImage image = new BufferedImage(matrix.getWidth(), matrix.getHeight(), BufferedImage.TYPE_BYTE_BINARY);
      for (int y = 0; y < matrix.getHeight(); y++) {
        for (int x = 0; x < matrix.getWidth(); x++) {
          image.setRGB(x, y, matrix.get(x, y) ? 0xFF000000 : 0xFFFFFFFF);
        }
      }
      ByteArrayOutputStream png = new ByteArrayOutputStream();
      ImageIO.write(image, "png", png);
      return png.toByteArray();
    } catch (WriterException e) {
      throw new IllegalStateException("cannot encode the MFA device's QR code", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String encode(String part) {
    return URLEncoder.encode(part, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
