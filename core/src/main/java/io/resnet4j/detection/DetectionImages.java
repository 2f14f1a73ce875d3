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

/** Pictures of detections: an image with each box outlined and labelled with its name and score. */
public final class DetectionImages {

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true"); // drawing needs no display
        }
    }

    private DetectionImages() {}

    /**
     * A copy of the image with the detections drawn on it, the best last (on top). Each label has
     * its own colour; the line width and text size follow the image size.
     */
    public static BufferedImage draw(BufferedImage image, List<Detection> detections) {
        int w = image.getWidth();
        int h = image.getHeight();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.drawImage(image, 0, 0, null);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            float line = Math.max(2f, Math.min(w, h) / 300f);
            g.setStroke(new BasicStroke(line));
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, Math.max(11, Math.round(Math.min(w, h) / 40f))));
            for (int i = detections.size() - 1; i >= 0; i--) {
                drawOne(g, detections.get(i), line);
            }
        } finally {
            g.dispose();
        }
        return out;
    }

    private static void drawOne(Graphics2D g, Detection d, float line) {
        BoundingBox b = d.box();
        Color colour = colour(d.label());
        g.setColor(colour);
        int x = Math.round(b.x1());
        int y = Math.round(b.y1());
        g.drawRect(x, y, Math.round(b.width()), Math.round(b.height()));
        String text = String.format(Locale.ROOT, "%s %.2f", d.name(), d.score());
        FontMetrics fm = g.getFontMetrics();
        int textY = Math.max(y, fm.getHeight());
        g.fillRect(x - Math.round(line / 2), textY - fm.getHeight(), fm.stringWidth(text) + 6, fm.getHeight());
        g.setColor(brightness(colour) > 0.6 ? Color.BLACK : Color.WHITE);
        g.drawString(text, x + 3, textY - fm.getDescent());
    }

    /** Well-separated hues by label (golden-ratio steps), so neighbouring labels differ. */
    static Color colour(int label) {
        float hue = (float) ((label * 0.618033988749895) % 1.0);
        return Color.getHSBColor(hue, 0.85f, 0.95f);
    }

    private static double brightness(Color c) {
        return (0.299 * c.getRed() + 0.587 * c.getGreen() + 0.114 * c.getBlue()) / 255;
    }

    /** Draws the detections and writes the result as a PNG, atomically (nothing half-written). */
    public static void writePng(Path file, BufferedImage image, List<Detection> detections) throws IOException {
        BufferedImage drawn = draw(image, detections);
        AtomicFiles.write(file, out -> {
            if (!ImageIO.write(drawn, "png", out)) {
                throw new IOException("this JVM has no PNG writer");
            }
        });
    }
}
