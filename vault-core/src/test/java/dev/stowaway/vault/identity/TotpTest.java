package dev.stowaway.vault.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TotpTest {

  // RFC 6238 appendix B: the seeds are the ASCII digits "1234567890" repeated to the hash's length
  private static final byte[] SEED_SHA1 = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SEED_SHA256 = "12345678901234567890123456789012".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SEED_SHA512 = ("12345678901234567890123456789012345678901234567890123456789012"
      + "34").getBytes(StandardCharsets.US_ASCII);

  @ParameterizedTest(name = "T={0}s {2}")
  @CsvSource({
      "59, 94287082, SHA1", "59, 46119246, SHA256", "59, 90693936, SHA512",
      "1111111109, 07081804, SHA1", "1111111109, 68084774, SHA256", "1111111109, 25091201, SHA512",
      "1111111111, 14050471, SHA1", "1111111111, 67062674, SHA256", "1111111111, 99943326, SHA512",
      "1234567890, 89005924, SHA1", "1234567890, 91819424, SHA256", "1234567890, 93441116, SHA512",
      "2000000000, 69279037, SHA1", "2000000000, 90698825, SHA256", "2000000000, 38618901, SHA512",
      "20000000000, 65353130, SHA1", "20000000000, 77737706, SHA256", "20000000000, 47863826, SHA512"})
  void matchesTheRfc6238TestVectors(long seconds, String expected, Totp.Hash hash) {
    byte[] seed = switch (hash) {
      case SHA1 -> SEED_SHA1;
      case SHA256 -> SEED_SHA256;
      case SHA512 -> SEED_SHA512;
    };
    assertEquals(expected, Totp.code(seed, Totp.step(seconds * 1000), 8, hash));
  }

  @Test
  void virtualDeviceCodesAreTheLastSixDigits() {
    assertEquals("287082", Totp.code(SEED_SHA1, Totp.step(59_000)));
    assertEquals("081804", Totp.code(SEED_SHA1, Totp.step(1_111_111_109_000L)));
  }

  @Test
  void acceptsTheCodeOfTheStepBeforeAndAfter() {
    long now = Totp.step(1_234_567_890_000L);
    assertEquals(OptionalLong.of(now - 1), Totp.accept(SEED_SHA1, Totp.code(SEED_SHA1, now - 1), now, 0));
    assertEquals(OptionalLong.of(now), Totp.accept(SEED_SHA1, Totp.code(SEED_SHA1, now), now, 0));
    assertEquals(OptionalLong.of(now + 1), Totp.accept(SEED_SHA1, Totp.code(SEED_SHA1, now + 1), now, 0));
  }

  @Test
  void refusesCodesTwoStepsAway() {
    long now = Totp.step(1_234_567_890_000L);
    assertTrue(Totp.accept(SEED_SHA1, Totp.code(SEED_SHA1, now - 2), now, 0).isEmpty());
    assertTrue(Totp.accept(SEED_SHA1, Totp.code(SEED_SHA1, now + 2), now, 0).isEmpty());
  }

  @Test
  void refusesACodeAlreadyUsed() {
    long now = Totp.step(1_234_567_890_000L);
    String code = Totp.code(SEED_SHA1, now);
    long used = Totp.accept(SEED_SHA1, code, now, 0).orElseThrow();
    assertTrue(Totp.accept(SEED_SHA1, code, now, used).isEmpty());
    assertTrue(Totp.accept(SEED_SHA1, code, now + 1, used).isEmpty(), "still in its window a step later");
    assertTrue(Totp.accept(SEED_SHA1, Totp.code(SEED_SHA1, now - 1), now, used).isEmpty(), "older codes too");
  }

  @Test
  void refusesMalformedCodes() {
    long now = Totp.step(59_000);
    assertTrue(Totp.accept(SEED_SHA1, null, now, 0).isEmpty());
    assertTrue(Totp.accept(SEED_SHA1, "28708", now, 0).isEmpty());
    assertTrue(Totp.accept(SEED_SHA1, "2870822", now, 0).isEmpty());
  }
}
