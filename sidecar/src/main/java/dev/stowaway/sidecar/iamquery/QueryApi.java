package dev.stowaway.sidecar.iamquery;

import dev.stowaway.vault.identity.Caller;
import java.util.Map;

/** One Query-protocol service: its API version, SigV4 name, XML namespace and actions. */
interface QueryApi {

  String version();

  String signingName();

  String namespace();

  Map<String, Action> actions();

  /** Writes the action's {@code <ActionResult>} contents (possibly nothing) into {@code xml}. */
  @FunctionalInterface
  interface Action {
    void invoke(QueryInput input, Caller caller, Xml xml);
  }
}
