package pier.apps;

import java.time.DayOfWeek;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import pier.base.PierException;
import pier.base.Shown;

/**
 * A cron schedule as Dokku's app.json takes it: five fields (minute, hour, day of month, month, day of week) with
 * {@code *}, lists, ranges, steps and the names of months and days, or one of {@code @hourly}, {@code @daily}
 * ({@code @midnight}), {@code @weekly}, {@code @monthly}, {@code @yearly} ({@code @annually}). As in cron, when both
 * the day of month and the day of week are restricted, a day matching either runs. Times are the host's.
 */
public record CronSchedule(String text, BitSet minutes, BitSet hours, BitSet days, BitSet months, BitSet weekdays,
                           boolean anyDay, boolean anyWeekday) {
    private static final Map<String, String> MACROS = Map.of("@hourly", "0 * * * *", "@daily", "0 0 * * *",
            "@midnight", "0 0 * * *", "@weekly", "0 0 * * 0", "@monthly", "0 0 1 * *", "@yearly", "0 0 1 1 *",
            "@annually", "0 0 1 1 *");
    private static final List<String> MONTHS = List.of("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep",
            "oct", "nov", "dec");
    private static final List<String> WEEKDAYS = List.of("sun", "mon", "tue", "wed", "thu", "fri", "sat");

    public static CronSchedule parse(String text) {
        String given = text.strip();
        String expanded = MACROS.getOrDefault(given.toLowerCase(java.util.Locale.ROOT), given);
        String[] fields = expanded.split("\\s+");
        if (fields.length != 5 || given.length() > 200) {
            throw PierException.failed("the schedule " + Shown.quote(given) + " is not five fields (minute hour day month"
                    + " weekday, e.g. \"*/5 * * * *\") or one of @hourly, @daily, @weekly, @monthly, @yearly");
        }
        BitSet weekdays = field(fields[4], 0, 7, WEEKDAYS, given, "weekday");
        if (weekdays.get(7)) {
            weekdays.set(0);
            weekdays.clear(7);
        }
        return new CronSchedule(given, field(fields[0], 0, 59, List.of(), given, "minute"),
                field(fields[1], 0, 23, List.of(), given, "hour"), field(fields[2], 1, 31, List.of(), given, "day"),
                field(fields[3], 1, 12, MONTHS, given, "month"), weekdays, fields[2].equals("*"), fields[4].equals("*"));
    }

    private static BitSet field(String field, int low, int high, List<String> names, String schedule, String what) {
        BitSet set = new BitSet();
        for (String part : field.split(",", -1)) {
            String range = part;
            int step = 1;
            int slash = part.indexOf('/');
            if (slash >= 0) {
                range = part.substring(0, slash);
                step = number(part.substring(slash + 1), 1, high - low + 1, List.of(), 1, schedule, what);
            }
            int from;
            int to;
            if (range.equals("*")) {
                from = low;
                to = high;
            } else if (range.indexOf('-') > 0) {
                from = number(range.substring(0, range.indexOf('-')), low, high, names, low, schedule, what);
                to = number(range.substring(range.indexOf('-') + 1), low, high, names, low, schedule, what);
                if (to < from) {
                    throw bad(schedule, what, part);
                }
            } else {
                from = number(range, low, high, names, low, schedule, what);
                to = slash >= 0 ? high : from;
            }
            for (int v = from; v <= to; v += step) {
                set.set(v);
            }
        }
        return set;
    }

    private static int number(String text, int low, int high, List<String> names, int namesFrom, String schedule,
                              String what) {
        int named = names.indexOf(text.toLowerCase(java.util.Locale.ROOT));
        if (named >= 0) {
            return named + namesFrom;
        }
        if (!text.matches("\\d{1,2}") || Integer.parseInt(text) < low || Integer.parseInt(text) > high) {
            throw bad(schedule, what, text);
        }
        return Integer.parseInt(text);
    }

    private static PierException bad(String schedule, String what, String part) {
        return PierException.failed("the schedule " + Shown.quote(schedule) + " has a bad " + what + " " + Shown.quote(part));
    }

    /** Whether the schedule runs in the minute {@code at} falls in. */
    public boolean matches(LocalDateTime at) {
        if (!minutes.get(at.getMinute()) || !hours.get(at.getHour()) || !months.get(at.getMonthValue())) {
            return false;
        }
        boolean day = days.get(at.getDayOfMonth());
        boolean weekday = weekdays.get(at.getDayOfWeek() == DayOfWeek.SUNDAY ? 0 : at.getDayOfWeek().getValue());
        if (anyDay || anyWeekday) {
            return (anyDay || day) && (anyWeekday || weekday);
        }
        return day || weekday;
    }

    /** The first minute after {@code after} the schedule runs in, within five years (a 31st of February never). */
    public Optional<LocalDateTime> next(LocalDateTime after) {
        LocalDateTime at = after.truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
        LocalDateTime end = at.plusYears(5);
        while (at.isBefore(end)) {
            if (!months.get(at.getMonthValue())) {
                at = at.withDayOfMonth(1).withHour(0).withMinute(0).plusMonths(1);
            } else if (!hours.get(at.getHour())) {
                at = at.withMinute(0).plusHours(1);
            } else if (matches(at)) {
                return Optional.of(at);
            } else {
                at = at.plusMinutes(1);
            }
        }
        return Optional.empty();
    }
}
