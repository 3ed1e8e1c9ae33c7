package dev.stowaway.sidecar.http;

import java.nio.charset.StandardCharsets;

/** Query-protocol (IAM, STS) errors, as XML {@code ErrorResponse} documents. */
final class QueryErrors {

  private QueryErrors() {}

  static Reply notYetServed() {
    String xml = "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error><Type>Sender</Type>"
        + "<Code>InvalidAction</Code><Message>The IAM and STS Query APIs are not served by this sidecar yet."
        + "</Message></Error><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>";
    return new Reply(400, "text/xml", xml.getBytes(StandardCharsets.UTF_8));
  }
}
