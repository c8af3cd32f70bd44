package pier.base;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Splits {@code SSH_ORIGINAL_COMMAND} into words the way a POSIX shell would quote them, but with no
 * shell: quotes and backslashes are honoured, nothing is expanded, globbed, piped or chained. A
 * {@code ;} or {@code $(...)} is just a character in a word, which the name rules then refuse.
 */
public final class SshWords {
    public static final int MAX_LENGTH = 8192;

    private SshWords() {
    }

    public static List<String> split(@Nullable String line) {
        if (line == null) {
            return List.of();
        }
        if (line.length() > MAX_LENGTH) {
            throw PierException.usage("command too long: at most " + MAX_LENGTH + " characters");
        }
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\'') {
                int end = line.indexOf('\'', i + 1);
                if (end < 0) {
                    throw PierException.usage("unterminated ' in the command");
                }
                word.append(line, i + 1, end);
                i = end;
                inWord = true;
            } else if (c == '"') {
                i = doubleQuoted(line, i + 1, word);
                inWord = true;
            } else if (c == '\\') {
                if (i + 1 >= line.length()) {
                    throw PierException.usage("the command ends with a lone backslash");
                }
                char next = line.charAt(++i);
                if (next != '\n') {
                    word.append(next);
                    inWord = true;
                }
            } else if (c == ' ' || c == '\t' || c == '\n') {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }

    /**
     * The inverse of {@link #split}: one line that splits back into exactly {@code words}, for the client side of
     * {@code pier --remote}. Words of plain characters go as they are, so the server's logs stay readable; any
     * other word is single-quoted, with each {@code '} written as {@code '\''}.
     */
    public static String join(List<String> words) {
        StringBuilder line = new StringBuilder();
        for (String word : words) {
            if (line.length() > 0) {
                line.append(' ');
            }
            if (PLAIN.matcher(word).matches()) {
                line.append(word);
            } else {
                line.append('\'').append(word.replace("'", "'\\''")).append('\'');
            }
        }
        if (line.length() > MAX_LENGTH) {
            throw PierException.usage("command too long: at most " + MAX_LENGTH + " characters once quoted for SSH");
        }
        return line.toString();
    }

    private static final java.util.regex.Pattern PLAIN = java.util.regex.Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");

    /** Reads a "..." body from {@code i}; inside, a backslash escapes only $ ` " \ and newline, as in sh. */
    private static int doubleQuoted(String line, int i, StringBuilder word) {
        for (; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                return i;
            }
            if (c == '\\' && i + 1 < line.length() && "$`\"\\\n".indexOf(line.charAt(i + 1)) >= 0) {
                char next = line.charAt(++i);
                if (next != '\n') {
                    word.append(next);
                }
            } else {
                word.append(c);
            }
        }
        throw PierException.usage("unterminated \" in the command");
    }

}
