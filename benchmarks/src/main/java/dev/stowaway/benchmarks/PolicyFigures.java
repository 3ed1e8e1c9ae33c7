package dev.stowaway.benchmarks;

import dev.stowaway.vault.Vault;
import dev.stowaway.vault.identity.Caller;
import dev.stowaway.vault.identity.IdentityService;
import dev.stowaway.vault.identity.NewAccessKey;
import dev.stowaway.vault.identity.Principal;
import dev.stowaway.vault.kms.RootKey;
import dev.stowaway.vault.policy.Decision;
import dev.stowaway.vault.policy.Policy;
import dev.stowaway.vault.policy.PolicyEvaluator;
import dev.stowaway.vault.policy.PolicyParser;
import dev.stowaway.vault.policy.RequestContext;
import dev.stowaway.vault.store.mapdb.MapDbSecretStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * Policy evaluation throughput for the README: a 20-statement policy with conditions, evaluated
 * alone and through the Authorizer (which also reads the user's policies from the store).
 * Run: {@code mvn -q -B -DskipTests install && mvn -q -pl benchmarks exec:exec -Dbench.main=dev.stowaway.benchmarks.PolicyFigures}.
 */
public final class PolicyFigures {

  private static volatile Object sink;

  private PolicyFigures() {}

  public static String twentyStatements() {
    StringBuilder p = new StringBuilder("{\"Version\":\"2012-10-17\",\"Statement\":[");
    for (int i = 0; i < 19; i++) {
      p.append("{\"Sid\":\"S").append(i).append("\",\"Effect\":\"Allow\",\"Action\":[\"secretsmanager:Get*\",")
          .append("\"secretsmanager:Describe*\"],\"Resource\":\"arn:aws:secretsmanager:*:*:secret:team").append(i)
          .append("/*\",\"Condition\":{\"StringEquals\":{\"secretsmanager:VersionStage\":\"AWSCURRENT\"},")
          .append("\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"},\"Bool\":{\"aws:SecureTransport\":\"false\"}}},");
    }
    p.append("{\"Sid\":\"Last\",\"Effect\":\"Allow\",\"Action\":\"secretsmanager:GetSecretValue\",")
        .append("\"Resource\":\"arn:aws:secretsmanager:*:*:secret:prod/*\",\"Condition\":{")
        .append("\"StringLike\":{\"secretsmanager:Name\":\"prod/*\"},\"DateLessThan\":{\"aws:CurrentTime\":\"2099-01-01T00:00:00Z\"}}}]}");
    return p.toString();
  }

  public static void main(String[] args) {
    String document = twentyStatements();
    Policy policy = PolicyParser.identity("bench", document);
    String resource = "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-a1B2c3";
    RequestContext request = new RequestContext("arn:aws:iam::123456789012:user/app", "secretsmanager:GetSecretValue",
        resource, Map.of("secretsmanager:Name", List.of("prod/db"), "secretsmanager:VersionStage", List.of("AWSCURRENT"),
            "aws:SourceIp", List.of("10.1.2.3"), "aws:SecureTransport", List.of("false"),
            "aws:CurrentTime", List.of("2026-11-29T10:00:00Z")));
    Decision d = PolicyEvaluator.evaluate(List.of(policy), null, request);
    if (!d.allowed() || !"Last".equals(d.sid())) {
      throw new IllegalStateException("the benchmark policy should allow through its last statement: " + d);
    }
    double evaluatorPerSecond = rate(() -> sink = PolicyEvaluator.evaluate(List.of(policy), null, request));

    SecureRandom random = new SecureRandom();
    try (Vault vault = Vault.open(MapDbSecretStore.openInMemory(), RootKey.generate(random), Clock.systemUTC(), random,
        "us-east-1", "123456789012")) {
      IdentityService iam = vault.identity();
      iam.createUser("app", null);
      iam.putUserPolicy("app", "bench", document);
      NewAccessKey key = iam.createAccessKey("app");
      Caller caller = iam.callerFor(new Principal("app", iam.userArn("app"), key.accessKeyId()), "10.1.2.3", false);
      Map<String, List<String>> keys = Map.of("secretsmanager:Name", List.of("prod/db"),
          "secretsmanager:VersionStage", List.of("AWSCURRENT"));
      double authorizerPerSecond = rate(() -> vault.authorizer().authorize(caller, "secretsmanager:GetSecretValue",
          resource, keys, null));
      System.out.println("| figure | result |");
      System.out.println("|---|---|");
      System.out.printf("| policy evaluation, 20 statements with conditions, the last one deciding | %,.0f / s (%.1f µs each) |%n",
          evaluatorPerSecond, 1e6 / evaluatorPerSecond);
      System.out.printf("| authorization on a request's path (the user's compiled policies, cached until an identity changes) | %,.0f / s (%.1f µs each) |%n",
          authorizerPerSecond, 1e6 / authorizerPerSecond);
      System.out.printf("%nMachine: %d cores, %s %s, Java %s%n", Runtime.getRuntime().availableProcessors(),
          System.getProperty("os.name"), System.getProperty("os.arch"), System.getProperty("java.version"));
    }
  }

  /** Operations per second of {@code op}: the best of five one-second rounds after a warm-up. */
  private static double rate(Runnable op) {
    long warmUntil = System.nanoTime() + 2_000_000_000L;
    while (System.nanoTime() < warmUntil) {
      op.run();
    }
    double best = 0;
    for (int round = 0; round < 5; round++) {
      long n = 0;
      long start = System.nanoTime();
      long end = start + 1_000_000_000L;
      long now;
      do {
        for (int i = 0; i < 100; i++) {
          op.run();
        }
        n += 100;
        now = System.nanoTime();
      } while (now < end);
      best = Math.max(best, n * 1e9 / (now - start));
    }
    return best;
  }
}
