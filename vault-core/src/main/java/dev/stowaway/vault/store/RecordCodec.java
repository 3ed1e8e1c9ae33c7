package dev.stowaway.vault.store;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.Arrays;

/**
 * Our own versioned record format for adapters that store bytes: one format byte, then the
 * record as JSON. Unknown fields are ignored so newer records stay readable by older code.
 */
public final class RecordCodec {

  private static final byte FORMAT_V1 = 1;

  private final ObjectMapper json = JsonMapper.builder()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .build();

  public byte[] encode(Object record) {
    try {
      byte[] body = json.writeValueAsBytes(record);
      byte[] out = new byte[body.length + 1];
      out[0] = FORMAT_V1;
      System.arraycopy(body, 0, out, 1, body.length);
      return out;
    } catch (IOException e) {
      throw new StoreException("cannot encode " + record.getClass().getSimpleName(), e);
    }
  }

  public <T> T decode(byte[] bytes, Class<T> type) {
    if (bytes.length == 0 || bytes[0] != FORMAT_V1) {
      throw new StoreException("unknown record format for " + type.getSimpleName());
    }
    try {
      return json.readValue(Arrays.copyOfRange(bytes, 1, bytes.length), type);
    } catch (IOException e) {
      throw new StoreException("damaged " + type.getSimpleName() + " record", e);
    }
  }
}
