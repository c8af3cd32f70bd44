package pier.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Parameters;
import pier.names.AppName;

/**
 * The APP a command acts on: its first positional, labelled APP, which is how {@link CommandGate} and
 * {@link AppArgument} find it. The name is checked by {@link AppName}'s rule while the line is parsed, so a bad
 * one is a usage error (exit 2) saying exactly what {@link AppName#of} says, before anything runs.
 */
public final class AppMixin {
    @Parameters(index = "0", paramLabel = "APP", converter = Converter.class)
    AppName app;

    public AppName app() {
        return app;
    }

    /** {@link AppName#of} as a Picocli converter: its refusal reaches the user as is (see {@link Cli}). */
    public static final class Converter implements ITypeConverter<AppName> {
        @Override
        public AppName convert(String value) {
            return AppName.of(value);
        }
    }
}
