package dev.stowaway.sidecar.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stowaway.sidecar.testing.AuditRecords;
import dev.stowaway.sidecar.testing.RunningSidecar;
import dev.stowaway.vault.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudtrail.CloudTrailClient;
import software.amazon.awssdk.services.cloudtrail.model.CloudTrailException;
import software.amazon.awssdk.services.cloudtrail.model.Event;
import software.amazon.awssdk.services.cloudtrail.model.LookupAttribute;
import software.amazon.awssdk.services.cloudtrail.model.LookupAttributeKey;
import software.amazon.awssdk.services.cloudtrail.model.LookupEventsRequest;
import software.amazon.awssdk.services.cloudtrail.model.LookupEventsResponse;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AccessKey;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/** CloudTrail's LookupEvents through the real SDK: who read what, when, newest first. */
class LookupEventsIT {

  private static final String READ_ANYTHING = "{\"Version\":\"2012-10-17\",\"Statement\":["
      + "{\"Effect\":\"Allow\",\"Action\":\"secretsmanager:GetSecretValue\",\"Resource\":\"*\"}]}";

  @TempDir Path dataDir;
  /**
   * The vault's clock, moved on by a few minutes between reads so they happen at distinct times,
   * while staying within the 15 minutes SigV4 allows around the clients' real clocks.
   */
  private final Instant t0 = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MINUTES).minus(Duration.ofMinutes(7));
  private final MutableClock clock = new MutableClock(t0);
  private RunningSidecar sidecar;
  private IamClient iam;
  private CloudTrailClient trail;
  private String prodDbArn;
  private AccessKey aliceKey;

  @BeforeEach
  void start() {
    sidecar = RunningSidecar.in(dataDir, clock);
    iam = IamClient.builder().endpointOverride(sidecar.endpoint()).region(Region.AWS_GLOBAL)
        .credentialsProvider(sidecar.adminCredentials()).httpClient(UrlConnectionHttpClient.create()).build();
    trail = trail(sidecar.adminCredentials());
    try (SecretsManagerClient admin = sidecar.client()) {
      prodDbArn = admin.createSecret(r -> r.name("prod/db").secretString("p")).arn();
      admin.createSecret(r -> r.name("prod/cache").secretString("c"));
    }
    aliceKey = user("alice");
    AccessKey bobKey = user("bob");
    clock.set(at(4)); // alice reads prod/db
    read(aliceKey, "prod/db");
    clock.set(at(8)); // bob reads prod/cache
    read(bobKey, "prod/cache");
    clock.set(at(12)); // bob reads prod/db
    read(bobKey, "prod/db");
    clock.set(at(13));
  }

  @AfterEach
  void stop() {
    trail.close();
    iam.close();
    sidecar.close();
  }

  private Instant at(int minutes) {
    return t0.plus(Duration.ofMinutes(minutes));
  }

  private AccessKey user(String name) {
    iam.createUser(r -> r.userName(name));
    iam.putUserPolicy(r -> r.userName(name).policyName("read").policyDocument(READ_ANYTHING));
    return iam.createAccessKey(r -> r.userName(name)).accessKey();
  }

  private void read(AccessKey key, String secretId) {
    try (SecretsManagerClient client = sidecar.client(key.accessKeyId(), key.secretAccessKey())) {
      client.getSecretValue(r -> r.secretId(secretId));
    }
  }

  private CloudTrailClient trail(AwsCredentialsProvider credentials) {
    return CloudTrailClient.builder().endpointOverride(sidecar.endpoint()).region(Region.US_EAST_1)
        .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create()).build();
  }

  private LookupEventsResponse lookup(LookupAttributeKey key, String value, Consumer<LookupEventsRequest.Builder> more) {
    return trail.lookupEvents(r -> {
      r.lookupAttributes(LookupAttribute.builder().attributeKey(key).attributeValue(value).build());
      more.accept(r);
    });
  }

  private static List<String> who(List<Event> events) {
    return events.stream().map(e -> e.eventName() + " by " + e.username() + " at " + e.eventTime()).toList();
  }

  @Test
  void whoReadASecretIsAnsweredNewestFirst() {
    LookupEventsResponse found = lookup(LookupAttributeKey.RESOURCE_NAME, "prod/db", r -> r.startTime(at(2)));
    assertEquals(List.of("GetSecretValue by bob at " + at(12), "GetSecretValue by alice at " + at(4)),
        who(found.events()));
    Event latest = found.events().get(0);
    assertEquals("secretsmanager.amazonaws.com", latest.eventSource());
    assertEquals("true", latest.readOnly());
    assertEquals(prodDbArn, latest.resources().get(0).resourceName());
    assertEquals("AWS::SecretsManager::Secret", latest.resources().get(0).resourceType());
    assertNull(found.nextToken());
  }

  @Test
  void theFullRecordComesAsCloudTrailEvent() throws Exception {
    Event latest = lookup(LookupAttributeKey.USERNAME, "alice", r -> { }).events().get(0);
    var record = new ObjectMapper().readTree(latest.cloudTrailEvent());
    assertEquals(latest.eventId(), record.path("eventID").asText());
    assertEquals("alice", record.path("userIdentity").path("userName").asText());
    assertEquals(aliceKey.accessKeyId(), latest.accessKeyId());
  }

  @Test
  void eachLookupAttributeNarrowsTheResult() {
    assertEquals(2, lookup(LookupAttributeKey.USERNAME, "bob", r -> { }).events().size());
    assertEquals(1, lookup(LookupAttributeKey.ACCESS_KEY_ID, aliceKey.accessKeyId(), r -> { }).events().size());
    assertEquals(2, lookup(LookupAttributeKey.EVENT_NAME, "CreateSecret", r -> { }).events().size());
    assertTrue(lookup(LookupAttributeKey.EVENT_SOURCE, "iam.amazonaws.com", r -> { }).events().stream()
        .allMatch(e -> e.eventSource().equals("iam.amazonaws.com")));
    assertTrue(lookup(LookupAttributeKey.READ_ONLY, "false", r -> { }).events().stream()
        .allMatch(e -> e.readOnly().equals("false")));
    String id = lookup(LookupAttributeKey.USERNAME, "alice", r -> { }).events().get(0).eventId();
    assertEquals(1, lookup(LookupAttributeKey.EVENT_ID, id, r -> { }).events().size());
    assertEquals(3, lookup(LookupAttributeKey.RESOURCE_NAME, prodDbArn, r -> { }).events().size());
  }

  @Test
  void aTimeRangeKeepsOnlyWhatHappenedInIt() {
    LookupEventsResponse found = lookup(LookupAttributeKey.EVENT_NAME, "GetSecretValue", r -> r
        .startTime(at(6)).endTime(at(10)));
    assertEquals(List.of("GetSecretValue by bob at " + at(8)), who(found.events()));
  }

  @Test
  void pagesFollowEachOtherWithoutGapOrRepeat() {
    List<String> all = lookup(LookupAttributeKey.READ_ONLY, "false", r -> { }).events().stream()
        .map(Event::eventId).toList();
    assertTrue(all.size() > 4, "enough writes to page through: " + all.size());
    List<String> paged = new ArrayList<>();
    String token = null;
    int pages = 0;
    do {
      String next = token;
      LookupEventsResponse page = lookup(LookupAttributeKey.READ_ONLY, "false", r -> r.maxResults(2).nextToken(next));
      assertTrue(page.events().size() <= 2);
      page.events().forEach(e -> paged.add(e.eventId()));
      token = page.nextToken();
      pages++;
    } while (token != null);
    assertEquals(all, paged);
    assertEquals((all.size() + 1) / 2, pages);
  }

  @Test
  void badLookupsGetCloudTrailErrors() {
    CloudTrailException two = assertThrows(CloudTrailException.class, () -> trail.lookupEvents(r -> r.lookupAttributes(
        LookupAttribute.builder().attributeKey(LookupAttributeKey.USERNAME).attributeValue("bob").build(),
        LookupAttribute.builder().attributeKey(LookupAttributeKey.EVENT_NAME).attributeValue("GetSecretValue").build())));
    assertEquals("InvalidLookupAttributesException", two.awsErrorDetails().errorCode());
    assertEquals(400, two.statusCode());
    CloudTrailException many = assertThrows(CloudTrailException.class, () -> trail.lookupEvents(r -> r.maxResults(51)));
    assertEquals("InvalidMaxResultsException", many.awsErrorDetails().errorCode());
    CloudTrailException backwards = assertThrows(CloudTrailException.class, () -> trail.lookupEvents(r -> r
        .startTime(at(12)).endTime(at(4))));
    assertEquals("InvalidTimeRangeException", backwards.awsErrorDetails().errorCode());
    CloudTrailException token = assertThrows(CloudTrailException.class, () -> trail.lookupEvents(r -> r
        .nextToken("bm90LW91cnM=")));
    assertEquals("InvalidNextTokenException", token.awsErrorDetails().errorCode());
  }

  @Test
  void readingTheTrailNeedsLookupEventsPermission() {
    try (CloudTrailClient alice = trail(StaticCredentialsProvider.create(
        AwsBasicCredentials.create(aliceKey.accessKeyId(), aliceKey.secretAccessKey())))) {
      CloudTrailException denied = assertThrows(CloudTrailException.class, () -> alice.lookupEvents(r -> { }));
      assertEquals("AccessDeniedException", denied.awsErrorDetails().errorCode());
      assertEquals("User: arn:aws:iam::123456789012:user/alice is not authorized to perform: cloudtrail:LookupEvents "
          + "on resource: * because no identity-based policy allows the cloudtrail:LookupEvents action",
          denied.awsErrorDetails().errorMessage());
      iam.putUserPolicy(r -> r.userName("alice").policyName("audit").policyDocument("{\"Version\":\"2012-10-17\","
          + "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"cloudtrail:LookupEvents\",\"Resource\":\"*\"}]}"));
      assertTrue(alice.lookupEvents(r -> { }).events().size() > 0);
    }
    var last = AuditRecords.last(dataDir);
    assertEquals("cloudtrail.amazonaws.com", last.path("eventSource").asText());
    assertEquals("LookupEvents", last.path("eventName").asText());
  }
}
