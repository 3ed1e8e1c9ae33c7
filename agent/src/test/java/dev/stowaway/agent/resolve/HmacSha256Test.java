package dev.stowaway.agent.resolve;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;

class HmacSha256Test {

  @org.junit.jupiter.api.Test
  void hmacMatchesTheJcaForShortAndLongKeys() throws Exception {
    java.util.Random random = new java.util.Random(7);
    for (int keyLength : new int[] {1, 32, 63, 64, 65, 200}) { // the JCA refuses an empty key; so does SigV4
      byte[] key = new byte[keyLength];
      random.nextBytes(key);
      String data = "data-" + keyLength + "-" + "x".repeat(keyLength);
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
      assertEquals(java.util.HexFormat.of().formatHex(mac.doFinal(data.getBytes(StandardCharsets.UTF_8))),
          java.util.HexFormat.of().formatHex(HmacSha256.of(key, data)));
    }
  }
}
