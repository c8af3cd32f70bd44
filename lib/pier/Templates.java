package pier;

//DEPS org.freemarker:freemarker:2.3.35
//FILES templates/nginx/=../../templates/nginx/*.ftl
//FILES templates/sshd/=../../templates/sshd/*.ftl
//FILES templates/sudoers/=../../templates/sudoers/*.ftl
//FILES templates/ssh/=../../templates/ssh/*.ftl
//FILES templates/bin/=../../templates/bin/*.ftl

import freemarker.cache.ClassTemplateLoader;
import freemarker.cache.FileTemplateLoader;
import freemarker.cache.MultiTemplateLoader;
import freemarker.cache.TemplateLoader;
import freemarker.template.Configuration;
import freemarker.template.TemplateException;
import freemarker.template.TemplateExceptionHandler;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Renders every file pier writes on the host. An admin's copy in {@code /etc/pier/templates/<path>} wins
 * over the shipped one, so Nginx or sshd settings can be changed without touching pier.
 */
public final class Templates {
    public static final Path OVERRIDES = Path.of("/etc/pier/templates");

    private static final Templates DEFAULT = new Templates(OVERRIDES);

    private final Configuration config;

    public Templates(Path overrides) {
        config = new Configuration(Configuration.VERSION_2_3_34);
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
    }

    public static Templates standard() {
        return DEFAULT;
    }

    public String render(String name, Map<String, ?> model) {
        try {
            StringWriter out = new StringWriter();
            config.getTemplate(name).process(model, out);
            return out.toString();
        } catch (IOException | TemplateException e) {
            throw PierException.failed("cannot render template " + name + ": " + e.getMessage(), e);
        }
    }
}
