package dev.stowaway.agent.instrument;

import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Inlined at the entry of MariaDB Connector/J's static {@code Driver.connect(Configuration)}, the
 * path its own DataSource takes: user and password are resolved for this connection only.
 */
public final class MariaDbConnectAdvice {

  private MariaDbConnectAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static void enter(
      @Advice.Argument(value = 0, readOnly = false, typing = Assigner.Typing.DYNAMIC) Object configuration)
      throws Exception {
    configuration = dev.stowaway.agent.bootstrap.PlaceholderHook.resolveMariaDbConfiguration(configuration);
  }
}
