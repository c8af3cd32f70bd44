package pier.build;

import java.util.List;
import org.junit.jupiter.api.Test;
import pier.base.PierException;
import pier.names.AppName;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which images a pushed Dockerfile may use, read the way Docker's builder reads it. */
class BuildImagesTest {
    static final BuildImages.Policy BLOG = new BuildImages.Policy("debian:bookworm-slim", AppName.of("blog"), List.of("node:*"));

    private static List<String> images(String dockerfile) {
        return BuildImages.uses(dockerfile).stream().map(BuildImages.Use::image).toList();
    }

    private static String refusal(String dockerfile) {
        return assertThrows(PierException.class, () -> BuildImages.check(dockerfile, BLOG)).getMessage();
    }

    @Test
    void stagesStageNumbersAndScratchAreNotImages() {
        assertEquals(List.of("node:20"), images("FROM node:20 AS build\nRUN make\nFROM scratch\nCOPY --from=build /a /a\n"
                + "COPY --from=0 /b /b\nCOPY --from=BUILD /c /c\n"));
    }

    @Test
    void argsAreSubstitutedAsDockerDoes() {
        assertEquals(List.of("debian:bookworm-slim"), images("ARG BASE=debian:bookworm-slim\nFROM ${BASE}\n"));
        assertEquals(List.of("debian:12"), images("ARG TAG\nFROM debian:${TAG:-12}\n"));
        assertEquals(List.of("pier/other:v1"), images("FROM scratch\nARG SRC=pier/other:v1\nCOPY --from=$SRC /a /a\n"));
        // A stage sees a global ARG only where it declares it again.
        assertTrue(refusal("ARG SRC=pier/other:v1\nFROM scratch\nCOPY --from=${SRC} /a /a\n").contains("cannot be resolved"));
        assertEquals(List.of("pier/other:v1"), images("ARG SRC=pier/other:v1\nFROM scratch\nARG SRC\nCOPY --from=${SRC} /a /a\n"));
    }

    @Test
    void anArgWithoutAValueIsRefusedWithItsLine() {
        String e = refusal("# comment\nARG BASE\nFROM ${BASE}\n");
        assertTrue(e.startsWith("line 3: the image of FROM cannot be resolved before the build"), e);
    }

    @Test
    void anotherAppsImageIsRefusedWhereverItIsNamed() {
        for (String dockerfile : List.of("FROM pier/other:v1\n", "FROM scratch\nCOPY --from=pier/other:v1 /app /x\n",
                "FROM scratch\nADD --from=pier/other:v1 /app /x\n", "from pier/other:v1\n", "FROM \\\n  pier/other:v1\n",
                "FROM scratch\nRUN --mount=type=bind,from=pier/other:v1,target=/x cat /x/env\n",
                "FROM scratch\nONBUILD COPY --from=pier/other:v1 /a /a\n", "# escape=`\nFROM `\n pier/other:v1\n",
                "FROM --platform=linux/amd64 pier/other:v1 AS x\n", "FROM scratch\nCOPY --chown=1 --from=pier/other:v1 [\"/a\", \"/b\"]\n")) {
            String e = refusal(dockerfile);
            assertTrue(e.contains("'pier/other:v1' is not an image this build may use"), dockerfile + ": " + e);
            assertTrue(e.matches("line \\d+: .*"), e);
        }
    }

    @Test
    void theBaseTheAppsOwnReleasesAndAllowedImagesMayBeUsed() {
        BuildImages.check("FROM docker.io/library/debian:bookworm-slim\nFROM pier/blog:v3\nFROM node:20-slim\n"
                + "FROM --platform=linux/amd64 debian:bookworm-slim AS b\nFROM scratch\n", BLOG);
        for (String image : List.of("pier/blog:latest", "pier/blog", "debian", "nodejs:20", "sha256:" + "a".repeat(64),
                "0123456789ab", "hostile/other:1", "pier/blog@sha256:" + "b".repeat(64))) {
            refusal("FROM " + image + "\n");
        }
    }

    @Test
    void referencesAreComparedInDockersNormalForm() {
        assertEquals("docker.io/library/debian:latest", BuildImages.normalize("debian"));
        assertEquals("docker.io/pier/blog:v3", BuildImages.normalize("pier/blog:v3"));
        assertEquals("registry.example.com:5000/team/base:12", BuildImages.normalize("registry.example.com:5000/team/base:12"));
        assertEquals("localhost/x:latest", BuildImages.normalize("localhost/x"));
    }

    @Test
    void allowedPatternsAreImageReferencesOrEveryTagOfOne() {
        BuildImages.checkPattern("node:*");
        BuildImages.checkPattern("registry.example.com:5000/team/base:12");
        for (String bad : List.of("node:20:*", "*", "no de", "sha256:" + "a".repeat(64), "")) {
            assertEquals(PierException.USAGE, assertThrows(PierException.class, () -> BuildImages.checkPattern(bad)).exitCode(), bad);
        }
    }
}
