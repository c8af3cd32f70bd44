package pier.build;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import pier.base.PierException;

/**
 * The files pier itself reads from a push (Dockerfile, Procfile, CHECKS, app.json, .gitmodules), read from the
 * checkout of the pushed commit, which holds the commit's tree as it is: a symbolic link stays a link. A push is
 * hostile input, so such a file is read only when it is a regular file there, never through a link (a link could
 * point at another app's config), and an error names the file, never quotes what a link points at.
 */
public final class PushedFiles {
    /** Far above any real Procfile or app.json; a bigger one is a push trying to make pier slow. */
    static final int MAX_SIZE = 1 << 20;

    private PushedFiles() {
    }

    /**
     * {@code name} (a path relative to the checkout root) as UTF-8 text with CRLF made LF, if the commit has it; a
     * link, a directory or anything but a regular file in its place is refused by name.
     */
    public static Optional<String> read(Path checkout, String name) {
        Path file = checkout.resolve(name);
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw notAFile(name);
        }
        try (InputStream in = Files.newInputStream(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            byte[] bytes = in.readNBytes(MAX_SIZE + 1);
            if (bytes.length > MAX_SIZE) {
                throw PierException.failed(name + " is larger than " + (MAX_SIZE >> 20) + " MiB: pier reads it only up to that size");
            }
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
            return Optional.of(text.replace("\r\n", "\n"));
        } catch (CharacterCodingException e) {
            throw PierException.failed(name + " is not UTF-8 text: save it as UTF-8");
        } catch (IOException e) {
            throw PierException.failed("cannot read " + name + " of the push: " + e.getMessage(), e);
        }
    }

    /** The refusal of a file pier reads that is a link, a directory or a submodule in the commit. */
    static PierException notAFile(String name) {
        return PierException.failed(name + " in the push is not a regular file (a symbolic link, a directory or a"
                + " submodule): pier reads " + name + " only as a file committed in the repository itself");
    }

    /**
     * The symbolic links under {@code root} that lead out of it, relative to it. Docker's build context is made by
     * a client that follows a link to a directory, so a link from the checkout to {@code /var/lib/pier} would put
     * pier's own files into the image; none may lead anywhere but inside the checkout.
     */
    public static List<String> linksLeaving(Path root) {
        List<String> leaving = new ArrayList<>();
        try {
            Path real = root.toRealPath();
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (attrs.isSymbolicLink() && !inside(file, real)) {
                        leaving.add(root.relativize(file).toString());
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw PierException.failed("cannot look through the checkout: " + e.getMessage(), e);
        }
        return leaving;
    }

    /** Where the link really ends, every link on the way followed; one that ends nowhere leads nowhere either. */
    private static boolean inside(Path link, Path root) {
        try {
            return link.toRealPath().startsWith(root);
        } catch (IOException dangling) {
            try {
                // A dangling link is harmless now, but its target may be a path that exists tomorrow.
                Path target = Files.readSymbolicLink(link);
                return !target.isAbsolute() && link.getParent().toRealPath().resolve(target).normalize().startsWith(root);
            } catch (IOException e) {
                return false;
            }
        }
    }
}
