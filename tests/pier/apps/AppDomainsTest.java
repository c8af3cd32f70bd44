package pier.apps;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import pier.base.PierException;
import pier.names.AppName;
import pier.names.Domain;
import pier.state.PierHome;
import pier.state.Settings;
import pier.access.Actor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The per-app domain lists on a scratch PierHome, with a recording router in place of Nginx: what is stored,
 * who owns a name, and that a refused change (taken name, bad name, failed route) leaves everything as it was.
 */
class AppDomainsTest {
    @TempDir
    Path tmp;

    PierHome home;
    Apps apps;
    List<List<Domain>> routed;
    AppDomains domains;

    static final AppName BLOG = AppName.of("blog");
    static final AppName SHOP = AppName.of("shop");

    @BeforeEach
    void setUp() {
        home = new PierHome(tmp);
        apps = new Apps(home);
        apps.create(BLOG);
        apps.create(SHOP);
        routed = new ArrayList<>();
        domains = new AppDomains(home, Actor.LOCAL, (app, served) -> {
            routed.add(served);
            return true;
        });
    }

    static List<Domain> names(String... names) {
        return java.util.Arrays.stream(names).map(Domain::of).toList();
    }

    String file(AppName app) throws IOException {
        return Files.readString(home.domains(app));
    }

    static PierException assertFailed(int exitCode, Executable change) {
        PierException e = assertThrows(PierException.class, change);
        assertEquals(exitCode, e.exitCode(), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e;
    }

    // ---- the default name ----

    @Test
    void aFreshAppAnswersOnItsDefaultNameOnly() {
        assertEquals(List.of(), domains.of(BLOG));
        assertEquals(names("blog.localhost"), domains.served(BLOG));
        assertEquals(names("blog.localhost"), apps.domains(BLOG));
    }

    @Test
    void theDefaultNameFollowsTheGlobalDomain() {
        new Settings(home).globalDomain(Domain.of("example.com"));
        assertEquals(Domain.of("blog.example.com"), domains.defaultDomain(BLOG));
        assertEquals(names("blog.example.com"), apps.domains(BLOG));
    }

    // ---- add ----

    @Test
    void addStoresAsciiNamesOnePerLineSortedWithModeRwRR() throws IOException {
        AppDomains.Change change = domains.add(BLOG, names("www.example.com", "blog.example.com"));
        assertEquals(names("blog.example.com", "www.example.com"), change.added());
        assertEquals("blog.example.com\nwww.example.com\n", file(BLOG));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(home.domains(BLOG))));
        assertEquals(names("blog.example.com", "www.example.com"), domains.of(BLOG));
    }

    @Test
    void servedNamesAreTheDefaultFirstThenTheAppsOwnSorted() {
        domains.add(BLOG, names("zz.example.com"));
        domains.add(BLOG, names("aa.example.com"));
        List<Domain> expected = names("blog.localhost", "aa.example.com", "zz.example.com");
        assertEquals(expected, domains.served(BLOG));
        assertEquals(expected, apps.domains(BLOG), "Deploy renders the vhost from Apps.domains");
    }

    @Test
    void addRoutesTheNewNamesBeforeStoringThem() {
        AppDomains.Change change = domains.add(BLOG, names("blog.example.com"));
        assertEquals(List.of(names("blog.localhost", "blog.example.com")), routed);
        assertTrue(change.routed());
        assertEquals(names("blog.localhost", "blog.example.com"), change.served());
    }

    @Test
    void addingANameTheAppHasChangesNothingAndRoutesNothing() throws IOException {
        domains.add(BLOG, names("blog.example.com"));
        routed.clear();
        AppDomains.Change again = domains.add(BLOG, names("BLOG.example.com"));
        assertFalse(again.changed());
        assertEquals(List.of(), routed);
        assertEquals("blog.example.com\n", file(BLOG));
    }

    @Test
    void addingTheAppsOwnDefaultNameIsNotStored() {
        AppDomains.Change change = domains.add(BLOG, names("blog.localhost"));
        assertFalse(change.changed());
        assertFalse(Files.exists(home.domains(BLOG)));
    }

    @Test
    void anInternationalNameIsStoredAsPunycode() throws IOException {
        domains.add(BLOG, names("bücher.example.com"));
        assertEquals("xn--bcher-kva.example.com\n", file(BLOG));
        assertEquals(Optional.of(BLOG), domains.owner(Domain.of("BÜCHER.example.com")));
    }

    @Test
    void aWildcardIsStoredAndOwnedAsItIs() throws IOException {
        domains.add(BLOG, names("*.example.com"));
        assertEquals("*.example.com\n", file(BLOG));
        assertEquals(Optional.of(BLOG), domains.owner(Domain.of("*.example.com")));
        PierException e = assertFailed(PierException.FAILED, () -> domains.add(SHOP, names("*.example.com")));
        assertTrue(e.getMessage().contains("blog"), e.getMessage());
        // An exact name under the wildcard is another name: Nginx prefers it to the wildcard.
        domains.add(SHOP, names("shop.example.com"));
        assertEquals(Optional.of(SHOP), domains.owner(Domain.of("shop.example.com")));
    }

    // ---- ownership ----

    @Test
    void aNameAnotherAppHasIsRefusedWithTheOwnersNameAndNothingChanges() throws IOException {
        domains.add(BLOG, names("blog.example.com"));
        routed.clear();
        PierException e = assertFailed(PierException.FAILED,
                () -> domains.add(SHOP, names("shop.example.com", "blog.example.com")));
        assertTrue(e.getMessage().contains("blog.example.com is already a domain of blog"), e.getMessage());
        assertEquals(List.of(), routed);
        assertEquals(List.of(), domains.of(SHOP), "no name of a refused change is stored");
        assertFalse(Files.exists(home.domains(SHOP)));
    }

    @Test
    void anotherAppsDefaultNameCountsAsTaken() {
        PierException e = assertFailed(PierException.FAILED, () -> domains.add(SHOP, names("blog.localhost")));
        assertTrue(e.getMessage().contains("default name of the app blog"), e.getMessage());
        new Settings(home).globalDomain(Domain.of("example.com"));
        assertFailed(PierException.FAILED, () -> domains.add(SHOP, names("blog.example.com")));
        assertEquals(Optional.of(BLOG), domains.owner(Domain.of("blog.example.com")));
    }

    @Test
    void aRemovedNameIsFreeForAnotherApp() {
        domains.add(BLOG, names("www.example.com"));
        domains.remove(BLOG, names("www.example.com"));
        domains.add(SHOP, names("www.example.com"));
        assertEquals(Optional.of(SHOP), domains.owner(Domain.of("www.example.com")));
    }

    @Test
    void setIsCheckedForOwnershipToo() throws IOException {
        domains.add(BLOG, names("blog.example.com"));
        domains.add(SHOP, names("shop.example.com"));
        PierException e = assertFailed(PierException.FAILED, () -> domains.set(SHOP, names("blog.example.com")));
        assertTrue(e.getMessage().contains("blog"), e.getMessage());
        assertEquals("shop.example.com\n", file(SHOP));
    }

    @Test
    void nobodyOwnsAnUnknownName() {
        assertEquals(Optional.empty(), domains.owner(Domain.of("nobody.example.com")));
    }

    @Test
    void anAppWhoseDefaultNameIsAnotherAppsDomainCannotBeCreated() {
        domains.add(BLOG, names("news.localhost"));
        PierException e = assertFailed(PierException.FAILED, () -> apps.create(AppName.of("news")));
        assertTrue(e.getMessage().contains("news.localhost is a domain of blog"), e.getMessage());
        assertFalse(apps.exists(AppName.of("news")));
        assertFailed(PierException.FAILED, () -> apps.ensure(AppName.of("news")));
        assertFalse(apps.exists(AppName.of("news")));
    }

    @Test
    void aGlobalDomainThatWouldGiveAnAppAnotherAppsNameIsRefused() {
        domains.add(BLOG, names("shop.example.com"));
        PierException e = assertFailed(PierException.FAILED, () -> domains.claimGlobal(Domain.of("example.com")));
        assertTrue(e.getMessage().contains("shop.example.com") && e.getMessage().contains("blog"), e.getMessage());
        assertEquals(Optional.empty(), new Settings(home).globalDomain());
        domains.claimGlobal(Domain.of("example.org"));
        assertEquals(Optional.of(Domain.of("example.org")), new Settings(home).globalDomain());
        domains.claimGlobal(null);
        assertEquals(Optional.empty(), new Settings(home).globalDomain());
    }

    @Test
    void aWildcardGlobalDomainIsBadInput() {
        assertFailed(PierException.USAGE, () -> domains.claimGlobal(Domain.of("*.example.com")));
        assertEquals(Optional.empty(), new Settings(home).globalDomain());
    }

    // ---- remove, set, clear ----

    @Test
    void removeTakesOnlyTheNamedOnes() throws IOException {
        domains.add(BLOG, names("a.example.com", "b.example.com", "c.example.com"));
        AppDomains.Change change = domains.remove(BLOG, names("b.example.com", "c.example.com"));
        assertEquals(names("b.example.com", "c.example.com"), change.removed());
        assertEquals("a.example.com\n", file(BLOG));
        assertEquals(names("blog.localhost", "a.example.com"), routed.get(routed.size() - 1));
    }

    @Test
    void removingANameTheAppDoesNotHaveIsRefusedAndNothingChanges() throws IOException {
        domains.add(BLOG, names("a.example.com"));
        PierException e = assertFailed(PierException.FAILED, () -> domains.remove(BLOG, names("a.example.com", "x.example.com")));
        assertTrue(e.getMessage().contains("x.example.com is not a domain of blog"), e.getMessage());
        assertEquals("a.example.com\n", file(BLOG));
    }

    @Test
    void theDefaultNameCannotBeRemoved() {
        PierException e = assertFailed(PierException.FAILED, () -> domains.remove(BLOG, names("blog.localhost")));
        assertTrue(e.getMessage().contains("default name"), e.getMessage());
    }

    @Test
    void setReplacesTheList() throws IOException {
        domains.add(BLOG, names("a.example.com", "b.example.com"));
        AppDomains.Change change = domains.set(BLOG, names("b.example.com", "c.example.com"));
        assertEquals(names("c.example.com"), change.added());
        assertEquals(names("a.example.com"), change.removed());
        assertEquals("b.example.com\nc.example.com\n", file(BLOG));
    }

    @Test
    void clearLeavesTheDefaultNameOnly() throws IOException {
        domains.add(BLOG, names("a.example.com", "*.example.org"));
        AppDomains.Change change = domains.clear(BLOG);
        assertEquals(names("*.example.org", "a.example.com"), change.removed());
        assertEquals("", file(BLOG));
        assertEquals(names("blog.localhost"), domains.served(BLOG));
        assertFalse(domains.clear(BLOG).changed(), "clearing twice changes nothing");
    }

    // ---- refusals leave everything as it was ----

    @Test
    void whenRoutingFailsTheOldListStays() throws IOException {
        domains.add(BLOG, names("a.example.com"));
        AppDomains failing = new AppDomains(home, Actor.LOCAL, (app, served) -> {
            throw PierException.failed("nginx rejected the new configuration for blog, kept the old one: test");
        });
        assertFailed(PierException.FAILED, () -> failing.add(BLOG, names("b.example.com")));
        assertFailed(PierException.FAILED, () -> failing.clear(BLOG));
        assertEquals("a.example.com\n", file(BLOG));
        assertEquals(Optional.empty(), domains.owner(Domain.of("b.example.com")), "a refused name stays free");
    }

    @Test
    void anAppThatIsNotDeployedJustStoresItsList() {
        AppDomains storeOnly = new AppDomains(home);
        AppDomains.Change change = storeOnly.add(BLOG, names("a.example.com"));
        assertFalse(change.routed());
        assertEquals(names("a.example.com"), storeOnly.of(BLOG));
    }

    @Test
    void anAppThatDoesNotExistIsRefused() {
        PierException e = assertFailed(PierException.FAILED, () -> domains.add(AppName.of("ghost"), names("a.example.com")));
        assertTrue(e.getMessage().contains("ghost does not exist"), e.getMessage());
        assertFalse(Files.exists(home.domains(AppName.of("ghost"))));
    }

    @Test
    void addingOrRemovingNothingIsBadInput() {
        assertFailed(PierException.USAGE, () -> domains.add(BLOG, List.of()));
        assertFailed(PierException.USAGE, () -> domains.remove(BLOG, List.of()));
        assertFailed(PierException.USAGE, () -> domains.set(BLOG, List.of()));
    }

    @Test
    void aHandEditedFileWithABadLineIsReportedWithItsPathAndLine() throws IOException {
        Files.writeString(home.domains(BLOG), "a.example.com\n\nbad_name.com\n");
        PierException e = assertFailed(PierException.FAILED, () -> domains.of(BLOG));
        assertTrue(e.getMessage().contains(home.domains(BLOG) + " line 3"), e.getMessage());
    }

    @Test
    void blankLinesAndSurroundingSpaceInTheFileAreIgnored() throws IOException {
        Files.writeString(home.domains(BLOG), "\n  b.example.com  \n\na.example.com\n");
        assertEquals(names("a.example.com", "b.example.com"), domains.of(BLOG));
    }
}
