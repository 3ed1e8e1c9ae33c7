package dev.stowaway.agent.instrument;

import java.util.Properties;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Inlined into every {@code java.sql.Driver.connect(String, Properties)}. On entry the URL and the
 * connection properties (user, password, …) are resolved for this connection only, so each new
 * physical connection uses the value current at that moment. On a refused login the agent may
 * fetch again and reconnect (the rotation window); otherwise the original failure stands.
 */
public final class DriverConnectAdvice {

  private DriverConnectAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static void enter(@Advice.Argument(value = 0, readOnly = false) String url,
      @Advice.Argument(value = 1, readOnly = false) Properties info,
      @Advice.Local("givenUrl") String givenUrl,
      @Advice.Local("givenInfo") Properties givenInfo) {
    givenUrl = url;
    givenInfo = info;
    url = dev.stowaway.agent.bootstrap.PlaceholderHook.resolve(url);
    info = dev.stowaway.agent.bootstrap.PlaceholderHook.resolveConnectionProperties(info);
  }

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(@Advice.This Object driver,
      @Advice.Local("givenUrl") String givenUrl,
      @Advice.Local("givenInfo") Properties givenInfo,
      @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object connection,
      @Advice.Thrown(readOnly = false) Throwable thrown) {
    if (thrown != null) {
      Object retried = dev.stowaway.agent.bootstrap.PlaceholderHook.retryConnect(driver, givenUrl, givenInfo, thrown);
      if (retried != null) {
        connection = retried;
        thrown = null;
      }
    }
  }
}
