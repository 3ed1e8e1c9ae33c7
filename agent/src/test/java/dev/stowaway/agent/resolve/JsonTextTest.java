package dev.stowaway.agent.resolve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTextTest {

  @Test
  void readsTheShapesTheSidecarSends() throws Exception {
    Map<?, ?> m = (Map<?, ?>) JsonText.parse(" {\"ARN\":\"arn:x\",\"n\":-12.5e3,\"ok\":true,\"none\":null,"
        + "\"stages\":{\"v1\":[\"AWSCURRENT\",\"AWSPENDING\"]},\"empty\":{},\"list\":[]} ");
    assertEquals("arn:x", m.get("ARN"));
    assertEquals("-12.5e3", JsonText.scalarText(m.get("n")));
    assertEquals("true", JsonText.scalarText(m.get("ok")));
    assertSame(JsonText.NULL, m.get("none"));
    assertEquals(List.of("AWSCURRENT", "AWSPENDING"), ((Map<?, ?>) m.get("stages")).get("v1"));
    assertTrue(((Map<?, ?>) m.get("empty")).isEmpty());
    assertEquals(List.of(), m.get("list"));
  }

  @Test
  void unescapesStringsAndKeepsTheFirstOfDuplicateKeys() throws Exception {
    Map<?, ?> m = (Map<?, ?>) JsonText.parse("{\"p\":\"a\\\"b\\\\c\\/d\\n\\u00e9\\t\",\"p\":\"second\"}");
    assertEquals("a\"b\\c/d\né\t", m.get("p"));
  }

  @Test
  void refusesWhatIsNotJsonNamingAPositionAndNotTheText() {
    for (String bad : List.of("", "{", "{\"a\"}", "{\"a\":}", "[1,]", "\"open", "01", "1.", "tru", "{} x",
        "{\"a\":\"\u0001\"}", "\"\\x\"")) {
      JsonText.MalformedException e = assertThrows(JsonText.MalformedException.class, () -> JsonText.parse(bad), bad);
      assertTrue(e.getMessage().contains("position"), e.getMessage());
      assertFalse(!bad.isEmpty() && bad.length() > 3 && e.getMessage().contains(bad), e.getMessage());
    }
    assertThrows(JsonText.MalformedException.class, () -> JsonText.parse("[".repeat(100) + "]".repeat(100)));
  }

  @Test
  void writesObjectsThatReadBackTheSame() throws Exception {
    Map<String, String> members = new LinkedHashMap<>();
    members.put("SecretId", "prod/\"db\"\\\n\u0002");
    members.put("WithDecryption", "true");
    String json = JsonText.object(members, "WithDecryption");
    assertEquals("{\"SecretId\":\"prod/\\\"db\\\"\\\\\\n\\u0002\",\"WithDecryption\":true}", json);
    Map<?, ?> back = (Map<?, ?>) JsonText.parse(json);
    assertEquals("prod/\"db\"\\\n\u0002", back.get("SecretId"));
    assertEquals("true", JsonText.scalarText(back.get("WithDecryption")));
  }
}
