package pier.cli;

import picocli.CommandLine.Mixin;
import pier.names.AppName;

/** A report on one app that exists, as text or with {@code --format json}: domains, builder, releases, resources. */
public abstract class AppReport extends PierCommand {
    @Mixin
    AppMixin app;
    @Mixin
    FormatMixin format;

    /** Reports on {@code app}, which exists; returns the exit code. */
    protected abstract int report(AppName app);

    @Override
    protected final int run() {
        return report(pier().apps().require(app.app()));
    }
}
