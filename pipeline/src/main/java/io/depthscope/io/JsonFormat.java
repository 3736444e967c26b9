package io.depthscope.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.nd4j.shade.jackson.core.JsonProcessingException;
import org.nd4j.shade.jackson.databind.DeserializationFeature;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

/**
 * A named, versioned JSON file format for one record type (see docs/storage.md):
 * <pre>{"format": NAME, "version": N, "sha256": HEX, "value": {...}}</pre>
 * where {@code value} is the record as {@link RecordJson} writes it and {@code sha256} is the
 * {@link TreeDigest} of {@code value}. The digest makes a file that was cut short or changed after it was
 * written an error rather than numbers: a truncated file is no JSON at all, a corrupted one (a flipped
 * digit is still valid JSON) no longer matches its digest.
 *
 * <p>A file of another format, or of a newer version of this one, is refused by name
 * ({@link ForeignFormatException}); a file that cannot be what this format wrote is
 * {@link UnreadableFileException}. The version is raised whenever the stored records change.
 */
public final class JsonFormat<T> implements FileFormat<T> {
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final String name;
    private final int version;
    private final Class<T> type;
    private final Upgrade upgrade;

    /**
     * Brings the value of an older version's file to this version's shape before it is read, e.g. by adding a
     * field that a later version introduced with the value every older file meant. Applied once per version
     * step, from the file's version up.
     */
    @FunctionalInterface
    public interface Upgrade extends java.io.Serializable {
        /** Rewrites {@code value}, a file of version {@code from}, into version {@code from + 1}'s shape. */
        void apply(int from, ObjectNode value);
    }

    /** A format whose older versions have today's shape (their values read as they are). */
    public JsonFormat(String name, int version, Class<T> type) {
        this(name, version, type, (from, value) -> { });
    }

    public JsonFormat(String name, int version, Class<T> type, Upgrade upgrade) {
        this.name = name;
        this.version = version;
        this.type = type;
        this.upgrade = upgrade;
    }

    @Override
    public String name() {
        return name;
    }

    public int version() {
        return version;
    }

    @Override
    public byte[] write(T value) {
        JsonNode tree = RecordJson.encode(value, type);
        ObjectNode file = MAPPER.createObjectNode();
        file.put("format", name);
        file.put("version", version);
        file.put("sha256", TreeDigest.sha256(tree));
        file.set("value", tree);
        try {
            return (MAPPER.writeValueAsString(file) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + name, e);
        }
    }

    @Override
    public T read(byte[] bytes, String what) {
        if (bytes.length >= 2 && (bytes[0] & 0xff) == 0xac && (bytes[1] & 0xff) == 0xed) {
            throw new ForeignFormatException(what + ": Java-serialised by an older build, which this build does not read; allowed: format '"
                    + name + "' (JSON): redo the study into a new output directory");
        }
        JsonNode file;
        try {
            file = MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw new UnreadableFileException(what + ": not a complete JSON document (truncated or corrupted): "
                    + firstLine(e.getMessage()));
        }
        if (file == null || !file.isObject() || !file.path("format").isTextual()) {
            throw new UnreadableFileException(what + ": no \"format\" field; allowed: a '" + name + "' file");
        }
        String format = file.get("format").textValue();
        if (!format.equals(name)) {
            throw new ForeignFormatException(what + ": format '" + format + "' is not '" + name + "'");
        }
        JsonNode v = file.get("version");
        if (v == null || !v.isIntegralNumber()) {
            throw new UnreadableFileException(what + ": format '" + name + "' without an integer \"version\"");
        }
        if (v.longValue() > version) {
            throw new ForeignFormatException(what + ": format '" + name + "' version " + v.longValue()
                    + " is newer than this build reads (<= " + version + ")");
        }
        if (v.longValue() < 1) {
            throw new UnreadableFileException(what + ": format '" + name + "' version " + v.longValue() + " does not exist");
        }
        JsonNode value = file.get("value");
        JsonNode digest = file.get("sha256");
        if (value == null || digest == null || !digest.isTextual()) {
            throw new UnreadableFileException(what + ": \"value\" or \"sha256\" is missing");
        }
        if (!TreeDigest.sha256(value).equals(digest.textValue())) {
            throw new UnreadableFileException(what + ": content does not match its sha256 (corrupted after it was written)");
        }
        try {
            if (v.intValue() < version) {
                if (!value.isObject()) {
                    throw new IllegalArgumentException("value is not an object");
                }
                for (int from = v.intValue(); from < version; from++) {
                    upgrade.apply(from, (ObjectNode) value);
                }
            }
            return type.cast(RecordJson.decode(value, type, "value"));
        } catch (IllegalArgumentException e) {
            throw new UnreadableFileException(what + ": " + e.getMessage());
        }
    }

    /** The digest a file of this kind carries for {@code value} (for tests that write an older version by hand). */
    public static String digest(JsonNode value) {
        return TreeDigest.sha256(value);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** SHA-256 of a JSON tree by structure and value, independent of how its text was formatted. */
    static final class TreeDigest {
        private TreeDigest() {}

        static String sha256(JsonNode tree) {
            try {
                MessageDigest d = MessageDigest.getInstance("SHA-256");
                feed(d, tree);
                return HexFormat.of().formatHex(d.digest());
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        private static void feed(MessageDigest d, JsonNode n) {
            if (n.isObject()) {
                d.update((byte) '{');
                d.update(longBytes(n.size()));
                n.fields().forEachRemaining(e -> {
                    text(d, e.getKey());
                    feed(d, e.getValue());
                });
            } else if (n.isArray()) {
                d.update((byte) '[');
                d.update(longBytes(n.size()));
                n.forEach(x -> feed(d, x));
            } else if (n.isIntegralNumber()) {
                d.update((byte) 'i');
                d.update(longBytes(n.longValue()));
            } else if (n.isNumber()) {
                d.update((byte) 'd');
                d.update(longBytes(Double.doubleToRawLongBits(n.doubleValue())));
            } else if (n.isTextual()) {
                d.update((byte) 's');
                text(d, n.textValue());
            } else if (n.isBoolean()) {
                d.update((byte) (n.booleanValue() ? 'T' : 'F'));
            } else {
                d.update((byte) 'n');
            }
        }

        private static void text(MessageDigest d, String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            d.update(longBytes(b.length));
            d.update(b);
        }

        private static byte[] longBytes(long x) {
            return java.nio.ByteBuffer.allocate(8).putLong(x).array();
        }
    }
}
