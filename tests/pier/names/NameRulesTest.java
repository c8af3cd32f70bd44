package pier.names;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;
import pier.base.PierException;
import pier.state.Settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The name rules are pier's first line of defence: every app, key and domain name reaches a path, an
 * Nginx config or authorized_keys, so anything that could escape one of those must be refused here.
 */
public class NameRulesTest {

    /** A refusal is bad input (exit 2) and one safe line: it is echoed to a terminal or a git client. */
    public static PierException assertInvalid(Executable parse) {
        PierException e = assertThrows(PierException.class, parse);
        assertEquals(PierException.USAGE, e.exitCode(), "exit code for bad input");
        assertTrue(e.getMessage().startsWith("invalid"), () -> "message should start with 'invalid': " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), () -> "raw newline in message: " + e.getMessage());
        assertFalse(e.getMessage().contains("\r"), () -> "raw carriage return in message: " + e.getMessage());
        assertFalse(e.getMessage().contains("\0"), () -> "raw NUL in message: " + e.getMessage());
        return e;
    }

    // ---- AppName ----

    @ParameterizedTest
    @ValueSource(strings = {"a", "blog", "my-app", "a1", "app-2-b", "x0123456789", "abcdefghijklmnopqrstuvwxyz0123"})
    void acceptsAppName(String name) {
        assertEquals(name, AppName.of(name).value());
    }

    @Test
    void acceptsAppNameOfExactlyThirtyCharacters() {
        String thirty = "a" + "b".repeat(29);
        assertEquals(30, thirty.length());
        assertEquals(thirty, AppName.of(thirty).value());
    }

    @Test
    void rejectsAppNameOfThirtyOneCharacters() {
        assertInvalid(() -> AppName.of("a" + "b".repeat(30)));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {
            "Blog", "BLOG", "blOg",             // uppercase
            "-blog", "1blog", "0",              // must start with a letter
            "blog-",                            // trailing dash
            "../x", "/etc", "a/b", ".", "..",   // paths
            "a;b", "a b", "a\tb", "a\nb", "blog\n", "a\rb", "a\0b",
            "$(id)", "`id`", "a|b", "a&b",
            "a'b", "a\"b", "'blog'", "a{b}", "{a}", "a#b", "a_b", "a.b", "a:b", "a=b", "a\\b",
            "\u0430",                           // Cyrillic 'а' alone
            "bl\u043eg",                        // "blog" with a Cyrillic 'о'
            "\u0430pp",                         // "app" with a Cyrillic 'а'
            "ｂｌｏｇ",                           // full-width letters
            "blog\u00ad",                       // soft hyphen
    })
    void rejectsInvalidAppName(String name) {
        assertInvalid(() -> AppName.of(name));
    }

    @Test
    void appNameRejectionQuotesInputWithControlCharactersEscaped() {
        PierException e = assertInvalid(() -> AppName.of("a\nb\0c"));
        assertTrue(e.getMessage().contains("'a\\u000ab\\u0000c'"), e.getMessage());
    }

    /**
     * Shown promises "control characters escaped", and these messages reach a terminal. C1 controls
     * (U+0080..U+009F, e.g. U+009B, a one-character CSI) and the Unicode line breaks U+0085, U+2028 and
     * U+2029 are control or line-breaking characters too, so they should be escaped like \n.
     */
    @ParameterizedTest
    @ValueSource(strings = {"a\u009b31mb", "a\u0085b", "a\u2028b", "a\u2029b"})
    void rejectionMessageEscapesUnicodeControlAndLineBreakCharacters(String name) {
        PierException e = assertInvalid(() -> AppName.of(name));
        String message = e.getMessage();
        assertTrue(message.chars().noneMatch(c -> Character.isISOControl(c) || c == 0x2028 || c == 0x2029),
                () -> "raw control or line-break character in message: "
                        + message.chars().mapToObj(c -> c < 0x20 || c >= 0x7f ? String.format("\\u%04x", c) : String.valueOf((char) c))
                        .reduce("", String::concat));
    }

    @Test
    void appNamesCompareAlphabetically() {
        assertTrue(AppName.of("alpha").compareTo(AppName.of("beta")) < 0);
        assertEquals(0, AppName.of("blog").compareTo(AppName.of("blog")));
    }

    // ---- KeyName ----

    @ParameterizedTest
    @ValueSource(strings = {"alice", "Alice", "ALICE", "alice@laptop", "a.b_c-d", "0", "9lives", "bob.example.com"})
    void acceptsKeyName(String name) {
        assertEquals(name, KeyName.of(name).value());
    }

    @Test
    void acceptsKeyNameOfExactlySixtyFourCharacters() {
        String name = "k".repeat(64);
        assertEquals(name, KeyName.of(name).value());
    }

    @Test
    void rejectsKeyNameOfSixtyFiveCharacters() {
        assertInvalid(() -> KeyName.of("k".repeat(65)));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {
            "-alice", ".alice", "_alice", "@alice",  // must start with a letter or digit
            "../x", "/etc", "a/b", "..",
            "a;b", "a b", "a\tb", "a\nb", "alice\n", "a\rb", "a\0b",
            "$(id)", "`id`", "a|b", "a&b",
            "a'b", "a\"b", "a{b}", "a#b", "#a", "a:b", "a=b", "a,b", "a\\b",
            "\u0430lice",                            // Cyrillic 'а'
            "al\u0456ce",                            // Cyrillic 'і'
    })
    void rejectsInvalidKeyName(String name) {
        assertInvalid(() -> KeyName.of(name));
    }

    // ---- Domain ----

    @ParameterizedTest
    @ValueSource(strings = {"example.com", "blog.example.com", "a.b", "localhost", "a-b.example.com",
            "1.example.com", "xn--bcher-kva.example", "a1-b2.c3"})
    void acceptsDomain(String name) {
        assertEquals(name, Domain.of(name).value());
    }

    @Test
    void lowercasesDomain() {
        assertEquals("example.com", Domain.of("Example.COM").value());
        assertEquals("blog.example.com", Domain.of("BLOG.EXAMPLE.COM").value());
    }

    @Test
    void convertsInternationalDomainToPunycode() {
        assertEquals("xn--bcher-kva.example", Domain.of("bücher.example").value());
        assertEquals("xn--bcher-kva.example", Domain.of("BÜCHER.example").value());
    }

    @Test
    void equalDomainsAfterNormalisationAreEqualRecords() {
        assertEquals(Domain.of("bücher.example"), Domain.of("xn--bcher-kva.EXAMPLE"));
    }

    @Test
    void acceptsDomainLabelOfSixtyThreeCharacters() {
        String label = "a".repeat(63);
        assertEquals(label + ".com", Domain.of(label + ".com").value());
    }

    @Test
    void rejectsDomainLabelOfSixtyFourCharacters() {
        assertInvalid(() -> Domain.of("a".repeat(64) + ".com"));
    }

    @Test
    void acceptsDomainOfTwoHundredFiftyThreeCharacters() {
        String name = String.join(".", "a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(61));
        assertEquals(253, name.length());
        assertEquals(name, Domain.of(name).value());
    }

    @Test
    void rejectsDomainOfTwoHundredFiftyFourCharacters() {
        String name = String.join(".", "a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(62));
        assertEquals(254, name.length());
        assertInvalid(() -> Domain.of(name));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {
            "-a.com", "a-.com", "a..com", ".com", ".",
            "../x", "/etc", "a/b.com", "http://example.com", "example.com:80",
            "a;b.com", "a b.com", "a\tb.com", "a\nb.com", "example.com\n", "a\0b.com",
            "$(id).com", "`id`.com", "a|b.com",
            "'a'.com", "\"a\".com", "{a}.com", "a#b.com", "a_b.com", "a\\b.com", "a@b.com",
            "*", "*.", "*.com", "a.*.com", "*example.com", "**.example.com", "*.*.example.com", "example.*",
            "*-a.example.com", ".*.example.com", "*.example..com", "*.-a.example.com",
    })
    void rejectsInvalidDomain(String name) {
        assertInvalid(() -> Domain.of(name));
    }

    // ---- Wildcard domains: only a whole leading "*." label, followed by at least two labels ----

    @ParameterizedTest
    @ValueSource(strings = {"*.example.com", "*.a.b", "*.xn--bcher-kva.example", "*.blog.example.com"})
    void acceptsWildcardDomain(String name) {
        Domain d = Domain.of(name);
        assertEquals(name, d.value());
        assertTrue(d.wildcard());
    }

    @Test
    void wildcardDomainIsLowercasedAndPunycoded() {
        assertEquals("*.xn--bcher-kva.example", Domain.of("*.BÜCHER.example").value());
    }

    @Test
    void plainDomainIsNotAWildcard() {
        assertFalse(Domain.of("example.com").wildcard());
    }

    @Test
    void wildcardDomainCountsItsStarTowardsTwoHundredFiftyThreeCharacters() {
        String fits = "*." + String.join(".", "a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(59));
        assertEquals(253, fits.length());
        assertEquals(fits, Domain.of(fits).value());
        assertInvalid(() -> Domain.of(fits.replace("*.", "*.e")));
    }

    @Test
    void aWildcardCannotBeTheGlobalDomain() {
        PierException e = assertThrows(PierException.class, () -> Settings.checkGlobal(Domain.of("*.example.com")));
        assertEquals(PierException.USAGE, e.exitCode());
    }

    @Test
    void appDomainIsAppNameUnderGlobalDomain() {
        assertEquals("blog.example.com", Domain.of("example.com").under(AppName.of("blog")).value());
    }

    @Test
    void appDomainThatWouldBeTooLongIsRejected() {
        String base = String.join(".", "a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(50));
        Domain global = Domain.of(base);
        assertInvalid(() -> global.under(AppName.of("a" + "b".repeat(29))));
    }

    // ---- NodeHost ----

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.2", "192.168.1.254", "node2", "node-2.example.com", "a"})
    void acceptsNodeHost(String host) {
        assertEquals(host, NodeHost.of(host).value());
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"root@10.0.0.2", "10.0.0.2:22", "-oProxyCommand=x", "node 2", "node;reboot", "Node2",
            "node2.", ".node2", "256.1.1.1", "a\nb", "[::1]", "$(id)", "node_2"})
    void rejectsNodeHost(String host) {
        assertInvalid(() -> NodeHost.of(host));
    }
}
