package dev.stowaway.vault.secrets;

/**
 * ARNs of the AWS shape {@code arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-XXXXXX}.
 */
public record SecretArn(String region, String account) {

  public static final int SUFFIX_LENGTH = 6;

  public String prefix() {
    return "arn:aws:secretsmanager:" + region + ":" + account + ":secret:";
  }

  public String of(String name, String suffix) {
    return prefix() + name + "-" + suffix;
  }

  public boolean isArn(String secretId) {
    return secretId.startsWith("arn:");
  }

  /** The part after {@code secret:} of an ARN in this region and account, or null. */
  public String resourceOf(String arn) {
    return arn.startsWith(prefix()) ? arn.substring(prefix().length()) : null;
  }

  /** The name a full ARN carries: its resource without the {@code -XXXXXX} suffix. */
  public static String nameOf(String fullArn) {
    int resource = fullArn.indexOf(":secret:");
    return fullArn.substring(resource + ":secret:".length(), fullArn.length() - SUFFIX_LENGTH - 1);
  }
}
