package io.depthscope.io;

import java.io.Serializable;

/**
 * How one kind of stored file is written and read back (docs/storage.md). Reading either returns the
 * value the file was written from or throws: {@link ForeignFormatException} for a file this build must
 * not read (another format, a newer version), {@link UnreadableFileException} for one that is damaged.
 */
public interface FileFormat<T> extends Serializable {
    /** The format's name, as files and errors name it. */
    String name();

    byte[] write(T value);

    /** The value in {@code bytes}, the content of the file {@code what}, or an error whose message starts with {@code what}. */
    T read(byte[] bytes, String what);
}
