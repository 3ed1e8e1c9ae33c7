package dev.stowaway.agent.resolve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PlaceholderParserTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', nullValues = "-", value = {
      "{{resolve:secretsmanager:prod/db}}|prod/db|-|-|-",
      "{{resolve:secretsmanager:prod/db:SecretString}}|prod/db|-|-|-",
      "{{resolve:secretsmanager:prod/db:SecretString:password}}|prod/db|password|-|-",
      "{{resolve:secretsmanager:prod/db:SecretString:password:AWSPREVIOUS}}|prod/db|password|AWSPREVIOUS|-",
      "{{resolve:secretsmanager:prod/db:SecretString::AWSPENDING}}|prod/db|-|AWSPENDING|-",
      "{{resolve:secretsmanager:prod/db:SecretString:::0123456789abcdef0123456789abcdef}}|prod/db|-|-|0123456789abcdef0123456789abcdef",
      "{{resolve:secretsmanager:arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-a1B2c3}}|arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-a1B2c3|-|-|-",
      "{{resolve:secretsmanager:arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-a1B2c3:SecretString:user}}|arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-a1B2c3|user|-|-",
      "{{resolve:secretsmanager:arn:aws:secretsmanager:us-east-1:123456789012:secret:db:SecretString:user:AWSCURRENT}}|arn:aws:secretsmanager:us-east-1:123456789012:secret:db|user|AWSCURRENT|-",
      "{{resolve:secretsmanager:a+b=c.d@e_f-g}}|a+b=c.d@e_f-g|-|-|-"})
  void secretReferences(String text, String id, String key, String stage, String versionId) {
    List<Placeholder> found = PlaceholderParser.parse(text);
    assertEquals(List.of(new Placeholder(0, text.length(), new Reference.Secret(id, key, stage, versionId))), found);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', nullValues = "-", value = {
      "{{resolve:ssm:/orders/prod/db/host}}|/orders/prod/db/host|-|false",
      "{{resolve:ssm:/orders/prod/db/host:3}}|/orders/prod/db/host|3|false",
      "{{resolve:ssm-secure:/aws/reference/secretsmanager/prod/db}}|/aws/reference/secretsmanager/prod/db|-|true",
      "{{resolve:ssm-secure:flag:12}}|flag|12|true"})
  void parameterReferences(String text, String name, String version, boolean secure) {
    assertEquals(List.of(new Placeholder(0, text.length(), new Reference.Parameter(name, version, secure))),
        PlaceholderParser.parse(text));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "jdbc:postgresql://{{resolve:ssm:/db/host}}:5432/app?user={{resolve:secretsmanager:db:SecretString:user}}|2",
      "no placeholders at all|0",
      "{{ not a placeholder }}|0",
      "a{{resolve:secretsmanager:x}}b{{resolve:secretsmanager:y}}c{{resolve:ssm:z}}|3"})
  void placeholdersAnywhereInAString(String text, int count) {
    assertEquals(count, PlaceholderParser.parse(text).size());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "{{resolve:secretsmanager:prod/db|0|no closing '}}'",
      "x{{resolve:vault:prod/db}}|1|expected 'secretsmanager', 'ssm' or 'ssm-secure' after '{{resolve:'",
      "{{resolve:}}|0|expected 'secretsmanager', 'ssm' or 'ssm-secure' after '{{resolve:'",
      "{{resolve:secretsmanager:}}|0|the secret id is empty",
      "{{resolve:secretsmanager:db:SecretBinary}}|0|only SecretString can be resolved, not 'SecretBinary'",
      "{{resolve:secretsmanager:db:SecretString:k:AWSCURRENT:0123456789abcdef0123456789abcdef}}|0|give a version stage or a version id, not both",
      "{{resolve:secretsmanager:db:SecretString:k:s:v:extra}}|0|too many parts; the form is secretsmanager:ID[:SecretString[:JSON-KEY[:VERSION-STAGE[:VERSION-ID]]]]",
      "{{resolve:secretsmanager:arn:aws:secretsmanager:us-east-1}}|0|the secret ARN is incomplete",
      "ok {{resolve:secretsmanager:a}} then {{resolve:ssm:}}|37|the parameter name is empty",
      "{{resolve:ssm:name:latest}}|0|the parameter version must be a number",
      "{{resolve:ssm:a:1:2}}|0|too many parts; the form is ssm:NAME[:VERSION]",
      "{{resolve:secretsmanager:a{{resolve:ssm:b}}|0|'{{' inside a placeholder"})
  void malformedPlaceholdersSayWhere(String text, int position, String problem) {
    PlaceholderSyntaxException e = assertThrows(PlaceholderSyntaxException.class, () -> PlaceholderParser.parse(text));
    assertEquals("malformed placeholder at position " + position + ": " + problem, e.getMessage());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "{{resolve:secretsmanager:prod/db:SecretString:password:AWSPREVIOUS}}|secretsmanager:prod/db:SecretString:password:AWSPREVIOUS",
      "{{resolve:secretsmanager:prod/db}}|secretsmanager:prod/db",
      "{{resolve:ssm-secure:/a/b:2}}|ssm-secure:/a/b:2"})
  void referencesPrintAsTheyWereWritten(String text, String printed) {
    assertEquals(printed, PlaceholderParser.parse(text).get(0).reference().toString());
  }
}
