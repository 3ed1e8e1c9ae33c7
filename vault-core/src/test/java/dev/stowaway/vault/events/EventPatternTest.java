package dev.stowaway.vault.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EventPatternTest {

  private static final String EVENT = """
      {"version":"0","id":"e1","detail-type":"AWS API Call via CloudTrail","source":"aws.secretsmanager",
       "account":"123456789012","region":"us-east-1","time":"2026-11-29T10:00:00Z",
       "resources":["arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-a1B2c3"],
       "detail":{"eventName":"GetSecretValue","eventSource":"secretsmanager.amazonaws.com",
         "sourceIPAddress":"10.0.3.17","readOnly":true,"errorCode":null,"count":7,
         "userIdentity":{"type":"IAMUser","userName":"app"},
         "requestParameters":{"secretId":"prod/db","versionStage":"AWSPREVIOUS"},
         "tags":["pci","prod"]}}""";

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      exact source                         | {"source":["aws.secretsmanager"]}                                         | true
      exact source, other value            | {"source":["aws.kms"]}                                                    | false
      values are OR-ed                     | {"source":["aws.kms","aws.secretsmanager"]}                               | true
      fields are AND-ed                    | {"source":["aws.secretsmanager"],"detail":{"eventName":["PutSecretValue"]}} | false
      nested field                         | {"detail":{"userIdentity":{"userName":["app"]}}}                          | true
      missing field does not match         | {"detail":{"nothing":["x"]}}                                              | false
      boolean value                        | {"detail":{"readOnly":[true]}}                                            | true
      boolean value, wrong                 | {"detail":{"readOnly":[false]}}                                           | false
      null value                           | {"detail":{"errorCode":[null]}}                                           | true
      number value                         | {"detail":{"count":[7]}}                                                  | true
      number value as 7.0                  | {"detail":{"count":[7.0]}}                                                | true
      string 7 is not number 7             | {"detail":{"count":["7"]}}                                                | false
      array event value, any element       | {"detail":{"tags":["prod"]}}                                              | true
      array event value, none              | {"detail":{"tags":["dev"]}}                                               | false
      resources array                      | {"resources":[{"prefix":"arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/"}]} | true
      prefix                               | {"detail-type":[{"prefix":"AWS API"}]}                                    | true
      prefix, no                           | {"detail-type":[{"prefix":"aws api"}]}                                    | false
      prefix ignoring case                 | {"detail-type":[{"prefix":{"equals-ignore-case":"aws api"}}]}             | true
      suffix                               | {"detail":{"eventSource":[{"suffix":".amazonaws.com"}]}}                  | true
      suffix ignoring case                 | {"detail":{"eventSource":[{"suffix":{"equals-ignore-case":".AMAZONAWS.COM"}}]}} | true
      suffix, no                           | {"detail":{"eventSource":[{"suffix":".org"}]}}                            | false
      equals-ignore-case                   | {"detail":{"eventName":[{"equals-ignore-case":"getsecretvalue"}]}}        | true
      wildcard                             | {"detail":{"requestParameters":{"secretId":[{"wildcard":"prod/*"}]}}}     | true
      wildcard in the middle               | {"time":[{"wildcard":"2026-*T10:*Z"}]}                                    | true
      wildcard, no                         | {"detail":{"requestParameters":{"secretId":[{"wildcard":"dev/*"}]}}}      | false
      anything-but value                   | {"detail":{"eventName":[{"anything-but":"PutSecretValue"}]}}              | true
      anything-but the value itself        | {"detail":{"eventName":[{"anything-but":"GetSecretValue"}]}}              | false
      anything-but list                    | {"detail":{"eventName":[{"anything-but":["A","GetSecretValue"]}]}}        | false
      anything-but prefix                  | {"region":[{"anything-but":{"prefix":"eu-"}}]}                            | true
      anything-but prefix, excluded        | {"region":[{"anything-but":{"prefix":"us-"}}]}                            | false
      anything-but suffix                  | {"detail":{"eventSource":[{"anything-but":{"suffix":".com"}}]}}           | false
      anything-but ignoring case           | {"detail":{"eventName":[{"anything-but":{"equals-ignore-case":"getsecretvalue"}}]}} | false
      anything-but wildcard                | {"detail":{"requestParameters":{"secretId":[{"anything-but":{"wildcard":"dev/*"}}]}}} | true
      anything-but on a missing field      | {"detail":{"nothing":[{"anything-but":"x"}]}}                             | false
      numeric range inside                 | {"detail":{"count":[{"numeric":[">",0,"<=",7]}]}}                         | true
      numeric range outside                | {"detail":{"count":[{"numeric":[">",7]}]}}                                | false
      numeric equals                       | {"detail":{"count":[{"numeric":["=",7]}]}}                                | true
      numeric on a string                  | {"detail":{"eventName":[{"numeric":[">",0]}]}}                            | false
      exists true                          | {"detail":{"eventName":[{"exists":true}]}}                                | true
      exists true on a missing field       | {"detail":{"nothing":[{"exists":true}]}}                                  | false
      exists false on a missing field      | {"detail":{"nothing":[{"exists":false}]}}                                 | true
      exists false on a present field      | {"detail":{"eventName":[{"exists":false}]}}                               | false
      exists false under a missing object  | {"detail":{"absent":{"inner":[{"exists":false}]}}}                        | true
      cidr inside                          | {"detail":{"sourceIPAddress":[{"cidr":"10.0.0.0/16"}]}}                   | true
      cidr outside                         | {"detail":{"sourceIPAddress":[{"cidr":"10.1.0.0/16"}]}}                   | false
      $or, second alternative              | {"detail":{"$or":[{"eventName":["PutSecretValue"]},{"count":[{"numeric":[">",5]}]}]}} | true
      $or, no alternative                  | {"detail":{"$or":[{"eventName":["PutSecretValue"]},{"count":[{"numeric":[">",9]}]}]}} | false
      $or at the top with other fields     | {"source":["aws.secretsmanager"],"$or":[{"region":["eu-west-1"]},{"account":["123456789012"]}]} | true
      deprecated version read              | {"detail":{"eventName":["GetSecretValue"],"requestParameters":{"versionStage":[{"anything-but":"AWSCURRENT"}]}}} | true
      """)
  void matchesAsEventBridgeDocuments(String name, String pattern, boolean expected) {
    assertEquals(expected, EventPattern.parse(pattern).matches(EVENT));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      not JSON                  | {source                                   | the pattern is not valid JSON
      not an object             | ["aws.kms"]                               | the pattern must be a JSON object
      bare value                | {"source":"aws.kms"}                      | Match value must be String, number, true, false, or null at source: a field's values are listed in an array, such as ["value"]
      empty array               | {"source":[]}                             | Empty arrays are not allowed at source
      unknown operator          | {"source":[{"sounds-like":"kms"}]}        | Unrecognized match type sounds-like at source
      bad numeric               | {"n":[{"numeric":[">>",1]}]}              | Unrecognized numeric range operator or bound at n: ">>", 1
      exists not boolean        | {"n":[{"exists":"yes"}]}                  | exists match pattern must be either true or false at n
      $or with one alternative  | {"$or":[{"a":["b"]}]}                     | $or at $or must be an array of at least two objects
      bad cidr                  | {"ip":[{"cidr":"10.0.0.0"}]}              | Malformed CIDR, one '/' required at ip: 10.0.0.0
      double star               | {"f":[{"wildcard":"a**b"}]}               | Consecutive wildcard characters at f are not allowed
      """)
  void malformedPatternsAreRefusedWithAReason(String name, String pattern, String reason) {
    InvalidEventPatternException e = assertThrows(InvalidEventPatternException.class, () -> EventPattern.parse(pattern));
    assertEquals("Event pattern is not valid. Reason: " + reason, e.getMessage());
  }
}
