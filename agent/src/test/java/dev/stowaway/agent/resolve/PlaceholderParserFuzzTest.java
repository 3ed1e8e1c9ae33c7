package dev.stowaway.agent.resolve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random strings built from the grammar's own pieces, from a fixed seed: the parser answers each
 * with placeholders or a {@link PlaceholderSyntaxException} naming a position, and nothing else,
 * since it runs inside the application's {@code System.getProperty}.
 */
class PlaceholderParserFuzzTest {

  private static final String[] PIECES = {"{{resolve:", "}}", "{{", "}", "{", ":", "secretsmanager", "ssm",
      "ssm-secure", "SecretString", "AWSCURRENT", "AWSPREVIOUS", "prod/db", "password", "arn:aws:secretsmanager:us-east-1"
      + ":123456789012:secret:prod/db-a1B2c3", "/aws/reference/secretsmanager/x", "1", " ", "\u0000", "\uD83D\uDD11",
      "\\", "resolve", "::", ":::", "\n", "${x}", "%s", ""};

  @Test
  void randomTextIsParsedOrRefusedWithAPositionAndNothingElse() {
    Random random = new Random(0x9A2E);
    int parsed = 0;
    int refused = 0;
    int placeholders = 0;
    List<String> unexpected = new ArrayList<>();
    for (int i = 0; i < 200_000; i++) {
      StringBuilder text = new StringBuilder();
      if (random.nextBoolean()) {
        // Near the grammar: a well-formed reference, sometimes with one piece swapped for another.
        String[] parts = {"{{resolve:", random.nextBoolean() ? "secretsmanager:" : "ssm:", "prod/db",
            random.nextBoolean() ? ":SecretString:password" : "", random.nextInt(4) == 0 ? ":AWSPREVIOUS" : "", "}}"};
        if (random.nextInt(3) == 0) {
          parts[random.nextInt(parts.length)] = PIECES[random.nextInt(PIECES.length)];
        }
        text.append(random.nextBoolean() ? "jdbc:x://h/db?password=" : "").append(String.join("", parts));
      }
      for (int n = random.nextInt(6); n > 0; n--) {
        text.append(random.nextInt(8) == 0 ? String.valueOf((char) random.nextInt(0x3000)) : PIECES[random.nextInt(
            PIECES.length)]);
      }
      try {
        List<Placeholder> found = PlaceholderParser.parse(text.toString());
        placeholders += found.size();
        parsed++;
      } catch (PlaceholderSyntaxException e) {
        assertTrue(e.getMessage().matches("(?s).*position \\d+.*"), e.getMessage());
        refused++;
      } catch (RuntimeException e) {
        unexpected.add(e + " for " + text);
      }
    }
    System.out.printf("placeholder fuzz: 200000 strings, %d parsed (%d placeholders), %d refused with a position%n",
        parsed, placeholders, refused);
    assertEquals(List.of(), unexpected.subList(0, Math.min(10, unexpected.size())), unexpected.size() + " unexpected");
    assertTrue(placeholders > 1_000 && refused > 1_000, "the generator reaches both outcomes");
  }
}
