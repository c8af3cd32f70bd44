package pier.engine;

//DEPS org.freemarker:freemarker:2.3.35
//FILES templates/nginx/=../../../templates/nginx/*.ftl
//FILES templates/sshd/=../../../templates/sshd/*.ftl
//FILES templates/sudoers/=../../../templates/sudoers/*.ftl
//FILES templates/ssh/=../../../templates/ssh/*.ftl
//FILES templates/bin/=../../../templates/bin/*.ftl
//FILES templates/docker/=../../../templates/docker/*.ftl
//FILES templates/systemd/=../../../templates/systemd/*.ftl
//FILES templates/cron/=../../../templates/cron/*.ftl
//FILES templates/registry/=../../../templates/registry/*.ftl
//FILES templates/buildpacks/=../../../templates/buildpacks/order
//FILES templates/buildpacks/static/=../../../templates/buildpacks/static/*
//FILES templates/buildpacks/php/=../../../templates/buildpacks/php/*
//FILES templates/buildpacks/nodejs/=../../../templates/buildpacks/nodejs/*
//FILES templates/buildpacks/python/=../../../templates/buildpacks/python/*
//FILES templates/services/=../../../templates/services/kinds
//FILES templates/services/postgres/=../../../templates/services/postgres/*
//FILES templates/services/mariadb/=../../../templates/services/mariadb/*
//FILES templates/services/redis/=../../../templates/services/redis/*

import freemarker.cache.ClassTemplateLoader;
import freemarker.cache.FileTemplateLoader;
import freemarker.cache.MultiTemplateLoader;
import freemarker.cache.TemplateLoader;
import freemarker.core.StopException;
import freemarker.template.Configuration;
import freemarker.template.Template;
import freemarker.template.TemplateException;
import freemarker.template.TemplateExceptionHandler;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import pier.base.PierException;

/**
 * Renders every file pier writes on the host. An admin's copy in {@code /etc/pier/templates/<path>} wins
 * over the shipped one, so Nginx or sshd settings can be changed without touching pier.
 */
public final class Templates {
    public static final Path OVERRIDES = Path.of("/etc/pier/templates");

    private static final Templates DEFAULT = new Templates(OVERRIDES);

    private final Path overrides;
    // Made on first use: most commands render nothing, and FreeMarker's set-up costs tens of ms of their start.
    private @Nullable Configuration config;

    public Templates(Path overrides) {
        this.overrides = overrides;
    }

    private synchronized Configuration config() {
        if (config == null) {
            config = configuration(overrides);
        }
        return config;
    }

    private static Configuration configuration(Path overrides) {
        Configuration config = new Configuration(Configuration.VERSION_2_3_34);
        List<TemplateLoader> loaders = new ArrayList<>();
        try {
            if (Files.isDirectory(overrides)) {
                loaders.add(new FileTemplateLoader(overrides.toFile()));
            }
        } catch (IOException e) {
            throw PierException.failed("cannot read templates in " + overrides + ": " + e.getMessage(), e);
        }
        loaders.add(new ClassTemplateLoader(Templates.class, "/templates"));
        config.setTemplateLoader(new MultiTemplateLoader(loaders.toArray(TemplateLoader[]::new)));
        config.setDefaultEncoding("UTF-8");
        config.setTemplateExceptionHandler(TemplateExceptionHandler.RETHROW_HANDLER);
        config.setLogTemplateExceptions(false);
        config.setWrapUncheckedExceptions(true);
        config.setFallbackOnNullLoopVariable(false);
        // Machine-read files: a port of 10000 must not render as "10,000".
        config.setNumberFormat("c");
        config.setBooleanFormat("c");
        return config;
    }

    public static Templates standard() {
        return DEFAULT;
    }

    public String render(String name, Map<String, ?> model) {
        try {
            StringWriter out = new StringWriter();
            config().getTemplate(name).process(model, out);
            return out.toString();
        } catch (StopException e) {
            // A template's own refusal (<#stop "reason">) is a message for the user, not a template bug.
            throw PierException.failed(e.getMessageWithoutStackTop(), e);
        } catch (IOException | TemplateException e) {
            throw PierException.failed("cannot render template " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * A data file among the templates (a buildpack's properties, the buildpack order), verbatim and with the same
     * override rule as a template; empty when neither an override nor a shipped file exists.
     */
    public Optional<String> text(String name) {
        try {
            Template template = config().getTemplate(name, null, null, null, false, true);
            if (template == null) {
                return Optional.empty();
            }
            StringWriter out = new StringWriter();
            template.process(Map.of(), out);
            return Optional.of(out.toString());
        } catch (IOException | TemplateException e) {
            throw PierException.failed("cannot read template " + name + ": " + e.getMessage(), e);
        }
    }
}
