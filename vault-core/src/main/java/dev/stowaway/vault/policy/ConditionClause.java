package dev.stowaway.vault.policy;

import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One {@code "Operator": {"key": [values]}} entry of a Condition block, with IAM's semantics: the
 * values of one key are OR-ed (AND-ed for negated operators); a key the request lacks fails the
 * test, except for negated operators, {@code …IfExists} and {@code Null}; {@code ForAnyValue:} and
 * {@code ForAllValues:} compare sets of request values.
 */
record ConditionClause(String operator, String positive, Qualifier qualifier, boolean ifExists, boolean negated,
    String key, List<String> values) {

  enum Qualifier { SINGLE, FOR_ANY_VALUE, FOR_ALL_VALUES }

  static final Set<String> OPERATORS = Set.of(
      "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike",
      "StringNotLike", "NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals",
      "NumericGreaterThan", "NumericGreaterThanEquals", "DateEquals", "DateNotEquals", "DateLessThan",
      "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals", "Bool", "BinaryEquals", "IpAddress",
      "NotIpAddress", "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "Null");

  /** Parses {@code [ForAnyValue:|ForAllValues:]Operator[IfExists]}; null if it is not one. */
  static ConditionClause of(String fullOperator, String key, List<String> values) {
    Qualifier qualifier = Qualifier.SINGLE;
    String op = fullOperator;
    if (op.startsWith("ForAnyValue:")) {
      qualifier = Qualifier.FOR_ANY_VALUE;
      op = op.substring("ForAnyValue:".length());
    } else if (op.startsWith("ForAllValues:")) {
      qualifier = Qualifier.FOR_ALL_VALUES;
      op = op.substring("ForAllValues:".length());
    }
    boolean ifExists = op.endsWith("IfExists") && !op.equals("Null");
    if (ifExists) {
      op = op.substring(0, op.length() - "IfExists".length());
    }
    if (!OPERATORS.contains(op) || (ifExists && op.equals("Null"))) {
      return null;
    }
    boolean negated = op.contains("Not") && !op.equals("Null");
    return new ConditionClause(op, op.replace("Not", ""), qualifier, ifExists, negated, key, List.copyOf(values));
  }

  boolean test(RequestContext request, PolicyVariables variables) {
    List<String> present = request.values(key);
    boolean missing = present == null || present.isEmpty();
    if (operator.equals("Null")) {
      boolean wantMissing = values.stream().anyMatch(v -> v.equalsIgnoreCase("true"));
      return wantMissing == missing;
    }
    List<String> policyValues = new ArrayList<>(values.size());
    for (String v : values) {
      String substituted = variables.substitute(v, request);
      if (substituted != null) {
        policyValues.add(substituted);
      }
    }
    switch (qualifier) {
      case FOR_ANY_VALUE -> {
        if (missing) {
          return ifExists;
        }
        return present.stream().anyMatch(rv -> negated != matchesAny(rv, policyValues));
      }
      case FOR_ALL_VALUES -> {
        if (missing) {
          return true;
        }
        return present.stream().allMatch(rv -> negated != matchesAny(rv, policyValues));
      }
      default -> {
        if (missing) {
          return ifExists || negated;
        }
        boolean any = present.stream().anyMatch(rv -> matchesAny(rv, policyValues));
        return negated != any;
      }
    }
  }

  private boolean matchesAny(String requestValue, List<String> policyValues) {
    for (String pv : policyValues) {
      if (matches(requestValue, pv)) {
        return true;
      }
    }
    return false;
  }

  /** The positive form of the operator: does this request value match this policy value? */
  private boolean matches(String rv, String pv) {
    try {
      return switch (positive) {
        case "StringEquals" -> rv.equals(pv);
        case "StringEqualsIgnoreCase" -> rv.equalsIgnoreCase(pv);
        case "StringLike" -> Glob.cached(pv, false).matches(rv);
        case "NumericEquals" -> new BigDecimal(rv).compareTo(new BigDecimal(pv)) == 0;
        case "NumericLessThan" -> new BigDecimal(rv).compareTo(new BigDecimal(pv)) < 0;
        case "NumericLessThanEquals" -> new BigDecimal(rv).compareTo(new BigDecimal(pv)) <= 0;
        case "NumericGreaterThan" -> new BigDecimal(rv).compareTo(new BigDecimal(pv)) > 0;
        case "NumericGreaterThanEquals" -> new BigDecimal(rv).compareTo(new BigDecimal(pv)) >= 0;
        case "DateEquals" -> date(rv).equals(date(pv));
        case "DateLessThan" -> date(rv).isBefore(date(pv));
        case "DateLessThanEquals" -> !date(rv).isAfter(date(pv));
        case "DateGreaterThan" -> date(rv).isAfter(date(pv));
        case "DateGreaterThanEquals" -> !date(rv).isBefore(date(pv));
        case "Bool" -> rv.equalsIgnoreCase(pv);
        case "BinaryEquals" -> java.util.Arrays.equals(Base64.getDecoder().decode(rv), Base64.getDecoder().decode(pv));
        case "IpAddress" -> inCidr(rv, pv);
        case "ArnEquals", "ArnLike" -> arnLike(rv, pv);
        default -> false;
      };
    } catch (RuntimeException e) {
      return false; // a value of the wrong kind (not a number, not a date) matches nothing
    }
  }

  private static final java.util.concurrent.ConcurrentHashMap<String, Instant> DATES =
      new java.util.concurrent.ConcurrentHashMap<>();

  static Instant date(String value) {
    Instant cached = DATES.get(value);
    if (cached != null) {
      return cached;
    }
    Instant parsed = parseDate(value);
    if (DATES.size() < 4096) {
      DATES.put(value, parsed);
    }
    return parsed;
  }

  private static Instant parseDate(String value) {
    boolean digits = !value.isEmpty();
    for (int i = 0; i < value.length() && digits; i++) {
      digits = Character.isDigit(value.charAt(i));
    }
    if (digits) {
      return Instant.ofEpochSecond(Long.parseLong(value));
    }
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      return OffsetDateTime.parse(value).toInstant();
    }
  }

  /** ARNs compare part by part (arn:partition:service:region:account:resource), wildcards per part. */
  static boolean arnLike(String arn, String pattern) {
    String[] a = arn.split(":", 6);
    String[] p = pattern.split(":", 6);
    if (a.length != 6 || p.length != 6) {
      return false;
    }
    for (int i = 0; i < 6; i++) {
      if (!Glob.cached(p[i], false).matches(a[i])) {
        return false;
      }
    }
    return true;
  }

  private static final java.util.concurrent.ConcurrentHashMap<String, byte[]> ADDRESSES =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** Literal addresses only (no name lookups), parsed once. */
  private static byte[] address(String literal) throws UnknownHostException {
    byte[] cached = ADDRESSES.get(literal);
    if (cached == null) {
      if (!literal.matches("[0-9a-fA-F:.]+")) {
        throw new UnknownHostException("not an address literal");
      }
      cached = InetAddress.getByName(literal).getAddress();
      if (ADDRESSES.size() < 4096) {
        ADDRESSES.put(literal, cached);
      }
    }
    return cached;
  }

  static boolean inCidr(String address, String cidr) {
    try {
      int slash = cidr.indexOf('/');
      byte[] ip = address(address);
      byte[] net = address(slash < 0 ? cidr : cidr.substring(0, slash));
      if (ip.length != net.length) {
        return false;
      }
      int bits = slash < 0 ? ip.length * 8 : Integer.parseInt(cidr.substring(slash + 1));
      for (int i = 0; i < bits; i++) {
        int mask = 0x80 >>> (i % 8);
        if ((ip[i / 8] & mask) != (net[i / 8] & mask)) {
          return false;
        }
      }
      return true;
    } catch (UnknownHostException | NumberFormatException e) {
      return false;
    }
  }

  @Override
  public String toString() {
    return (qualifier == Qualifier.FOR_ANY_VALUE ? "ForAnyValue:" : qualifier == Qualifier.FOR_ALL_VALUES
        ? "ForAllValues:" : "") + operator + (ifExists ? "IfExists" : "") + " " + key.toLowerCase(Locale.ROOT);
  }
}
