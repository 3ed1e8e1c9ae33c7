package dev.stowaway.sidecar.awsjson;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stowaway.sidecar.audit.ApiCall;
import dev.stowaway.vault.identity.Caller;
import java.util.Map;

/** One AWS JSON 1.1 service: its X-Amz-Target prefix, SigV4 service name and operations. */
interface JsonApi {

  String targetPrefix();

  String signingName();

  Map<String, Operation> operations();

  /**
   * Adds what the audit record should say beyond parameters and result: the resources touched,
   * additional event data. Sees the raw result (or null after an error); must copy nothing secret.
   */
  default void annotate(ApiCall call, String operation, ObjectNode request, ObjectNode result) {}

  /** The wire name of a vault refusal in this service (KMS names them differently). */
  default String errorType(dev.stowaway.vault.VaultError error) {
    return VaultErrors.type(error);
  }

  @FunctionalInterface
  interface Operation {
    ObjectNode invoke(JsonInput input, Caller caller);
  }
}
