package dev.stowaway.agent.instrument;

import java.util.Properties;
import net.bytebuddy.asm.Advice;

/**
 * Inlined at the entry of every {@code java.sql.Driver.connect(String, Properties)}: the URL and
 * the connection properties (user, password, …) are resolved for this connection only, so each
 * new physical connection uses the value current at that moment.
 */
public final class DriverConnectAdvice {

  private DriverConnectAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static void enter(@Advice.Argument(value = 0, readOnly = false) String url,
      @Advice.Argument(value = 1, readOnly = false) Properties info) {
    url = dev.stowaway.agent.bootstrap.PlaceholderHook.resolve(url);
    info = dev.stowaway.agent.bootstrap.PlaceholderHook.resolveProperties(info);
  }
}
