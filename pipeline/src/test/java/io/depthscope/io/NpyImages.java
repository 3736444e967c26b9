package io.depthscope.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** {@code .npy} images written byte by byte, with headers numpy would never write. */
public final class NpyImages {
    private NpyImages() {}

    /** A {@code .npy} image of {@code version} (1: 2-byte header length, 2 and 3: 4-byte) with data bytes 0, 1, 2, ... */
    public static byte[] image(int version, String header, int dataBytes) {
        int prefix = version == 1 ? 10 : 12;
        StringBuilder h = new StringBuilder(header);
        while ((prefix + h.length() + 1) % 64 != 0) {
            h.append(' ');
        }
        byte[] text = h.append('\n').toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(prefix + text.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) version, 0});
        if (version == 1) {
            b.putShort((short) text.length);
        } else {
            b.putInt(text.length);
        }
        b.put(text);
        for (int i = 0; i < dataBytes; i++) {
            b.put((byte) i);
        }
        return b.array();
    }
}
