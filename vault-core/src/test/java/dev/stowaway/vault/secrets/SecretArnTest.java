package dev.stowaway.vault.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class SecretArnTest {

  private final SecretArn arns = new SecretArn("eu-west-1", "111122223333");

  @Test
  void arnHasTheAwsShape() {
    assertEquals("arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db-a1B2c3", arns.of("prod/db", "a1B2c3"));
  }

  @Test
  void nameOfAFullArnDropsTheSuffix() {
    assertEquals("prod/db-x", SecretArn.nameOf("arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db-x-a1B2c3"));
  }

  @Test
  void resourceOfAnArnInAnotherAccountIsNull() {
    assertNull(arns.resourceOf("arn:aws:secretsmanager:eu-west-1:999999999999:secret:prod/db-a1B2c3"));
  }

  @Test
  void resourceOfAPartialArnIsTheName() {
    assertEquals("prod/db", arns.resourceOf("arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db"));
  }
}
