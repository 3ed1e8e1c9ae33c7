package dev.stowaway.vault.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.stowaway.vault.policy.Decision.Outcome;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** IAM evaluation, case by case: AWS's documented Secrets Manager examples and the corner cases. */
class PolicyEvaluatorTest {

  static final String ACCOUNT = "123456789012";
  static final String APP = "arn:aws:iam::" + ACCOUNT + ":user/app";
  static final String OTHER = "arn:aws:iam::" + ACCOUNT + ":user/other";
  static final String PROD_DB = "arn:aws:secretsmanager:us-east-1:" + ACCOUNT + ":secret:prod/db-a1B2c3";
  static final String DEV_DB = "arn:aws:secretsmanager:us-east-1:" + ACCOUNT + ":secret:dev/db-d4E5f6";
  static final String PREFIX_PROD = "arn:aws:secretsmanager:us-east-1:" + ACCOUNT + ":secret:prod/*";

  static final String ALLOW = Outcome.ALLOWED.name();
  static final String IMPLICIT = Outcome.IMPLICIT_DENY.name();
  static final String DENY_ID = Outcome.EXPLICIT_DENY_IDENTITY.name();
  static final String DENY_RES = Outcome.EXPLICIT_DENY_RESOURCE.name();

  static String stmt(String effect, String action, String resource, String condition) {
    return "{\"Effect\":\"" + effect + "\"," + action + "," + resource
        + (condition == null ? "" : ",\"Condition\":" + condition) + "}";
  }

  static String policy(String... statements) {
    return "{\"Version\":\"2012-10-17\",\"Statement\":[" + String.join(",", statements) + "]}";
  }

  static final String READ_PROD = policy(stmt("Allow",
      "\"Action\":[\"secretsmanager:GetSecretValue\",\"secretsmanager:DescribeSecret\"]",
      "\"Resource\":\"" + PREFIX_PROD + "\"", null));

  record Case(String name, String identity, String resourcePolicy, String principal, String action, String resource,
      Map<String, List<String>> keys, String expected) {
    @Override
    public String toString() {
      return name;
    }
  }

  static final List<Case> CASES = new ArrayList<>();
  /** The principal has no identity policy at all. */
  static final String NONE = null;

  static void add(String name, String identity, String action, String resource, String expected, String... keys) {
    addFull(name, identity, null, APP, action, resource, expected, keys);
  }

  static void addFull(String name, String identity, String resourcePolicy, String principal, String action,
      String resource, String expected, String... keys) {
    Map<String, List<String>> k = new LinkedHashMap<>();
    for (String kv : keys) {
      int eq = kv.indexOf('=');
      k.put(kv.substring(0, eq), kv.substring(eq + 1).isEmpty() ? List.of() : List.of(kv.substring(eq + 1).split("\\|")));
    }
    CASES.add(new Case(name, identity, resourcePolicy, principal, action, resource, k, expected));
  }

  static {
    // AWS's Secrets Manager example: read-only on a prefix
    add("read-only prefix: GetSecretValue on prod/db", READ_PROD, "secretsmanager:GetSecretValue", PROD_DB, ALLOW);
    add("read-only prefix: DescribeSecret on prod/db", READ_PROD, "secretsmanager:DescribeSecret", PROD_DB, ALLOW);
    add("read-only prefix: dev/db is outside it", READ_PROD, "secretsmanager:GetSecretValue", DEV_DB, IMPLICIT);
    add("read-only prefix: PutSecretValue is not granted", READ_PROD, "secretsmanager:PutSecretValue", PROD_DB, IMPLICIT);
    add("read-only prefix: iam actions are not granted", READ_PROD, "iam:CreateUser", "arn:aws:iam::" + ACCOUNT + ":user/x", IMPLICIT);
    add("no policy at all is an implicit deny", NONE, "secretsmanager:GetSecretValue", PROD_DB, IMPLICIT);

    // Deny on a tag (AWS example: deny access to secrets tagged as restricted)
    String denyTag = policy(stmt("Allow", "\"Action\":\"secretsmanager:*\"", "\"Resource\":\"*\"", null),
        stmt("Deny", "\"Action\":\"secretsmanager:GetSecretValue\"", "\"Resource\":\"*\"",
            "{\"StringEquals\":{\"secretsmanager:ResourceTag/classification\":\"restricted\"}}"));
    add("deny on tag: tagged secret is denied", denyTag, "secretsmanager:GetSecretValue", PROD_DB, DENY_ID,
        "secretsmanager:ResourceTag/classification=restricted");
    add("deny on tag: other tag value is allowed", denyTag, "secretsmanager:GetSecretValue", PROD_DB, ALLOW,
        "secretsmanager:ResourceTag/classification=public");
    add("deny on tag: untagged secret is allowed", denyTag, "secretsmanager:GetSecretValue", PROD_DB, ALLOW);
    add("deny on tag: other actions stay allowed", denyTag, "secretsmanager:DescribeSecret", PROD_DB, ALLOW,
        "secretsmanager:ResourceTag/classification=restricted");
    add("condition keys compare without regard to case", denyTag, "secretsmanager:GetSecretValue", PROD_DB, DENY_ID,
        "SecretsManager:resourcetag/classification=restricted");

    // Resource policy granting another user
    String grantApp = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\""
        + APP + "\"},\"Action\":\"secretsmanager:GetSecretValue\",\"Resource\":\"*\"}}";
    addFull("resource policy grants the named user", NONE, grantApp, APP, "secretsmanager:GetSecretValue",
        PROD_DB, ALLOW);
    addFull("resource policy does not grant another user", NONE, grantApp, OTHER,
        "secretsmanager:GetSecretValue", PROD_DB, IMPLICIT);
    addFull("resource policy grants only its action", NONE, grantApp, APP, "secretsmanager:PutSecretValue",
        PROD_DB, IMPLICIT);
    String denyOthers = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Deny\",\"NotPrincipal\":{\"AWS\":\""
        + APP + "\"},\"Action\":\"secretsmanager:*\",\"Resource\":\"*\"}}";
    addFull("NotPrincipal deny spares the named user", READ_PROD, denyOthers, APP, "secretsmanager:GetSecretValue",
        PROD_DB, ALLOW);
    addFull("NotPrincipal deny hits everyone else", READ_PROD, denyOthers, OTHER, "secretsmanager:GetSecretValue",
        PROD_DB, DENY_RES);
    String wholeAccount = "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::" + ACCOUNT
        + ":root\"},\"Action\":\"secretsmanager:GetSecretValue\",\"Resource\":\"*\"}}";
    addFull("account principal alone grants nothing: it defers to identity policies", NONE, wholeAccount, OTHER,
        "secretsmanager:GetSecretValue", PROD_DB, IMPLICIT);
    addFull("account principal with an identity allow", READ_PROD, wholeAccount, APP,
        "secretsmanager:GetSecretValue", PROD_DB, ALLOW);
    String toRole = "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::" + ACCOUNT
        + ":role/reader\"},\"Action\":\"secretsmanager:GetSecretValue\",\"Resource\":\"*\"}}";
    addFull("a role ARN in a resource policy grants every session of the role", NONE, toRole,
        "arn:aws:sts::" + ACCOUNT + ":assumed-role/reader/any-session", "secretsmanager:GetSecretValue", PROD_DB,
        ALLOW);
    addFull("a role ARN does not grant another role's sessions", NONE, toRole,
        "arn:aws:sts::" + ACCOUNT + ":assumed-role/writer/any-session", "secretsmanager:GetSecretValue", PROD_DB,
        IMPLICIT);
    addFull("a bare account id in a Deny covers every principal of the account", READ_PROD,
        wholeAccount.replace("Allow", "Deny").replace("arn:aws:iam::" + ACCOUNT + ":root", ACCOUNT), APP,
        "secretsmanager:GetSecretValue", PROD_DB, DENY_RES);
    addFull("account principal in a Deny covers every principal of the account", READ_PROD,
        wholeAccount.replace("Allow", "Deny"), APP, "secretsmanager:GetSecretValue", PROD_DB, DENY_RES);
    addFull("account root principal excludes other accounts", NONE, wholeAccount,
        "arn:aws:iam::999999999999:user/x", "secretsmanager:GetSecretValue", PROD_DB, IMPLICIT);
    String anyone = "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"secretsmanager:GetSecretValue\",\"Resource\":\"*\"}}";
    addFull("Principal * allows anyone", NONE, anyone, OTHER, "secretsmanager:GetSecretValue", PROD_DB, ALLOW);
    String identityDeny = policy(stmt("Deny", "\"Action\":\"secretsmanager:GetSecretValue\"", "\"Resource\":\"*\"", null));
    addFull("identity deny beats a resource allow", identityDeny, grantApp, APP, "secretsmanager:GetSecretValue",
        PROD_DB, DENY_ID);
    String resourceDeny = "{\"Statement\":{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"secretsmanager:GetSecretValue\",\"Resource\":\"*\"}}";
    addFull("resource deny beats an identity allow", READ_PROD, resourceDeny, APP, "secretsmanager:GetSecretValue",
        PROD_DB, DENY_RES);

    // NotAction
    String notIam = policy(stmt("Allow", "\"NotAction\":\"iam:*\"", "\"Resource\":\"*\"", null));
    add("NotAction allows what it does not name", notIam, "secretsmanager:GetSecretValue", PROD_DB, ALLOW);
    add("NotAction does not allow what it names", notIam, "iam:CreateUser", "arn:aws:iam::" + ACCOUNT + ":user/x", IMPLICIT);
    String denyNotRead = policy(stmt("Allow", "\"Action\":\"secretsmanager:*\"", "\"Resource\":\"*\"", null),
        stmt("Deny", "\"NotAction\":[\"secretsmanager:GetSecretValue\",\"secretsmanager:Describe*\"]", "\"Resource\":\"*\"", null));
    add("Deny NotAction leaves the named reads", denyNotRead, "secretsmanager:DescribeSecret", PROD_DB, ALLOW);
    add("Deny NotAction denies the rest", denyNotRead, "secretsmanager:DeleteSecret", PROD_DB, DENY_ID);

    // Conditions on VersionStage
    String currentOnly = policy(stmt("Allow", "\"Action\":\"secretsmanager:GetSecretValue\"", "\"Resource\":\"*\"",
        "{\"StringEquals\":{\"secretsmanager:VersionStage\":\"AWSCURRENT\"}}"));
    add("VersionStage AWSCURRENT is allowed", currentOnly, "secretsmanager:GetSecretValue", PROD_DB, ALLOW,
        "secretsmanager:VersionStage=AWSCURRENT");
    add("VersionStage AWSPREVIOUS is not", currentOnly, "secretsmanager:GetSecretValue", PROD_DB, IMPLICIT,
        "secretsmanager:VersionStage=AWSPREVIOUS");
    add("VersionStage missing fails a plain condition", currentOnly, "secretsmanager:GetSecretValue", PROD_DB, IMPLICIT);
    String currentIfExists = policy(stmt("Allow", "\"Action\":\"secretsmanager:GetSecretValue\"", "\"Resource\":\"*\"",
        "{\"StringEqualsIfExists\":{\"secretsmanager:VersionStage\":\"AWSCURRENT\"}}"));
    add("IfExists passes when the key is missing", currentIfExists, "secretsmanager:GetSecretValue", PROD_DB, ALLOW);
    add("IfExists still checks a present key", currentIfExists, "secretsmanager:GetSecretValue", PROD_DB, IMPLICIT,
        "secretsmanager:VersionStage=AWSPENDING");
    String notPrevious = policy(stmt("Allow", "\"Action\":\"secretsmanager:GetSecretValue\"", "\"Resource\":\"*\"",
        "{\"StringNotEquals\":{\"secretsmanager:VersionStage\":[\"AWSPREVIOUS\",\"AWSPENDING\"]}}"));
    add("negated operator with a missing key is true", notPrevious, "secretsmanager:GetSecretValue", PROD_DB, ALLOW);
    add("negated operator values are AND-ed (current passes)", notPrevious, "secretsmanager:GetSecretValue", PROD_DB,
        ALLOW, "secretsmanager:VersionStage=AWSCURRENT");
    add("negated operator values are AND-ed (pending fails)", notPrevious, "secretsmanager:GetSecretValue", PROD_DB,
        IMPLICIT, "secretsmanager:VersionStage=AWSPENDING");

    // Wildcards
    add("action wildcard Get*", policy(stmt("Allow", "\"Action\":\"secretsmanager:Get*\"", "\"Resource\":\"*\"", null)),
        "secretsmanager:GetSecretValue", PROD_DB, ALLOW);
    add("action wildcard Get* does not match Put", policy(stmt("Allow", "\"Action\":\"secretsmanager:Get*\"",
        "\"Resource\":\"*\"", null)), "secretsmanager:PutSecretValue", PROD_DB, IMPLICIT);
    add("action wildcard in the middle", policy(stmt("Allow", "\"Action\":\"secretsmanager:*Secret*\"",
        "\"Resource\":\"*\"", null)), "secretsmanager:ListSecretVersionIds", PROD_DB, ALLOW);
    add("action ? matches exactly one character", policy(stmt("Allow", "\"Action\":\"secretsmanager:?etSecretValue\"",
        "\"Resource\":\"*\"", null)), "secretsmanager:GetSecretValue", PROD_DB, ALLOW);
    add("action ? does not match two characters", policy(stmt("Allow", "\"Action\":\"secretsmanager:?SecretValue\"",
        "\"Resource\":\"*\"", null)), "secretsmanager:GetSecretValue", PROD_DB, IMPLICIT);
    add("actions compare without regard to case", policy(stmt("Allow", "\"Action\":\"SecretsManager:getsecretvalue\"",
        "\"Resource\":\"*\"", null)), "secretsmanager:GetSecretValue", PROD_DB, ALLOW);
    add("action * allows everything", policy(stmt("Allow", "\"Action\":\"*\"", "\"Resource\":\"*\"", null)),
        "iam:CreateUser", "arn:aws:iam::" + ACCOUNT + ":user/x", ALLOW);
    add("resources compare with case", policy(stmt("Allow", "\"Action\":\"*\"", "\"Resource\":\""
        + PREFIX_PROD.replace("prod", "PROD") + "\"", null)), "secretsmanager:GetSecretValue", PROD_DB, IMPLICIT);
    add("resource * spans colons and slashes", policy(stmt("Allow", "\"Action\":\"*\"",
        "\"Resource\":\"arn:aws:secretsmanager:*\"", null)), "secretsmanager:GetSecretValue", PROD_DB, ALLOW);
    add("resource suffix ?????? matches the random suffix", policy(stmt("Allow", "\"Action\":\"*\"",
        "\"Resource\":\"arn:aws:secretsmanager:us-east-1:" + ACCOUNT + ":secret:prod/db-??????\"", null)),
        "secretsmanager:GetSecretValue", PROD_DB, ALLOW);
    add("resource without wildcard needs the exact ARN", policy(stmt("Allow", "\"Action\":\"*\"",
        "\"Resource\":\"arn:aws:secretsmanager:us-east-1:" + ACCOUNT + ":secret:prod/db\"", null)),
        "secretsmanager:GetSecretValue", PROD_DB, IMPLICIT);

    // NotResource
    String allButProd = policy(stmt("Allow", "\"Action\":\"secretsmanager:*\"", "\"NotResource\":\"" + PREFIX_PROD + "\"", null));
    add("NotResource allows what it does not name", allButProd, "secretsmanager:GetSecretValue", DEV_DB, ALLOW);
    add("NotResource does not allow what it names", allButProd, "secretsmanager:GetSecretValue", PROD_DB, IMPLICIT);

    // Explicit deny against allow
    String allowAllDenyDelete = policy(stmt("Allow", "\"Action\":\"*\"", "\"Resource\":\"*\"", null),
        stmt("Deny", "\"Action\":\"secretsmanager:DeleteSecret\"", "\"Resource\":\"" + PREFIX_PROD + "\"", null));
    add("explicit deny beats allow *", allowAllDenyDelete, "secretsmanager:DeleteSecret", PROD_DB, DENY_ID);
    add("deny scoped to prod leaves dev", allowAllDenyDelete, "secretsmanager:DeleteSecret", DEV_DB, ALLOW);

    // Policy variables
    String ownPrefix = policy(stmt("Allow", "\"Action\":\"secretsmanager:GetSecretValue\"",
        "\"Resource\":\"arn:aws:secretsmanager:us-east-1:" + ACCOUNT + ":secret:${aws:username}/*\"", null));
    add("${aws:username} in Resource: own prefix", ownPrefix, "secretsmanager:GetSecretValue",
        "arn:aws:secretsmanager:us-east-1:" + ACCOUNT + ":secret:app/db-a1B2c3", ALLOW, "aws:username=app");
    add("${aws:username} in Resource: someone else's prefix", ownPrefix, "secretsmanager:GetSecretValue",
        "arn:aws:secretsmanager:us-east-1:" + ACCOUNT + ":secret:other/db-a1B2c3", IMPLICIT, "aws:username=app");
    add("${aws:username} without the key matches nothing", ownPrefix, "secretsmanager:GetSecretValue",
        "arn:aws:secretsmanager:us-east-1:" + ACCOUNT + ":secret:app/db-a1B2c3", IMPLICIT);
    String tagIsUser = policy(stmt("Allow", "\"Action\":\"*\"", "\"Resource\":\"*\"",
        "{\"StringEquals\":{\"secretsmanager:ResourceTag/owner\":\"${aws:username}\"}}"));
    add("${aws:username} in a condition value", tagIsUser, "secretsmanager:GetSecretValue", PROD_DB, ALLOW,
        "aws:username=app", "secretsmanager:ResourceTag/owner=app");

    // Other operators
    add("StringLike with wildcards", policy(stmt("Allow", "\"Action\":\"*\"", "\"Resource\":\"*\"",
        "{\"StringLike\":{\"secretsmanager:Name\":\"prod/*\"}}")), "secretsmanager:GetSecretValue", PROD_DB, ALLOW,
        "secretsmanager:Name=prod/db");
    add("StringNotLike on a match fails", policy(stmt("Allow", "\"Action\":\"*\"", "\"Resource\":\"*\"",
        "{\"StringNotLike\":{\"secretsmanager:Name\":\"prod/*\"}}")), "secretsmanager:GetSecretValue", PROD_DB,
        IMPLICIT, "secretsmanager:Name=prod/db");
    add("StringEqualsIgnoreCase", policy(stmt("Allow", "\"Action\":\"*\"", "\"Resource\":\"*\"",
        "{\"StringEqualsIgnoreCase\":{\"aws:username\":\"APP\"}}")), "secretsmanager:GetSecretValue", PROD_DB, ALLOW,
        "aws:username=app");
    String mfa = policy(stmt("Allow", "\"Action\":\"secretsmanager:DeleteSecret\"", "\"Resource\":\"*\"",
        "{\"Bool\":{\"aws:MultiFactorAuthPresent\":\"true\"}}"));
    add("Bool true", mfa, "secretsmanager:DeleteSecret", PROD_DB, ALLOW, "aws:MultiFactorAuthPresent=true");
    add("Bool false", mfa, "secretsmanager:DeleteSecret", PROD_DB, IMPLICIT, "aws:MultiFactorAuthPresent=false");
    add("Bool with the key missing", mfa, "secretsmanager:DeleteSecret", PROD_DB, IMPLICIT);
    String secure = policy(stmt("Allow", "\"Action\":\"*\"", "\"Resource\":\"*\"",
        "{\"Bool\":{\"aws:SecureTransport\":\"false\"}}"));
    add("Bool on aws:SecureTransport false", secure, "secretsmanager:GetSecretValue", PROD_DB, ALLOW,
        "aws:SecureTransport=false");
    String fresh = policy(stmt("Allow", "\"Action\":\"*\"", "\"Resource\":\"*\"",
        "{\"NumericLessThan\":{\"aws:MultiFactorAuthAge\":\"3600\"}}"));
    add("NumericLessThan inside", fresh, "secretsmanager:DeleteSecret", PROD_DB, ALLOW, "aws:MultiFactorAuthAge=120");
    add("NumericLessThan outside", fresh, "secretsmanager:DeleteSecret", PROD_DB, IMPLICIT, "aws:MultiFactorAuthAge=7200");
    add("Numeric on a non-number matches nothing", fresh, "secretsmanager:DeleteSecret", PROD_DB, IMPLICIT,
        "aws:MultiFactorAuthAge=soon");
    String until2027 = policy(stmt("Allow", "\"Action\":\"*\"", "\"Resource\":\"*\"",
        "{\"DateLessThan\":{\"aws:CurrentTime\":\"2027-01-01T00:00:00Z\"}}"));
    add("DateLessThan before", until2027, "secretsmanager:GetSecretValue", PROD_DB, ALLOW, "aws:CurrentTime=2026-11-29T10:00:00Z");
    add("DateLessThan after", until2027, "secretsmanager:GetSecretValue", PROD_DB, IMPLICIT, "aws:CurrentTime=2027-03-01T10:00:00Z");
    add("Date as epoch seconds", until2027, "secretsmanager:GetSecretValue", PROD_DB, ALLOW, "aws:CurrentTime=1795000000");
    String office = policy(stmt("Allow", "\"Action\":\"*\"", "\"Resource\":\"*\"",
        "{\"IpAddress\":{\"aws:SourceIp\":[\"10.0.0.0/8\",\"127.0.0.1/32\"]}}"));
    add("IpAddress inside a CIDR", office, "secretsmanager:GetSecretValue", PROD_DB, ALLOW, "aws:SourceIp=10.1.2.3");
    add("IpAddress exact /32", office, "secretsmanager:GetSecretValue", PROD_DB, ALLOW, "aws:SourceIp=127.0.0.1");
    add("IpAddress outside", office, "secretsmanager:GetSecretValue", PROD_DB, IMPLICIT, "aws:SourceIp=192.168.1.1");
    add("NotIpAddress deny from outside", policy(stmt("Allow", "\"Action\":\"*\"", "\"Resource\":\"*\"", null),
        stmt("Deny", "\"Action\":\"*\"", "\"Resource\":\"*\"", "{\"NotIpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"}}")),
        "secretsmanager:GetSecretValue", PROD_DB, DENY_ID, "aws:SourceIp=192.168.1.1");
    add("IpAddress with IPv6", policy(stmt("Allow", "\"Action\":\"*\"", "\"Resource\":\"*\"",
        "{\"IpAddress\":{\"aws:SourceIp\":\"::1/128\"}}")), "secretsmanager:GetSecretValue", PROD_DB, ALLOW,
        "aws:SourceIp=::1");
    String arnLike = policy(stmt("Allow", "\"Action\":\"*\"", "\"Resource\":\"*\"",
        "{\"ArnLike\":{\"aws:PrincipalArn\":\"arn:aws:iam::" + ACCOUNT + ":user/ap*\"}}"));
    add("ArnLike on the principal", arnLike, "secretsmanager:GetSecretValue", PROD_DB, ALLOW, "aws:PrincipalArn=" + APP);
    add("ArnLike wildcards stay within their part", policy(stmt("Allow", "\"Action\":\"*\"", "\"Resource\":\"*\"",
        "{\"ArnLike\":{\"aws:PrincipalArn\":\"arn:aws:iam::*\"}}")), "secretsmanager:GetSecretValue", PROD_DB,
        IMPLICIT, "aws:PrincipalArn=" + APP);
    add("ArnNotEquals on another principal", policy(stmt("Allow", "\"Action\":\"*\"", "\"Resource\":\"*\"",
        "{\"ArnNotEquals\":{\"aws:PrincipalArn\":\"" + OTHER + "\"}}")), "secretsmanager:GetSecretValue", PROD_DB,
        ALLOW, "aws:PrincipalArn=" + APP);
    String needsTag = policy(stmt("Allow", "\"Action\":\"*\"", "\"Resource\":\"*\"",
        "{\"Null\":{\"aws:RequestTag/team\":\"false\"}}"));
    add("Null false: the key must be present", needsTag, "secretsmanager:CreateSecret", PROD_DB, ALLOW, "aws:RequestTag/team=orders");
    add("Null false: a missing key fails", needsTag, "secretsmanager:CreateSecret", PROD_DB, IMPLICIT);
    add("Null true: a missing key passes", policy(stmt("Allow", "\"Action\":\"*\"", "\"Resource\":\"*\"",
        "{\"Null\":{\"aws:RequestTag/team\":\"true\"}}")), "secretsmanager:CreateSecret", PROD_DB, ALLOW);

    // Set qualifiers
    String onlyTeamKeys = policy(stmt("Allow", "\"Action\":\"*\"", "\"Resource\":\"*\"",
        "{\"ForAllValues:StringEquals\":{\"aws:TagKeys\":[\"team\",\"env\"]}}"));
    add("ForAllValues: every key allowed", onlyTeamKeys, "secretsmanager:TagResource", PROD_DB, ALLOW, "aws:TagKeys=team|env");
    add("ForAllValues: one key not allowed", onlyTeamKeys, "secretsmanager:TagResource", PROD_DB, IMPLICIT, "aws:TagKeys=team|owner");
    add("ForAllValues: no keys at all passes", onlyTeamKeys, "secretsmanager:TagResource", PROD_DB, ALLOW);
    String anyTeamKey = policy(stmt("Allow", "\"Action\":\"*\"", "\"Resource\":\"*\"",
        "{\"ForAnyValue:StringEquals\":{\"aws:TagKeys\":\"team\"}}"));
    add("ForAnyValue: one key matches", anyTeamKey, "secretsmanager:TagResource", PROD_DB, ALLOW, "aws:TagKeys=owner|team");
    add("ForAnyValue: none matches", anyTeamKey, "secretsmanager:TagResource", PROD_DB, IMPLICIT, "aws:TagKeys=owner");
    add("ForAnyValue: no keys at all fails", anyTeamKey, "secretsmanager:TagResource", PROD_DB, IMPLICIT);

    // Several conditions: AND across operators and keys
    String both = policy(stmt("Allow", "\"Action\":\"*\"", "\"Resource\":\"*\"",
        "{\"StringEquals\":{\"aws:username\":\"app\",\"secretsmanager:VersionStage\":\"AWSCURRENT\"},"
            + "\"Bool\":{\"aws:SecureTransport\":\"false\"}}"));
    add("all conditions hold", both, "secretsmanager:GetSecretValue", PROD_DB, ALLOW, "aws:username=app",
        "secretsmanager:VersionStage=AWSCURRENT", "aws:SecureTransport=false");
    add("one condition fails", both, "secretsmanager:GetSecretValue", PROD_DB, IMPLICIT, "aws:username=app",
        "secretsmanager:VersionStage=AWSPREVIOUS", "aws:SecureTransport=false");
    add("values of one key are OR-ed", policy(stmt("Allow", "\"Action\":\"*\"", "\"Resource\":\"*\"",
        "{\"StringEquals\":{\"aws:username\":[\"ops\",\"app\"]}}")), "secretsmanager:GetSecretValue", PROD_DB, ALLOW,
        "aws:username=app");

    // Statement as an object, Version absent
    add("Statement as a single object", "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"secretsmanager:GetSecretValue\",\"Resource\":\"*\"}}",
        "secretsmanager:GetSecretValue", PROD_DB, ALLOW);
  }

  static Stream<Arguments> cases() {
    return CASES.stream().map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void evaluates(Case c) {
    List<Policy> identity = c.identity() == null ? List.of()
        : List.of(PolicyParser.identity("user/app/inline/p", c.identity()));
    Policy resource = c.resourcePolicy() == null ? null : PolicyParser.resource("resource", c.resourcePolicy());
    Decision d = PolicyEvaluator.evaluate(identity, resource,
        new RequestContext(c.principal(), c.action(), c.resource(), c.keys()));
    assertEquals(c.expected(), d.outcome().name());
  }

  @org.junit.jupiter.api.Test
  void thereAreAtLeastSixtyCases() {
    org.junit.jupiter.api.Assertions.assertTrue(CASES.size() >= 60, "only " + CASES.size() + " cases");
  }
}
