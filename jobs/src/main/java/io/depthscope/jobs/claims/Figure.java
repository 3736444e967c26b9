package io.depthscope.jobs.claims;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import javax.imageio.ImageIO;

/** A rendered figure: PNG bytes, shown inline by a notebook ({@link #image()}) and embedded in the report. */
public record Figure(String caption, byte[] png) {

    /** The picture, as the Java kernel's {@code display} shows it. */
    public BufferedImage image() {
        try {
            return ImageIO.read(new ByteArrayInputStream(png));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String dataUri() {
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(png);
    }
}
