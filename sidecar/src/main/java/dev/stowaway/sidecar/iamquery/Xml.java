package dev.stowaway.sidecar.iamquery;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** A small XML writer for Query-protocol answers: elements and escaped text, nothing more. */
final class Xml {

  private final StringBuilder out = new StringBuilder(512);

  Xml open(String name) {
    out.append('<').append(name).append('>');
    return this;
  }

  Xml open(String name, String namespace) {
    out.append('<').append(name).append(" xmlns=\"").append(namespace).append("\">");
    return this;
  }

  Xml close(String name) {
    out.append("</").append(name).append('>');
    return this;
  }

  Xml element(String name, String text) {
    if (text != null) {
      open(name);
      escape(text);
      close(name);
    }
    return this;
  }

  Xml element(String name, Instant time) {
    return element(name, time.truncatedTo(ChronoUnit.SECONDS).toString());
  }

  private void escape(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&apos;");
        default -> out.append(c);
      }
    }
  }

  @Override
  public String toString() {
    return out.toString();
  }
}
