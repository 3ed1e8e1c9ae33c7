package dev.stowaway.agent.instrument;

import net.bytebuddy.asm.Advice;

/** Inlined at the end of HikariDataSource's constructors: the agent learns of each pool. */
public final class HikariDataSourceAdvice {

  private HikariDataSourceAdvice() {}

  @Advice.OnMethodExit(suppress = Throwable.class)
  public static void exit(@Advice.This Object dataSource) {
    dev.stowaway.agent.bootstrap.PoolRegistry.register(dataSource);
  }
}
