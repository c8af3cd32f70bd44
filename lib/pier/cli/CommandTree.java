package pier.cli;

import java.util.function.Supplier;
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

    /** The tree under a new root, with pier's contract (see {@link Cli}); a {@link Cli.Root} completes it first. */
    CommandLine build() {
        Object made = root.get();
        if (made instanceof PierCommand command) {
            command.tree = this;
        }
        CommandLine tree = new CommandLine(made, this);
        if (made instanceof Cli.Root completes) {
            completes.complete(tree);
        }
        return Cli.contract(tree, actor);
    }

    /** The same tree, run for {@code other}. */
    CommandLine forActor(Actor other) {
        return new CommandTree(root, other).build();
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
