package pier.base;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Progress in the Heroku/Dokku convention: {@code -----> Step} lines, detail lines indented by seven
 * spaces, {@code !     } for problems. Each line is flushed at once, so a pusher sees the build live.
 * Any function of a line is a Progress: a script passes {@code line -> log.add(line)}, or in Kotlin a trailing
 * {@code { println(it) }} wherever Progress is the last parameter (a method with another callback takes that last).
 */
@FunctionalInterface
public interface Progress {
    void line(String text);

    default void step(String text) {
        line("-----> " + text);
    }

    default void detail(String text) {
        line("       " + text);
    }

    default void warn(String text) {
        line(" !     " + text);
    }

    static Progress to(OutputStream out) {
        return text -> {
            try {
                out.write((text + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (IOException e) {
                // The pusher went away; the deploy goes on and its result is recorded as usual.
            }
        };
    }

    static Progress silent() {
        return text -> {
        };
    }
}
