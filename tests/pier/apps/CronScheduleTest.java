package pier.apps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDateTime;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import pier.base.PierException;

class CronScheduleTest {
    /** A Monday. */
    private static final LocalDateTime MON_1030 = LocalDateTime.of(2026, 11, 30, 10, 30);

    @Test
    void everyMinuteMatchesEveryMinute() {
        CronSchedule s = CronSchedule.parse("* * * * *");
        assertTrue(s.matches(MON_1030));
        assertEquals(Optional.of(MON_1030.plusMinutes(1)), s.next(MON_1030.plusSeconds(59)));
    }

    @Test
    void stepsRangesListsAndNamesAreRead() {
        CronSchedule s = CronSchedule.parse("*/15 9-17 * jan,nov mon-fri");
        assertTrue(s.matches(MON_1030.withMinute(45)));
        assertFalse(s.matches(MON_1030.withMinute(31)));
        assertFalse(s.matches(MON_1030.withHour(18)));
        assertFalse(s.matches(MON_1030.plusDays(5)), "a Saturday");
        assertTrue(CronSchedule.parse("5/20 * * * *").matches(MON_1030.withMinute(45)));
    }

    @Test
    void macrosAreTheirFiveFields() {
        assertEquals(Optional.of(LocalDateTime.of(2026, 12, 1, 0, 0)), CronSchedule.parse("@daily").next(MON_1030));
        assertEquals(Optional.of(LocalDateTime.of(2026, 11, 30, 11, 0)), CronSchedule.parse("@hourly").next(MON_1030));
        assertEquals(Optional.of(LocalDateTime.of(2026, 12, 6, 0, 0)), CronSchedule.parse("@weekly").next(MON_1030), "Sunday");
        assertEquals(Optional.of(LocalDateTime.of(2027, 1, 1, 0, 0)), CronSchedule.parse("@yearly").next(MON_1030));
    }

    @Test
    void dayOfMonthAndWeekdayBothRestrictedMatchEither() {
        CronSchedule s = CronSchedule.parse("0 0 13 * 5");
        assertTrue(s.matches(LocalDateTime.of(2026, 11, 13, 0, 0)), "the 13th");
        assertTrue(s.matches(LocalDateTime.of(2026, 11, 6, 0, 0)), "a Friday");
        assertFalse(s.matches(LocalDateTime.of(2026, 11, 7, 0, 0)));
        assertTrue(CronSchedule.parse("0 0 * * 7").matches(LocalDateTime.of(2026, 12, 6, 0, 0)), "7 is Sunday too");
    }

    @Test
    void aDayThatNeverComesHasNoNextRun() {
        assertEquals(Optional.empty(), CronSchedule.parse("0 0 31 2 *").next(MON_1030));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "* * * *", "* * * * * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "* * * 13 *",
            "* * * * 8", "*/0 * * * *", "5-1 * * * *", "a * * * *", "@reboot", "1,,2 * * * *"})
    void aBadScheduleIsOneErrorNamingIt(String bad) {
        PierException e = assertThrows(PierException.class, () -> CronSchedule.parse(bad));
        assertTrue(e.getMessage().startsWith("the schedule "), e.getMessage());
    }
}
