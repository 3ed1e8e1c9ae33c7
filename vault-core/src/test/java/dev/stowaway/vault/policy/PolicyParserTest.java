package dev.stowaway.vault.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PolicyParserTest {

  @ParameterizedTest(name = "{1}")
  @CsvSource(delimiter = '|', value = {
      "not json|Syntax errors in policy: the document is not valid JSON.",
      "[]|Syntax errors in policy: the document must be a JSON object.",
      "{\"Version\":\"2012-10-17\"}|Missing required field Statement",
      "{\"Statement\":[]}|Syntax errors in policy: Statement is empty.",
      "{\"Version\":\"2020-01-01\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}}|The policy failed legacy parsing: Version must be 2012-10-17 or 2008-10-17.",
      "{\"Statement\":{\"Action\":\"*\",\"Resource\":\"*\"}}|Missing required field Effect in Statement 1",
      "{\"Statement\":{\"Effect\":\"Maybe\",\"Action\":\"*\",\"Resource\":\"*\"}}|Invalid effect: Maybe in Statement 1",
      "{\"Statement\":{\"Effect\":\"Allow\",\"Resource\":\"*\"}}|Missing required field Action in Statement 1",
      "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"NotAction\":\"iam:*\",\"Resource\":\"*\"}}|Statement 1 has both Action and NotAction",
      "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\"}}|Missing required field Resource in Statement 1",
      "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"GetSecretValue\",\"Resource\":\"*\"}}|Action GetSecretValue in Statement 1 must be service:action, such as secretsmanager:GetSecretValue",
      "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Principal\":\"*\"}}|Policy document should not specify a principal.",
      "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Colour\":\"blue\"}}|Unknown field Colour in Statement 1",
      "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"StringSorta\":{\"a\":\"b\"}}}}|Invalid Condition type : StringSorta in Statement 1",
      "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"NullIfExists\":{\"a\":\"b\"}}}}|Invalid Condition type : NullIfExists in Statement 1",
      "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":[1],\"Resource\":\"*\"}}|Syntax errors in policy: Statement 1 lists a value that is not a string.",
      "{\"Bogus\":1,\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}}|Unknown field Bogus"})
  void malformedIdentityPoliciesSayWhatIsWrong(String document, String message) {
    MalformedPolicyException e = assertThrows(MalformedPolicyException.class, () -> PolicyParser.identity("p", document));
    assertEquals(message, e.getMessage());
  }

  @Test
  void resourcePoliciesNeedAPrincipal() {
    MalformedPolicyException e = assertThrows(MalformedPolicyException.class, () -> PolicyParser.resource("r",
        "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}}"));
    assertEquals("Missing required field Principal in Statement 1", e.getMessage());
  }

  @Test
  void deniedMessagesHaveAwsShape() {
    RequestContext r = new RequestContext("arn:aws:iam::123456789012:user/app", "secretsmanager:GetSecretValue",
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:dev/db-a1B2c3", Map.of());
    Decision implicit = PolicyEvaluator.evaluate(List.of(), null, r);
    assertEquals("User: arn:aws:iam::123456789012:user/app is not authorized to perform: secretsmanager:GetSecretValue "
        + "on resource: arn:aws:secretsmanager:us-east-1:123456789012:secret:dev/db-a1B2c3 because no identity-based "
        + "policy allows the secretsmanager:GetSecretValue action", implicit.deniedMessage(r.principalArn(), r.action(), r.resource()));
    Decision explicit = PolicyEvaluator.evaluate(List.of(PolicyParser.identity("user/app/inline/deny",
        "{\"Statement\":{\"Sid\":\"NoDev\",\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\"}}")), null, r);
    assertEquals("user/app/inline/deny", explicit.policy());
    assertEquals("NoDev", explicit.sid());
    assertEquals("User: arn:aws:iam::123456789012:user/app is not authorized to perform: secretsmanager:GetSecretValue "
        + "on resource: arn:aws:secretsmanager:us-east-1:123456789012:secret:dev/db-a1B2c3 with an explicit deny in an "
        + "identity-based policy", explicit.deniedMessage(r.principalArn(), r.action(), r.resource()));
  }

  @Test
  void trustPolicyNeedsPrincipalsAndNoResource() {
    String trust = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
        + "\"arn:aws:iam::123456789012:user/app\"},\"Action\":\"sts:AssumeRole\"}}";
    assertEquals(1, PolicyParser.trust("trust", trust).statements().size());
    assertEquals("Has prohibited field Resource", assertThrows(MalformedPolicyException.class,
        () -> PolicyParser.trust("trust", trust.replace("\"Action\"", "\"Resource\":\"*\",\"Action\""))).getMessage());
    assertEquals("Missing required field Principal in Statement 1", assertThrows(MalformedPolicyException.class,
        () -> PolicyParser.trust("trust", "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\"}}"))
        .getMessage());
  }
}
