package io.resnet4j.detection;

import io.resnet4j.io.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * Detections drawn on their image with Java2D: each box outlined in its class's colour, with a label
 * "name 0.93" on a filled tag above it (inside the box when it touches the top edge). Line width and
 * text size follow the image's size, so small and large images read alike.
 */
public final class DetectionDrawing {

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /** Well separated hues (Tableau 10), by label. */
    private static final Color[] PALETTE = {
        new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e), new Color(0x9467bd),
        new Color(0x8c564b), new Color(0xe377c2), new Color(0x17becf), new Color(0xbcbd22), new Color(0x7f7f7f)
    };

    private DetectionDrawing() {}

    /**
     * A copy of the image (RGB) with the detections drawn on it, lowest score first so the best lie on
     * top; the image itself is left as it is.
     */
    public static BufferedImage draw(BufferedImage image, List<Detection> detections) {
        int w = image.getWidth();
        int h = image.getHeight();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.drawImage(image, 0, 0, null);
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            float stroke = Math.max(1f, Math.min(w, h) / 200f);
            g.setStroke(new BasicStroke(stroke));
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, Math.max(9, Math.min(w, h) / 40)));
            for (int i = detections.size() - 1; i >= 0; i--) {
                drawOne(g, detections.get(i), h);
            }
        } finally {
            g.dispose();
        }
        return out;
    }

    private static void drawOne(Graphics2D g, Detection d, int imageHeight) {
        Color colour = PALETTE[Math.floorMod(d.label(), PALETTE.length)];
        BoundingBox b = d.box();
        g.setColor(colour);
        g.drawRect(Math.round(b.x1()), Math.round(b.y1()), Math.round(b.width()), Math.round(b.height()));
        String text = String.format(Locale.ROOT, "%s %.2f", d.name(), d.score());
        FontMetrics fm = g.getFontMetrics();
        int tagW = fm.stringWidth(text) + 4;
        int tagH = fm.getAscent() + 2;
        int x = Math.round(b.x1());
        int y = b.y1() >= tagH ? Math.round(b.y1()) - tagH : Math.min(Math.round(b.y1()), imageHeight - tagH);
        g.fillRect(x, y, tagW, tagH);
        g.setColor(Color.WHITE);
        g.drawString(text, x + 2, y + fm.getAscent());
    }

    /** Draws the detections and writes the result as a PNG, atomically. */
    public static void writePng(Path file, BufferedImage image, List<Detection> detections) throws IOException {
        BufferedImage drawn = draw(image, detections);
        AtomicFiles.write(file, out -> {
            if (!ImageIO.write(drawn, "png", out)) {
                throw new IOException("no PNG writer available");
            }
        });
    }
}
