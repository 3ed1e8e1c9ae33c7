package dev.stowaway.sidecar.iamquery;

import java.util.Map;

/** The STS Query actions ({@code Version=2011-06-15}): GetCallerIdentity, the first thing users run. */
final class StsApi implements QueryApi {

  private final Map<String, Action> actions = Map.of("GetCallerIdentity", (in, caller, xml) ->
      xml.element("Arn", caller.arn()).element("UserId", caller.userId())
          .element("Account", caller.arn().split(":")[4]));

  @Override
  public String version() {
    return "2011-06-15";
  }

  @Override
  public String signingName() {
    return "sts";
  }

  @Override
  public String namespace() {
    return "https://sts.amazonaws.com/doc/2011-06-15/";
  }

  @Override
  public Map<String, Action> actions() {
    return actions;
  }
}
