package dev.stowaway.vault.rotation;

import dev.stowaway.vault.VaultException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * When a secret rotates next, from its RotationRules: every N days ({@code AutomaticallyAfterDays}
 * or {@code rate(N days)}), every N hours ({@code rate(N hours)}, at least 4 as AWS requires), or
 * AWS's six-field {@code cron(minutes hours day-of-month month day-of-week year)} in UTC. Rotation
 * starts at the beginning of its window; {@code Duration} ({@code 1h}–{@code 24h}) is kept and
 * shown as AWS does.
 */
public final class RotationSchedule {

  private static final Pattern RATE = Pattern.compile("rate\\((\\d{1,4}) (day|days|hour|hours)\\)");
  private static final Pattern CRON = Pattern.compile("cron\\((.*)\\)");
  private static final Pattern DURATION = Pattern.compile("(\\d{1,2})h");
  private static final List<String> MONTHS = List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP",
      "OCT", "NOV", "DEC");
  private static final List<String> DAYS = List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");
  private static final int SEARCH_DAYS = 366 * 5;

  private final Integer automaticallyAfterDays;
  private final String scheduleExpression;
  private final String duration;
  private final Duration every;
  private final Cron cron;

  private RotationSchedule(Integer days, String expression, String duration, Duration every, Cron cron) {
    this.automaticallyAfterDays = days;
    this.scheduleExpression = expression;
    this.duration = duration;
    this.every = every;
    this.cron = cron;
  }

  /** Validates RotationRules as AWS does; every member may be null. */
  public static RotationSchedule of(Integer automaticallyAfterDays, String scheduleExpression, String duration) {
    if (automaticallyAfterDays != null && scheduleExpression != null) {
      throw VaultException.invalidParameter("You can't specify both AutomaticallyAfterDays and ScheduleExpression "
          + "in RotationRules.");
    }
    if (duration != null) {
      Matcher d = DURATION.matcher(duration);
      if (!d.matches() || Integer.parseInt(d.group(1)) < 1 || Integer.parseInt(d.group(1)) > 24) {
        throw VaultException.invalidParameter("The rotation window Duration must be between 1h and 24h, got '"
            + duration + "'.");
      }
    }
    if (automaticallyAfterDays != null) {
      if (automaticallyAfterDays < 1 || automaticallyAfterDays > 1000) {
        throw VaultException.validation("1 validation error detected: Value '" + automaticallyAfterDays + "' at "
            + "'rotationRules.automaticallyAfterDays' failed to satisfy constraint: Member must have value between 1 "
            + "and 1000");
      }
      return new RotationSchedule(automaticallyAfterDays, null, duration, Duration.ofDays(automaticallyAfterDays), null);
    }
    if (scheduleExpression == null) {
      return new RotationSchedule(null, null, duration, null, null);
    }
    Matcher rate = RATE.matcher(scheduleExpression);
    if (rate.matches()) {
      int n = Integer.parseInt(rate.group(1));
      boolean hours = rate.group(2).startsWith("hour");
      if (n < 1 || (n == 1) != !rate.group(2).endsWith("s") || hours && n < 4 || !hours && n > 1000) {
        throw invalid(scheduleExpression, hours && n < 4 ? "a rate in hours must be at least 4 hours"
            : "write rate(1 day), rate(N days) for N up to 1000, or rate(N hours) for N of 4 or more");
      }
      return new RotationSchedule(null, scheduleExpression, duration, hours ? Duration.ofHours(n) : Duration.ofDays(n),
          null);
    }
    Matcher cron = CRON.matcher(scheduleExpression);
    if (cron.matches()) {
      return new RotationSchedule(null, scheduleExpression, duration, null, Cron.parse(scheduleExpression,
          cron.group(1).trim()));
    }
    throw invalid(scheduleExpression, "use rate(...) or cron(...)");
  }

  public Integer automaticallyAfterDays() {
    return automaticallyAfterDays;
  }

  public String scheduleExpression() {
    return scheduleExpression;
  }

  public String duration() {
    return duration;
  }

  /** Whether there is a schedule at all (RotateSecret without rules rotates once, then not again). */
  public boolean scheduled() {
    return every != null || cron != null;
  }

  /** The next rotation after {@code from}, or null if there is no schedule (or no time in five years). */
  public Instant next(Instant from) {
    if (every != null) {
      return from.plus(every).truncatedTo(ChronoUnit.SECONDS);
    }
    return cron == null ? null : cron.after(from);
  }

  private static VaultException invalid(String expression, String why) {
    return VaultException.invalidParameter("Invalid ScheduleExpression '" + expression + "': " + why + ".");
  }

  /** AWS's six cron fields, every one a set of allowed values; day-of-month may be L. */
  private record Cron(BitSet minutes, BitSet hours, BitSet daysOfMonth, boolean lastDayOfMonth, BitSet months,
      BitSet daysOfWeek, BitSet years, boolean anyDayOfMonth, boolean anyDayOfWeek) {

    static Cron parse(String expression, String body) {
      String[] f = body.split("\\s+");
      if (f.length != 6) {
        throw invalid(expression, "cron(...) takes six fields: minutes hours day-of-month month day-of-week year");
      }
      boolean domAny = f[2].equals("?");
      boolean dowAny = f[4].equals("?");
      if (domAny == dowAny) {
        throw invalid(expression, "exactly one of day-of-month and day-of-week must be ?");
      }
      boolean last = f[2].equals("L");
      return new Cron(field(expression, f[0], 0, 59, null), field(expression, f[1], 0, 23, null),
          domAny || last ? null : field(expression, f[2], 1, 31, null), last, field(expression, f[3], 1, 12, MONTHS),
          dowAny ? null : field(expression, f[4], 1, 7, DAYS), field(expression, f[5], 1970, 2199, null), domAny,
          dowAny);
    }

    private static BitSet field(String expression, String text, int min, int max, List<String> names) {
      BitSet set = new BitSet();
      for (String part : text.split(",")) {
        int step = 1;
        String range = part;
        int slash = part.indexOf('/');
        if (slash >= 0) {
          step = number(expression, part.substring(slash + 1), 1, max, null);
          range = part.substring(0, slash);
        }
        int from;
        int to;
        if (range.equals("*")) {
          from = min;
          to = max;
        } else if (range.contains("-")) {
          String[] ends = range.split("-", 2);
          from = number(expression, ends[0], min, max, names);
          to = number(expression, ends[1], min, max, names);
        } else {
          from = number(expression, range, min, max, names);
          to = slash >= 0 ? max : from;
        }
        if (from > to) {
          throw invalid(expression, "the range " + range + " runs backwards");
        }
        for (int v = from; v <= to; v += step) {
          set.set(v);
        }
      }
      return set;
    }

    private static int number(String expression, String text, int min, int max, List<String> names) {
      String upper = text.toUpperCase(Locale.ROOT);
      if (names != null && names.contains(upper)) {
        return names.indexOf(upper) + min;
      }
      try {
        int v = Integer.parseInt(text);
        if (v >= min && v <= max) {
          return v;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw invalid(expression, "'" + text + "' is not a value between " + min + " and " + max
          + (names == null ? "" : " or a name such as " + names.get(0)) + " (W, # and L in day-of-week are not "
          + "supported here)");
    }

    Instant after(Instant from) {
      LocalDateTime start = LocalDateTime.ofInstant(from, ZoneOffset.UTC).truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
      LocalDate day = start.toLocalDate();
      for (int i = 0; i < SEARCH_DAYS; i++, day = day.plusDays(1)) {
        if (!years.get(day.getYear()) || !months.get(day.getMonthValue()) || !dayMatches(day)) {
          continue;
        }
        LocalTime earliest = day.equals(start.toLocalDate()) ? start.toLocalTime() : LocalTime.MIDNIGHT;
        for (int h = hours.nextSetBit(earliest.getHour()); h >= 0; h = hours.nextSetBit(h + 1)) {
          int fromMinute = h == earliest.getHour() ? earliest.getMinute() : 0;
          int m = minutes.nextSetBit(fromMinute);
          if (m >= 0) {
            return LocalDateTime.of(day, LocalTime.of(h, m)).toInstant(ZoneOffset.UTC);
          }
        }
      }
      return null;
    }

    private boolean dayMatches(LocalDate day) {
      if (!anyDayOfMonth) {
        return lastDayOfMonth ? day.getDayOfMonth() == day.lengthOfMonth() : daysOfMonth.get(day.getDayOfMonth());
      }
      // AWS numbers days of the week 1 (Sunday) to 7 (Saturday).
      int dow = day.getDayOfWeek() == DayOfWeek.SUNDAY ? 1 : day.getDayOfWeek().getValue() + 1;
      return daysOfWeek.get(dow);
    }
  }
}
