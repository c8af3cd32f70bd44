package pier.base;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The little of tar that files handed over on stdin need (Dokku's {@code certs:add APP < cert.tar}): the regular files
 * of an uncompressed archive, by their base name, each at most a bound. Links, directories and pax or GNU headers
 * are skipped; nothing is ever written to disk from here.
 */
public final class Tar {
    private static final int BLOCK = 512;

    private Tar() {
    }

    /** The regular files in {@code in}, by base name ({@code ./server.crt} is {@code server.crt}); later ones win. */
    public static Map<String, byte[]> read(InputStream in, int maxBytes) throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        long total = 0;
        while (true) {
            byte[] header = in.readNBytes(BLOCK);
            if (header.length < BLOCK || isZero(header)) {
                return files;
            }
            String name = field(header, 0, 100);
            String prefix = field(header, 345, 155);
            long size = octal(header, 124, 12);
            char type = (char) header[156];
            if (size < 0 || size > maxBytes || (total += size) > maxBytes) {
                throw PierException.usage("the tar on stdin is larger than " + maxBytes / 1024 + " KiB or is not a tar");
            }
            byte[] body = in.readNBytes((int) size);
            if (body.length < size) {
                throw PierException.usage("the tar on stdin ends in the middle of " + name);
            }
            in.readNBytes((int) ((BLOCK - size % BLOCK) % BLOCK));
            if (type == '0' || type == '\0') {
                String path = prefix.isEmpty() ? name : prefix + "/" + name;
                files.put(path.substring(path.lastIndexOf('/') + 1), body);
            }
        }
    }

    /** A ustar archive of {@code files} (name to content), for handing files over as {@link #read} takes them. */
    public static byte[] write(Map<String, byte[]> files) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        files.forEach((name, body) -> {
            byte[] header = new byte[BLOCK];
            put(header, 0, name);
            put(header, 100, "0000600");
            put(header, 108, "0000000");
            put(header, 116, "0000000");
            put(header, 124, String.format("%011o", body.length));
            put(header, 136, String.format("%011o", 0));
            header[156] = '0';
            put(header, 257, "ustar");
            put(header, 263, "00");
            java.util.Arrays.fill(header, 148, 156, (byte) ' ');
            long sum = 0;
            for (byte b : header) {
                sum += b & 0xff;
            }
            put(header, 148, String.format("%06o", sum));
            header[154] = 0;
            header[155] = ' ';
            out.writeBytes(header);
            out.writeBytes(body);
            out.writeBytes(new byte[(BLOCK - body.length % BLOCK) % BLOCK]);
        });
        out.writeBytes(new byte[2 * BLOCK]);
        return out.toByteArray();
    }

    private static void put(byte[] header, int at, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(bytes, 0, header, at, bytes.length);
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static String field(byte[] header, int at, int length) {
        int end = at;
        while (end < at + length && header[end] != 0) {
            end++;
        }
        return new String(header, at, end - at, StandardCharsets.UTF_8);
    }

    private static long octal(byte[] header, int at, int length) {
        String text = field(header, at, length).strip();
        try {
            return text.isEmpty() ? 0 : Long.parseLong(text, 8);
        } catch (NumberFormatException e) {
            throw PierException.usage("stdin is not a tar (give one holding server.crt and server.key)");
        }
    }
}
