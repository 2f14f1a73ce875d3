package io.resnet4j.data;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Generates the embedded demo data set {@code src/main/resources/sample/cifar-sample.tar.gz}: ten classes
 * of procedurally drawn 32x32 RGB images in the CIFAR-10 binary archive layout.
 *
 * <p>Why: a user's clone has no CIFAR-10 (the shared copy is not redistributable with the project, and
 * real CIFAR images must not be committed), yet the demo and the end-to-end tests need a data set that
 * goes through exactly the same reader, splits and augmentation as the real one. The generator is
 * committed so the archive can be rebuilt and audited; it is fully deterministic (same bytes every run).
 *
 * <p>Each image has a background (flat or two-tone), clutter (thin lines and small blobs in random
 * colours, some drawn over the object), one object whose <em>shape family</em> is the class (circle,
 * square, triangle, ring, cross, diamond, or a patch of horizontal, vertical, diagonal stripes or a
 * checkerboard) at a random position, scale and colour pair, in half the images a smaller decoy object of another class (the label is
 * the larger object), and sparse pixel noise. Sizes overlap
 * between classes (a small ring looks like a circle, a thick cross like a square, fine stripes like a
 * checkerboard), contrast is sometimes low, and objects may be cut by the border, so a small ResNet
 * learns it well but not perfectly. Colours are quantised and noise is sparse to keep the gzip small.
 *
 * <p>Run {@code java -cp target/classes:<commons-compress.jar> io.resnet4j.data.SampleGenerator [OUT]}
 * (default {@code src/main/resources/sample/cifar-sample.tar.gz}).
 */
public final class SampleGenerator {
    /** Class names in label order, written to {@code batches.meta.txt}. */
    public static final List<String> CLASS_NAMES = List.of("circle", "square", "triangle", "ring", "cross",
            "diamond", "horizontal-stripes", "vertical-stripes", "diagonal-stripes", "checkerboard");
    /** Records in {@code data_batch_1.bin}. */
    public static final int TRAIN_RECORDS = 5_000;
    /** Records in {@code test_batch.bin}. */
    public static final int TEST_RECORDS = 1_000;
    /** The seed the committed archive was generated with. */
    public static final long SEED = 20151210L; // arXiv:1512.03385 was submitted on 10 Dec 2015
    /** Top-level folder inside the archive, like {@code cifar-10-batches-bin/} in the official one. */
    public static final String FOLDER = "cifar-sample";

    private static final int S = CifarData.SIDE;
    private static final int P = CifarData.PLANE;
    /** Fixed archive timestamp (2015-12-10T00:00:00Z), so regenerating gives identical bytes. */
    private static final long MTIME_MS = 1_449_705_600_000L;

    private SampleGenerator() {
    }

    /**
     * Writes the sample archive.
     *
     * @param args optional output path
     * @throws IOException if writing fails
     */
    public static void main(String[] args) throws IOException {
        Path out = Paths.get(args.length > 0 ? args[0] : "src/main/resources/sample/cifar-sample.tar.gz");
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(out))) {
            writeArchive(os, SEED);
        }
        System.out.printf("wrote %s (%,d bytes)%n", out, Files.size(out));
    }

    /**
     * Writes {@code cifar-sample/data_batch_1.bin}, {@code test_batch.bin} and {@code batches.meta.txt} as a
     * gzipped tar.
     *
     * @param out where to write; not closed
     * @param seed generator seed ({@link #SEED} for the committed archive)
     * @throws IOException if writing fails
     */
    public static void writeArchive(OutputStream out, long seed) throws IOException {
        GZIPOutputStream gz = new GZIPOutputStream(out, 1 << 16) {
            {
                def.setLevel(Deflater.BEST_COMPRESSION);
            }
        };
        TarArchiveOutputStream tar = new TarArchiveOutputStream(gz);
        TarArchiveEntry dir = new TarArchiveEntry(FOLDER + "/");
        dir.setModTime(MTIME_MS);
        tar.putArchiveEntry(dir);
        tar.closeArchiveEntry();
        StringBuilder meta = new StringBuilder();
        for (String n : CLASS_NAMES) {
            meta.append(n).append('\n');
        }
        putFile(tar, Cifar10.META_FILE, meta.toString().getBytes(StandardCharsets.UTF_8));
        putFile(tar, Cifar10.trainFileName(1), records(TRAIN_RECORDS, seed, 0));
        putFile(tar, Cifar10.TEST_FILE, records(TEST_RECORDS, seed, 1));
        tar.finish();
        gz.finish();
        out.flush();
    }

    private static void putFile(TarArchiveOutputStream tar, String name, byte[] bytes) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(FOLDER + "/" + name);
        e.setSize(bytes.length);
        e.setModTime(MTIME_MS);
        e.setMode(0100644);
        tar.putArchiveEntry(e);
        tar.write(bytes);
        tar.closeArchiveEntry();
    }

    /**
     * Generates CIFAR binary records with balanced labels (every ten consecutive records hold each class
     * once, in random order), so any tail used as a validation split is balanced too.
     *
     * @param count number of records
     * @param seed generator seed
     * @param stream 0 for training, 1 for test: independent images from the same seed
     * @return {@code count * 3073} bytes
     */
    public static byte[] records(int count, long seed, int stream) {
        byte[] out = new byte[count * Cifar10.RECORD_SIZE];
        int[] order = new int[10];
        for (int i = 0; i < count; i++) {
            if (i % 10 == 0) {
                SplittableRandom r = new SplittableRandom(Augmentation.mix64(seed + 31L * stream) ^ i);
                for (int k = 0; k < 10; k++) {
                    order[k] = k;
                }
                for (int k = 9; k > 0; k--) {
                    int j = r.nextInt(k + 1);
                    int t = order[k];
                    order[k] = order[j];
                    order[j] = t;
                }
            }
            int label = order[i % 10];
            int off = i * Cifar10.RECORD_SIZE;
            out[off] = (byte) label;
            SplittableRandom rng = new SplittableRandom(Augmentation.mix64(Augmentation.mix64(seed) + stream * 1_000_003L + i));
            render(rng, label, out, off + 1);
        }
        return out;
    }

    /**
     * Draws one image of a class.
     *
     * @param rng randomness for this image
     * @param label the class, 0..9 (see {@link #CLASS_NAMES})
     * @param dst output bytes, CHW
     * @param off offset of the image in {@code dst}
     */
    public static void render(SplittableRandom rng, int label, byte[] dst, int off) {
        Canvas canvas = new Canvas(S, S);
        int bg = background(rng, canvas);
        int clutter = rng.nextInt(4);
        for (int k = 0; k < clutter; k++) {
            drawClutter(rng, canvas);
        }
        // Foreground: usually well separated from the background, sometimes deliberately faint.
        int fg = colour(rng);
        int minDist = rng.nextInt(3) == 0 ? 40 : 150;
        for (int tries = 0; tries < 20 && dist(fg, bg) < minDist; tries++) {
            fg = colour(rng);
        }
        int fg2 = rng.nextBoolean() ? bg : colour(rng); // second colour of patterned classes
        double r = 6 + rng.nextDouble() * 7; // object size 6..13 pixels
        // Half the images also hold a smaller decoy object of another class: the label is the larger one.
        if (rng.nextBoolean()) {
            int decoy = (label + 1 + rng.nextInt(9)) % 10;
            drawObject(rng, decoy, canvas, colour(rng), colour(rng), 3 + rng.nextDouble() * (0.6 * r - 3));
        }
        drawObject(rng, label, canvas, fg, fg2, r);
        // Occluding clutter over the object in half the images.
        if (rng.nextBoolean()) {
            int k = 1 + rng.nextInt(3);
            for (int i = 0; i < k; i++) {
                drawClutter(rng, canvas);
            }
        }
        for (int k = 0; k < P; k++) {
            int c = canvas.pixels[k];
            dst[off + k] = (byte) (c >> 16);
            dst[off + P + k] = (byte) (c >> 8);
            dst[off + 2 * P + k] = (byte) c;
        }
        // Sparse noise: 3% to 9% of channel values jittered strongly.
        int noisy = (int) (3 * P * (0.03 + 0.06 * rng.nextDouble()));
        for (int k = 0; k < noisy; k++) {
            int i = off + rng.nextInt(3 * P);
            int v = (dst[i] & 0xFF) + rng.nextInt(-80, 81);
            dst[i] = (byte) Math.max(0, Math.min(255, v));
        }
    }

    private static void drawObject(SplittableRandom rng, int label, Canvas c, int fg, int fg2, double r) {
        // Centre may sit near the border, so objects are sometimes cut.
        double cx = 6 + rng.nextDouble() * (S - 12);
        double cy = 6 + rng.nextDouble() * (S - 12);
        drawShape(rng, label, c, fg, fg2, r, cx, cy);
    }

    /**
     * Draws one object of a shape class centred at ({@code cx}, {@code cy}); {@code r} is its half-size.
     * The canvas's {@link Canvas#extent()} afterwards is the box of the pixels it covered.
     *
     * @param label the shape class, 0..9 (see {@link #CLASS_NAMES})
     * @param fg the shape's colour
     * @param fg2 the second colour of patterned classes (6..9)
     */
    public static void drawShape(SplittableRandom rng, int label, Canvas c, int fg, int fg2, double r, double cx,
            double cy) {
        c.resetExtent();
        switch (label) {
            case 0 -> fill(c, fg, (x, y) -> sq(x - cx) + sq(y - cy) <= r * r); // circle
            case 1 -> { // square (axis-aligned, sometimes slightly oblong)
                double hw = r * 0.8;
                double hh = hw * (0.8 + 0.4 * rng.nextDouble());
                fill(c, fg, (x, y) -> Math.abs(x - cx) <= hw && Math.abs(y - cy) <= hh);
            }
            case 2 -> { // triangle, apex up or down
                boolean up = rng.nextBoolean();
                double h = r;
                double w = r * (0.8 + 0.5 * rng.nextDouble());
                fill(c, fg, (x, y) -> {
                    double t = ((up ? y - cy : cy - y) + h) / (2 * h); // 0 at apex, 1 at base
                    return t >= 0 && t <= 1 && Math.abs(x - cx) <= t * w;
                });
            }
            case 3 -> { // ring
                double th = 1.5 + rng.nextDouble() * 2.5;
                double inner = Math.max(0, r - th);
                fill(c, fg, (x, y) -> {
                    double d = sq(x - cx) + sq(y - cy);
                    return d <= r * r && d >= inner * inner;
                });
            }
            case 4 -> { // cross (plus sign)
                double t = 1 + rng.nextDouble() * 2;
                fill(c, fg, (x, y) -> Math.abs(x - cx) <= t && Math.abs(y - cy) <= r
                        || Math.abs(y - cy) <= t && Math.abs(x - cx) <= r);
            }
            case 5 -> fill(c, fg, (x, y) -> Math.abs(x - cx) + Math.abs(y - cy) <= r * 1.1); // diamond
            default -> { // patterned patches: stripes of three orientations, checkerboard
                double half = r * (0.9 + 0.3 * rng.nextDouble());
                int period = 2 + rng.nextInt(4); // stripe width 2..5
                int phase = rng.nextInt(2 * period);
                fill2(c, fg, fg2, (x, y) -> Math.abs(x - cx) <= half && Math.abs(y - cy) <= half, (x, y) -> {
                    int xi = (int) Math.floor(x) + phase;
                    int yi = (int) Math.floor(y) + phase;
                    return switch (label) {
                        case 6 -> Math.floorMod(yi / period, 2) == 0;
                        case 7 -> Math.floorMod(xi / period, 2) == 0;
                        case 8 -> Math.floorMod((xi + yi) / period, 2) == 0;
                        default -> Math.floorMod(xi / period + yi / period, 2) == 0;
                    };
                });
            }
        }
    }

    /**
     * Paints a background: flat, or split in two tones along a random horizontal or vertical line.
     *
     * @return the (first) background colour
     */
    public static int background(SplittableRandom rng, Canvas c) {
        int bg = colour(rng);
        int bg2 = rng.nextInt(3) == 0 ? colour(rng) : bg;
        boolean vertical = rng.nextBoolean();
        int split = 4 + rng.nextInt((vertical ? c.width : c.height) - 8);
        for (int y = 0; y < c.height; y++) {
            for (int x = 0; x < c.width; x++) {
                c.pixels[y * c.width + x] = (vertical ? x : y) < split ? bg : bg2;
            }
        }
        return bg;
    }

    /** Draws a thin straight line or a small blob, both smaller than any object, in a random colour. */
    public static void drawClutter(SplittableRandom rng, Canvas c) {
        int col = colour(rng);
        if (rng.nextBoolean()) { // a thin straight line
            double x0 = rng.nextDouble() * c.width;
            double y0 = rng.nextDouble() * c.height;
            double a = rng.nextDouble() * Math.PI;
            double len = 4 + rng.nextDouble() * 10;
            for (double t = 0; t <= len; t += 0.5) {
                set(c, (int) (x0 + t * Math.cos(a)), (int) (y0 + t * Math.sin(a)), col);
            }
        } else { // a small blob, smaller than any object
            int x0 = rng.nextInt(c.width);
            int y0 = rng.nextInt(c.height);
            int w = 1 + rng.nextInt(3);
            int h = 1 + rng.nextInt(3);
            for (int y = y0; y < y0 + h; y++) {
                for (int x = x0; x < x0 + w; x++) {
                    set(c, x, y, col);
                }
            }
        }
    }

    private interface Region {
        boolean contains(double x, double y);
    }

    private static void fill(Canvas c, int col, Region region) {
        fill2(c, col, col, region, (x, y) -> true);
    }

    private static void fill2(Canvas c, int a, int b, Region region, Region pattern) {
        for (int y = 0; y < c.height; y++) {
            for (int x = 0; x < c.width; x++) {
                if (region.contains(x + 0.5, y + 0.5)) {
                    c.paint(x, y, pattern.contains(x, y) ? a : b);
                }
            }
        }
    }

    private static void set(Canvas c, int x, int y, int col) {
        if (x >= 0 && x < c.width && y >= 0 && y < c.height) {
            c.pixels[y * c.width + x] = col;
        }
    }

    /**
     * Pixels as packed {@code 0xRRGGBB}, row-major, and the extent of the last shape drawn: the
     * tightest box around the pixels it painted, which is what a detection set's boxes must be.
     */
    public static final class Canvas {
        private final int width;
        private final int height;
        private final int[] pixels;
        private int minX;
        private int minY;
        private int maxX;
        private int maxY;

        public Canvas(int width, int height) {
            if (width < 16 || height < 16) {
                throw new IllegalArgumentException("a canvas needs at least 16x16 pixels, got " + width + "x" + height);
            }
            this.width = width;
            this.height = height;
            this.pixels = new int[width * height];
            resetExtent();
        }

        public int width() {
            return width;
        }

        public int height() {
            return height;
        }

        /** The pixels, row-major, packed {@code 0xRRGGBB}; the canvas's own array. */
        public int[] pixels() {
            return pixels;
        }

        void paint(int x, int y, int col) {
            pixels[y * width + x] = col;
            minX = Math.min(minX, x);
            minY = Math.min(minY, y);
            maxX = Math.max(maxX, x);
            maxY = Math.max(maxY, y);
        }

        void resetExtent() {
            minX = Integer.MAX_VALUE;
            minY = Integer.MAX_VALUE;
            maxX = -1;
            maxY = -1;
        }

        /**
         * The last shape's pixels as a box {@code {x1, y1, x2, y2}} with exclusive far corners (a pixel
         * at column x spans x..x+1), or null when it painted nothing.
         */
        public int[] extent() {
            return maxX < 0 ? null : new int[] {minX, minY, maxX + 1, maxY + 1};
        }
    }

    /** A random colour, each channel quantised to 16 levels (runs of equal bytes compress well). */
    public static int colour(SplittableRandom rng) {
        return rng.nextInt(16) * 17 << 16 | rng.nextInt(16) * 17 << 8 | rng.nextInt(16) * 17;
    }

    /** Manhattan distance between two packed colours, 0..765. */
    public static int dist(int a, int b) {
        return Math.abs((a >> 16 & 0xFF) - (b >> 16 & 0xFF)) + Math.abs((a >> 8 & 0xFF) - (b >> 8 & 0xFF))
                + Math.abs((a & 0xFF) - (b & 0xFF));
    }

    private static double sq(double v) {
        return v * v;
    }
}
