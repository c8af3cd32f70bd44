package pier.base;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;
import pier.names.AppName;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * SSH_ORIGINAL_COMMAND is attacker-controlled text. It must be split like sh quotes words, but nothing a
 * shell would act on ($(), ;, |, backticks) may do anything but end up as a literal character in a word.
 */
class SshWordsTest {

    static Stream<Arguments> plainWords() {
        return Stream.of(
                arguments("apps", List.of("apps")),
                arguments("apps:create blog", List.of("apps:create", "blog")),
                arguments("a b  c", List.of("a", "b", "c")),
                arguments("  a b  ", List.of("a", "b")),
                arguments("a\tb", List.of("a", "b")),
                arguments("a\nb", List.of("a", "b")));
    }

    @ParameterizedTest
    @MethodSource("plainWords")
    void splitsPlainWordsOnWhitespace(String line, List<String> expected) {
        assertEquals(expected, SshWords.split(line));
    }

    static Stream<Arguments> singleQuotes() {
        return Stream.of(
                arguments("'a b'", List.of("a b")),
                arguments("x 'a b' y", List.of("x", "a b", "y")),
                arguments("'a\"b'", List.of("a\"b")),
                arguments("'a\\b'", List.of("a\\b")),     // no escapes inside single quotes
                arguments("'$(id)'", List.of("$(id)")),
                arguments("''", List.of("")),              // an empty quoted word is still a word
                arguments("a''b", List.of("ab")),
                arguments("'a'\"b\"c", List.of("abc")));
    }

    @ParameterizedTest
    @MethodSource("singleQuotes")
    void singleQuotesKeepEverythingLiteral(String line, List<String> expected) {
        assertEquals(expected, SshWords.split(line));
    }

    static Stream<Arguments> doubleQuotes() {
        return Stream.of(
                arguments("\"a b\"", List.of("a b")),
                arguments("\"a\\\"b\"", List.of("a\"b")),      // "a\"b"  -> a"b
                arguments("\"a\\\\b\"", List.of("a\\b")),      // "a\\b"  -> a\b
                arguments("\"a\\$b\"", List.of("a$b")),        // "a\$b"  -> a$b
                arguments("\"a\\nb\"", List.of("a\\nb")),      // "a\nb"  -> a\nb: \n is not an escape in sh
                arguments("\"a'b\"", List.of("a'b")),
                arguments("\"\"", List.of("")),
                arguments("\"$HOME\"", List.of("$HOME")));
    }

    @ParameterizedTest
    @MethodSource("doubleQuotes")
    void doubleQuotesHonourOnlyShellEscapes(String line, List<String> expected) {
        assertEquals(expected, SshWords.split(line));
    }

    static Stream<Arguments> backslashes() {
        return Stream.of(
                arguments("a\\ b", List.of("a b")),
                arguments("a\\\\b", List.of("a\\b")),
                arguments("\\'", List.of("'")),
                arguments("\\\"x", List.of("\"x")),
                arguments("a\\\nb", List.of("ab")));           // backslash-newline joins lines
    }

    @ParameterizedTest
    @MethodSource("backslashes")
    void backslashOutsideQuotesEscapesNextCharacter(String line, List<String> expected) {
        assertEquals(expected, SshWords.split(line));
    }

    static Stream<Arguments> shellSyntax() {
        return Stream.of(
                arguments("\"a;b\"", List.of("a;b")),
                arguments("a;b", List.of("a;b")),
                arguments("apps; id", List.of("apps;", "id")),
                arguments("echo $(id)", List.of("echo", "$(id)")),
                arguments("echo `id`", List.of("echo", "`id`")),
                arguments("a|b", List.of("a|b")),
                arguments("a | b", List.of("a", "|", "b")),
                arguments("a && b", List.of("a", "&&", "b")),
                arguments("a > /tmp/x", List.of("a", ">", "/tmp/x")),
                arguments("ls *", List.of("ls", "*")),
                arguments("echo ${PATH}", List.of("echo", "${PATH}")),
                arguments("~", List.of("~")));
    }

    @ParameterizedTest
    @MethodSource("shellSyntax")
    void shellSyntaxStaysLiteralInsideWords(String line, List<String> expected) {
        assertEquals(expected, SshWords.split(line));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {" ", "   ", "\t", "\n", " \t\n "})
    void emptyOrBlankCommandHasNoWords(String line) {
        assertEquals(List.of(), SshWords.split(line));
    }

    @ParameterizedTest
    @ValueSource(strings = {"'abc", "a 'b", "'", "\"abc", "\"", "\"a\\\"", "'a'\"b", "abc\\"})
    void rejectsUnterminatedQuoteOrTrailingBackslash(String line) {
        PierException e = assertThrows(PierException.class, () -> SshWords.split(line));
        assertEquals(PierException.USAGE, e.exitCode());
    }

    @Test
    void acceptsCommandOfExactlyMaxLength() {
        String line = "a".repeat(SshWords.MAX_LENGTH);
        assertEquals(List.of(line), SshWords.split(line));
    }

    @Test
    void rejectsCommandLongerThanMaxLength() {
        PierException e = assertThrows(PierException.class, () -> SshWords.split("a".repeat(SshWords.MAX_LENGTH + 1)));
        assertEquals(PierException.USAGE, e.exitCode());
    }

    @Test
    void splitsGitCommandLineAsGitSendsIt() {
        assertEquals(List.of("git-receive-pack", "blog"), SshWords.split("git-receive-pack 'blog'"));
    }

    // ---- AppName.ofRepoPath: the app a git command names ----

    @ParameterizedTest
    @ValueSource(strings = {"blog", "/blog", "blog.git", "/blog.git", "~/blog.git", "~/blog", "blog/"})
    void repoPathNamesApp(String path) {
        assertEquals(AppName.of("blog"), AppName.ofRepoPath(path));
    }

    @ParameterizedTest
    @ValueSource(strings = {"../other", "/etc/passwd", "a/b", "", "~/../blog", "//blog", "blog.git.git", ".git",
            "Blog", "blog;id", "~root/blog", "blog\n"})
    void rejectsRepoPathThatIsNotAnAppName(String path) {
        PierException e = assertThrows(PierException.class, () -> AppName.ofRepoPath(path));
        assertEquals(PierException.USAGE, e.exitCode());
    }

    @ParameterizedTest
    @ValueSource(strings = {"git-receive-pack 'blog'", "git-receive-pack '/blog.git'", "git-upload-pack '~/blog.git'",
            "git-receive-pack blog"})
    void gitCommandLineResolvesToApp(String line) {
        List<String> words = SshWords.split(line);
        assertEquals(2, words.size());
        assertEquals(AppName.of("blog"), AppName.ofRepoPath(words.get(1)));
    }

    @Test
    void gitCommandLineWithInjectionIsRefusedByRepoApp() {
        List<String> words = SshWords.split("git-receive-pack 'blog;rm -rf /'");
        assertEquals(List.of("git-receive-pack", "blog;rm -rf /"), words);
        PierException e = assertThrows(PierException.class, () -> AppName.ofRepoPath(words.get(1)));
        assertEquals(PierException.USAGE, e.exitCode());
    }

    static Stream<Arguments> awkwardWordLists() {
        return Stream.of(
                arguments(List.of("config:set", "blog", "GREETING=hello world")),
                arguments(List.of("config:set", "blog", "Q=it's \"quoted\"", "D=$HOME `id` $(id) ${X}")),
                arguments(List.of("run", "blog", "sh", "-c", "echo 'a' \"b\" \\n; exit 7")),
                arguments(List.of("config:set", "blog", "EMPTY=", "")),
                arguments(List.of("", "", "'", "''", "\"", "\\")),
                arguments(List.of("NL=line1\nline2\n", "TAB=\t", "  padded  ", "#hash", "a;b|c&d>e<f")),
                arguments(List.of("ünïcødé ✓ 日本", "*", "?", "~", "~/x", "!", "{a,b}")));
    }

    /** What pier --remote sends must split on the server into exactly the words the user typed. */
    @ParameterizedTest
    @MethodSource("awkwardWordLists")
    void joinedWordsSplitBackToTheSameWords(List<String> words) {
        assertEquals(words, SshWords.split(SshWords.join(words)));
    }

    @Test
    void plainWordsAreJoinedUnquotedSoServerLogsStayReadable() {
        assertEquals("config:set blog KEY=v1 --no-restart", SshWords.join(List.of("config:set", "blog", "KEY=v1", "--no-restart")));
    }

    @Test
    void joinRefusesALineTheServerWouldRefuse() {
        PierException e = assertThrows(PierException.class, () -> SshWords.join(List.of("x".repeat(SshWords.MAX_LENGTH + 1))));
        assertEquals(PierException.USAGE, e.exitCode());
    }
}
