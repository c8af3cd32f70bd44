package pier.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The build cache budget: nothing is pruned within it; over it, the oldest go until what stays fits. */
class BuildCacheTest {
    static BuildCache.Sized sized(String image, long madeAt, long bytes) {
        return new BuildCache.Sized(new BuildCache.Entry(image, madeAt, "blog"), bytes);
    }

    static List<String> pruned(List<BuildCache.Sized> cache, long budget) {
        return BuildCache.overBudget(cache, budget).stream().map(BuildCache.Entry::image).toList();
    }

    @Test
    void withinTheBudgetNothingIsPruned() {
        List<BuildCache.Sized> cache = List.of(sized("aaaaaaaaaaaa", 1, 400), sized("bbbbbbbbbbbb", 2, 600));
        assertEquals(List.of(), pruned(cache, 1000));
        assertEquals(List.of(), pruned(List.of(), 0));
    }

    @Test
    void overTheBudgetTheOldestGoUntilTheRestFits() {
        List<BuildCache.Sized> cache = List.of(sized("cccccccccccc", 3, 300), sized("aaaaaaaaaaaa", 1, 400),
                sized("bbbbbbbbbbbb", 2, 600));
        assertEquals(List.of("aaaaaaaaaaaa"), pruned(cache, 900));
        assertEquals(List.of("aaaaaaaaaaaa", "bbbbbbbbbbbb"), pruned(cache, 899));
        assertEquals(List.of("aaaaaaaaaaaa", "bbbbbbbbbbbb", "cccccccccccc"), pruned(cache, 0));
    }

    /** One build's images keep their ledger order (its newest step first), so a stage's last image goes first. */
    @Test
    void oneBuildsImagesGoInLedgerOrder() {
        List<BuildCache.Sized> cache = List.of(sized("eeeeeeeeeeee", 5, 10), sized("dddddddddddd", 5, 10));
        assertEquals(List.of("eeeeeeeeeeee"), pruned(cache, 10));
    }

    @Test
    void aLedgerLineThisVersionCannotReadIsDropped() {
        assertEquals(List.of(new BuildCache.Entry("0123456789ab", 17, "blog")),
                BuildCache.Entry.parse("0123456789ab 17 blog\nnot a line\n../x 1 blog\n\n"));
    }
}
