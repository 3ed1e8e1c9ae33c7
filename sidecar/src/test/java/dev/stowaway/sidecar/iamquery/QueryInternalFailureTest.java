package dev.stowaway.sidecar.iamquery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.stowaway.sidecar.audit.ApiCall;
import dev.stowaway.sidecar.auth.SigV4Verifier;
import dev.stowaway.sidecar.auth.SignedRequest;
import dev.stowaway.sidecar.http.Reply;
import dev.stowaway.sidecar.testing.SignedHttp;
import dev.stowaway.vault.Vault;
import dev.stowaway.vault.store.SecretStore;
import dev.stowaway.vault.store.StoreTransaction;
import dev.stowaway.vault.store.StoreView;
import dev.stowaway.vault.store.mapdb.MapDbSecretStore;
import dev.stowaway.vault.testing.MutableClock;
import dev.stowaway.vault.testing.TestVaults;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An unexpected error behind the IAM and STS Query API (a bug, a store that fails) is answered as
 * AWS's Query services answer it: XML {@code InternalFailure}, 500, without the cause on the wire.
 */
class QueryInternalFailureTest {

  private static final String IAM_XMLNS = "https://iam.amazonaws.com/doc/2010-05-08/";
  private static final String STS_XMLNS = "https://sts.amazonaws.com/doc/2011-06-15/";

  /** A store that works until told to fail, then fails every unit of work as a broken disk would. */
  private static final class BreakableStore implements SecretStore {
    private final SecretStore inner = MapDbSecretStore.openInMemory();
    private volatile boolean broken;

    @Override
    public <T> T read(Function<? super StoreView, T> work) {
      if (broken) {
        throw new IllegalStateException("the disk is on fire at /secret/path");
      }
      return inner.read(work);
    }

    @Override
    public <T> T write(Function<? super StoreTransaction, T> work) {
      if (broken) {
        throw new IllegalStateException("the disk is on fire at /secret/path");
      }
      return inner.write(work);
    }

    @Override
    public void close() {
      inner.close();
    }
  }

  private final MutableClock clock = MutableClock.at("2026-06-01T00:00:10Z");
  private final BreakableStore store = new BreakableStore();
  private final Vault vault = TestVaults.open(store, TestVaults.rootKey(7), clock);
  private final QueryProtocol query = new QueryProtocol(vault, new SigV4Verifier(vault.accessKeys(), clock,
      TestVaults.REGION), TestVaults.ACCOUNT);

  @AfterEach
  void close() {
    vault.close();
  }

  private Reply send(String service, String form, ApiCall call) {
    byte[] body = form.getBytes(StandardCharsets.UTF_8);
    Map<String, List<String>> signed = SignedHttp.sign("POST", URI.create("http://127.0.0.1:2773/"),
        Map.of("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"), body, "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "us-east-1", service, clock);
    Map<String, List<String>> headers = new LinkedHashMap<>();
    signed.forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values));
    return query.handle(new SignedRequest("POST", "/", null, headers, body), "127.0.0.1", call);
  }

  private static String internalFailure(String xmlns, String requestId) {
    return "<ErrorResponse xmlns=\"" + xmlns + "\"><Error><Type>Receiver</Type><Code>InternalFailure</Code>"
        + "<Message>The request processing has failed because of an unknown error, exception or failure.</Message>"
        + "</Error><RequestId>" + requestId + "</RequestId></ErrorResponse>";
  }

  @Test
  void anUnexpectedErrorOnIamIsAnXmlInternalFailure() {
    store.broken = true;
    ApiCall call = new ApiCall("req-iam", clock.instant(), "127.0.0.1", "test", "AKIAIOSFODNN7EXAMPLE");
    Reply reply = send("iam", "Action=ListUsers&Version=2010-05-08", call);
    assertEquals(500, reply.status());
    assertEquals("text/xml", reply.contentType());
    assertEquals(internalFailure(IAM_XMLNS, "req-iam"), new String(reply.body(), StandardCharsets.UTF_8));
    assertEquals("InternalFailure", call.errorCode());
  }

  @Test
  void anUnexpectedErrorOnStsIsAnXmlInternalFailureInStsNamespace() {
    store.broken = true;
    ApiCall call = new ApiCall("req-sts", clock.instant(), "127.0.0.1", "test", "AKIAIOSFODNN7EXAMPLE");
    Reply reply = send("sts", "Action=GetCallerIdentity&Version=2011-06-15", call);
    assertEquals(500, reply.status());
    assertEquals(internalFailure(STS_XMLNS, "req-sts"), new String(reply.body(), StandardCharsets.UTF_8));
  }
}
