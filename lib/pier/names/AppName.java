package pier.names;


/**
 * An app's name: the one rule for every place an app name reaches (a directory, a Docker label and
 * image tag, an Nginx upstream and server name, a git URL). Lowercase letters, digits and dashes,
 * starting with a letter, at most 30 characters so {@code APP.DOMAIN} stays a valid DNS label.
 */
public record AppName(String value) implements Comparable<AppName> {
    public AppName {
        Slug.check(value, "app name", "blog");
    }

    public static AppName of(String value) {
        return new AppName(value);
    }

    @Override
    public int compareTo(AppName other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }

    /** The app a git command names: {@code 'blog'}, {@code '/blog'}, {@code 'blog.git'} or {@code '~/blog.git'}. */
    public static AppName ofRepoPath(String path) {
        String name = path;
        if (name.startsWith("~/")) {
            name = name.substring(2);
        }
        if (name.startsWith("/")) {
            name = name.substring(1);
        }
        if (name.endsWith("/")) {
            name = name.substring(0, name.length() - 1);
        }
        if (name.endsWith(".git")) {
            name = name.substring(0, name.length() - 4);
        }
        return of(name);
    }
}
