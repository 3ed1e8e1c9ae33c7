package dev.stowaway.sidecar.awsjson;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stowaway.vault.identity.Caller;
import java.util.Map;

/** One AWS JSON 1.1 service: its X-Amz-Target prefix, SigV4 service name and operations. */
interface JsonApi {

  String targetPrefix();

  String signingName();

  Map<String, Operation> operations();

  @FunctionalInterface
  interface Operation {
    ObjectNode invoke(JsonInput input, Caller caller);
  }
}
