package pier;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The same code is built twice: by JBang from the {@code //DEPS} lines and by Maven from pom.xml. If the two
 * disagree, tests (Maven) pass against one library version while admins (JBang) run another.
 */
class DependencyVersionsTest {
    static final Path ROOT = Path.of("").toAbsolutePath();
    static final Pattern PROPERTY = Pattern.compile("\\$\\{([^}]+)}");

    record Dep(String groupArtifact, String version, String where) {}

    record PomDep(String groupArtifact, String version, String scope) {}

    @Test
    void everyDepsLineMatchesPomVersion() throws Exception {
        Map<String, PomDep> pom = pomDependencies();
        List<Dep> deps = depsLines();
        assertFalse(deps.isEmpty(), "found no //DEPS lines: has the layout changed?");
        List<String> problems = new ArrayList<>();
        for (Dep dep : deps) {
            PomDep declared = pom.get(dep.groupArtifact());
            if (declared == null) {
                problems.add(dep.where() + ": " + dep.groupArtifact() + " is not in pom.xml");
            } else if (!declared.version().equals(dep.version())) {
                problems.add(dep.where() + ": " + dep.groupArtifact() + ":" + dep.version()
                        + " but pom.xml has " + declared.version());
            } else if ("test".equals(declared.scope())) {
                problems.add(dep.where() + ": " + dep.groupArtifact() + " is test-scoped in pom.xml");
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void everyRuntimePomDependencyHasDepsLine() throws Exception {
        TreeSet<String> inDeps = new TreeSet<>();
        depsLines().forEach(d -> inDeps.add(d.groupArtifact()));
        TreeSet<String> missing = new TreeSet<>();
        for (PomDep dep : pomDependencies().values()) {
            if (!"test".equals(dep.scope()) && !inDeps.contains(dep.groupArtifact())) {
                missing.add(dep.groupArtifact() + ":" + dep.version());
            }
        }
        assertTrue(missing.isEmpty(), "in pom.xml but in no //DEPS line, so JBang builds lack them: " + missing);
    }

    /** JBang reads //DEPS anywhere in a file, not only in the header, so every line is looked at. */
    static List<Dep> depsLines() throws IOException {
        List<Path> files = new ArrayList<>();
        files.add(ROOT.resolve("install.java"));
        try (Stream<Path> scripts = Files.list(ROOT.resolve("scripts")); Stream<Path> lib = Files.walk(ROOT.resolve("lib"))) {
            Stream.concat(scripts, lib).filter(f -> f.toString().endsWith(".java")).sorted().forEach(files::add);
        }
        List<Dep> deps = new ArrayList<>();
        for (Path file : files) {
            List<String> lines = Files.readAllLines(file);
            for (int n = 0; n < lines.size(); n++) {
                String line = lines.get(n);
                if (!line.startsWith("//DEPS ")) {
                    continue;
                }
                String where = ROOT.relativize(file) + ":" + (n + 1);
                for (String coordinate : line.substring("//DEPS ".length()).trim().split("[\\s,]+")) {
                    deps.add(parseCoordinate(coordinate, where));
                }
            }
        }
        return deps;
    }

    /** group:artifact:version[:classifier][@type]; a version-less coordinate would float, which pom.xml cannot. */
    static Dep parseCoordinate(String coordinate, String where) {
        String[] parts = coordinate.replaceFirst("@.*$", "").split(":");
        assertTrue(parts.length >= 3 && !parts[2].isBlank(),
                where + ": //DEPS " + coordinate + " needs group:artifact:version");
        return new Dep(parts[0] + ":" + parts[1], parts[2], where);
    }

    static Map<String, PomDep> pomDependencies() throws Exception {
        var factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Element project = factory.newDocumentBuilder().parse(ROOT.resolve("pom.xml").toFile()).getDocumentElement();
        Map<String, String> properties = new LinkedHashMap<>();
        Element props = child(project, "properties");
        if (props != null) {
            for (Element p : children(props)) {
                properties.put(p.getTagName(), p.getTextContent().trim());
            }
        }
        properties.put("project.version", text(project, "version"));
        Map<String, PomDep> deps = new LinkedHashMap<>();
        Element dependencies = child(project, "dependencies");
        assertTrue(dependencies != null, "pom.xml has no <dependencies>");
        for (Element dep : children(dependencies)) {
            String ga = text(dep, "groupId") + ":" + text(dep, "artifactId");
            String version = resolve(text(dep, "version"), properties, ga);
            PomDep previous = deps.put(ga, new PomDep(ga, version, text(dep, "scope")));
            assertTrue(previous == null, "pom.xml declares " + ga + " twice");
        }
        return deps;
    }

    static String resolve(String value, Map<String, String> properties, String ga) {
        assertTrue(value != null, "pom.xml: " + ga + " has no <version>");
        for (int depth = 0; depth < 10 && value.contains("${"); depth++) {
            Matcher m = PROPERTY.matcher(value);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                String replacement = properties.get(m.group(1));
                assertTrue(replacement != null, "pom.xml: " + ga + " uses undefined ${" + m.group(1) + "}");
                m.appendReplacement(out, Matcher.quoteReplacement(replacement));
            }
            m.appendTail(out);
            value = out.toString();
        }
        assertFalse(value.contains("${"), "pom.xml: " + ga + " version does not resolve: " + value);
        return value;
    }

    static Element child(Element parent, String tag) {
        for (Element e : children(parent)) {
            if (e.getTagName().equals(tag)) {
                return e;
            }
        }
        return null;
    }

    static String text(Element parent, String tag) {
        Element e = child(parent, tag);
        return e == null ? null : e.getTextContent().trim();
    }

    static List<Element> children(Element parent) {
        List<Element> result = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            if (nodes.item(i).getNodeType() == Node.ELEMENT_NODE) {
                result.add((Element) nodes.item(i));
            }
        }
        return result;
    }
}
