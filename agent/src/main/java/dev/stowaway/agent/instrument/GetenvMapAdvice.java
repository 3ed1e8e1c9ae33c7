package dev.stowaway.agent.instrument;

import java.util.Map;
import net.bytebuddy.asm.Advice;

/** Inlined into {@code System.getenv()}: the map it returns resolves placeholders as it is read. */
public final class GetenvMapAdvice {

  private GetenvMapAdvice() {}

  @Advice.OnMethodExit(suppress = Throwable.class)
  public static void exit(@Advice.Return(readOnly = false) Map<String, String> env) {
    env = dev.stowaway.agent.bootstrap.PlaceholderHook.environment(env);
  }
}
