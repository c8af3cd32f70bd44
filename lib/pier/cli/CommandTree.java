package pier.cli;

import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import pier.access.Actor;

/**
 * One script's command tree, run for one {@link Actor}: Picocli makes every command through it, so each
 * {@link PierCommand}'s {@code pier()} acts for that actor, and its gate checks that actor's rights. ssh-command
 * builds the same tree again for the key that connected ({@link #forActor}): nothing about who acts is static.
 */
final class CommandTree implements CommandLine.IFactory {
    private final Supplier<?> root;
    private final Actor actor;

    CommandTree(Supplier<?> root, Actor actor) {
        this.root = root;
        this.actor = actor;
    }

    Actor actor() {
        return actor;
    }

    /**
     * The tree under a new root, with pier's contract (see {@link Cli}); a {@link Cli.Root} completes it first.
     * {@code first} is the first word of the line it will run, if known (see {@link Cli.Root#complete}).
     */
    CommandLine build(@Nullable String first) {
        Object made = root.get();
        if (made instanceof PierCommand command) {
            command.tree = this;
        }
        CommandLine tree = new CommandLine(made, this);
        if (made instanceof Cli.Root completes) {
            completes.complete(tree, first);
        }
        return Cli.contract(tree, actor);
    }

    /** The same tree, run for {@code other}, to run a line starting with {@code first} (null: any line). */
    CommandLine forActor(Actor other, @Nullable String first) {
        return new CommandTree(root, other).build(first);
    }

    @Override
    public <K> K create(Class<K> type) throws Exception {
        K made = CommandLine.defaultFactory().create(type);
        if (made instanceof PierCommand command) {
            command.tree = this;
        }
        return made;
    }
}
