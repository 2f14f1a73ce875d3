package io.resnet4j.detection.data;

import io.resnet4j.data.DatasetException;
import io.resnet4j.data.SampleGenerator;
import io.resnet4j.detection.AnnotatedImage;
import io.resnet4j.detection.AnnotatedObject;
import io.resnet4j.detection.BoundingBox;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * A procedural detection data set in Pascal VOC layout, for demos and tests without downloads:
 * the embedded classification sample's shapes ({@link SampleGenerator}), several per image, with
 * their boxes.
 *
 * <p>Each image has a flat or two-tone background, a few clutter lines and blobs, one to
 * {@link Spec#maxObjects} objects of six shape classes (circle, square, triangle, ring, cross,
 * diamond: the sample's solid shapes; its four stripe patterns differ only in texture, which a
 * detector trained for minutes cannot be expected to tell apart), 16 to 44 pixels across, never
 * overlapping and never cut by the border, and sparse pixel noise. A box is the tightest box around
 * the pixels its shape painted. Everything follows from the seed: the same spec writes the same bytes.
 */
public final class DetectionSample {

    /**
     * The classes in label order (label 1 is the first): the sample's solid shapes, sorted, the order
     * {@link VocDataset} gives names that are not VOC's.
     */
    public static final List<String> CLASS_NAMES = List.of("circle", "cross", "diamond", "ring", "square", "triangle");

    /**
     * What to generate.
     *
     * @param side image width and height, 64 to 1024 pixels
     * @param trainImages images in {@code train.txt}
     * @param valImages images in {@code val.txt}
     * @param maxObjects at most this many objects per image (at least one)
     * @param clutter background clutter, two-tone backgrounds and pixel noise; without them every
     *     pixel outside the objects is the background colour
     */
    public record Spec(int side, int trainImages, int valImages, int maxObjects, boolean clutter, long seed) {

        public Spec {
            if (side < 64 || side > 1024) {
                throw new IllegalArgumentException("a sample image side must be 64 to 1024 pixels, got " + side);
            }
            if (trainImages < 0 || valImages < 0 || trainImages + valImages < 1 || trainImages + valImages > 1_000_000) {
                throw new IllegalArgumentException("a sample needs 1 to 1,000,000 images, got " + trainImages
                        + " training and " + valImages + " validation images");
            }
            if (maxObjects < 1 || maxObjects > 20) {
                throw new IllegalArgumentException("objects per image must be 1 to 20, got " + maxObjects);
            }
        }

        /** 400 training and 100 validation images of 128x128 pixels with up to four objects each. */
        public static Spec defaults() {
            return new Spec(128, 400, 100, 4, true, SampleGenerator.SEED);
        }
    }

    /** One generated image: packed {@code 0xRRGGBB} pixels, row-major, and its objects. */
    public record Rendered(int side, int[] pixels, List<AnnotatedObject> objects) {

        public BufferedImage toImage() {
            BufferedImage img = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
            img.setRGB(0, 0, side, side, pixels, 0, side);
            return img;
        }
    }

    private DetectionSample() {}

    /**
     * Draws image {@code index} of a split.
     *
     * @param validation false for the training split, true for the validation split: independent images
     */
    public static Rendered render(Spec spec, boolean validation, int index) {
        SplittableRandom rng = new SplittableRandom(spec.seed() + 0x9E3779B97F4A7C15L * (2L * index + (validation ? 1 : 0)));
        SampleGenerator.Canvas canvas = new SampleGenerator.Canvas(spec.side(), spec.side());
        int bg;
        if (spec.clutter()) {
            bg = SampleGenerator.background(rng, canvas);
            for (int k = rng.nextInt(6); k > 0; k--) {
                SampleGenerator.drawClutter(rng, canvas);
            }
        } else {
            bg = SampleGenerator.colour(rng);
            java.util.Arrays.fill(canvas.pixels(), bg);
        }
        List<AnnotatedObject> objects = new ArrayList<>();
        List<double[]> taken = new ArrayList<>();
        int wanted = 1 + rng.nextInt(spec.maxObjects());
        for (int k = 0; k < wanted; k++) {
            AnnotatedObject o = drawObject(rng, canvas, bg, taken);
            if (o != null) {
                objects.add(o);
            }
        }
        if (spec.clutter()) {
            addNoise(rng, canvas.pixels());
        }
        return new Rendered(spec.side(), canvas.pixels(), List.copyOf(objects));
    }

    /** Places one shape where it overlaps nothing drawn before (room for its widest form), or gives up. */
    private static AnnotatedObject drawObject(SplittableRandom rng, SampleGenerator.Canvas canvas, int bg,
            List<double[]> taken) {
        int label = rng.nextInt(CLASS_NAMES.size());
        double r = 8 + rng.nextDouble() * 14;
        double reach = 1.35 * r + 1; // a triangle's base reaches 1.3 r from its centre
        int side = canvas.width();
        for (int attempt = 0; attempt < 30; attempt++) {
            double cx = reach + rng.nextDouble() * (side - 2 * reach);
            double cy = reach + rng.nextDouble() * (side - 2 * reach);
            double[] area = {cx - reach - 2, cy - reach - 2, cx + reach + 2, cy + reach + 2};
            if (taken.stream().anyMatch(t -> area[0] < t[2] && t[0] < area[2] && area[1] < t[3] && t[1] < area[3])) {
                continue;
            }
            int fg = SampleGenerator.colour(rng);
            for (int tries = 0; tries < 20 && SampleGenerator.dist(fg, bg) < 150; tries++) {
                fg = SampleGenerator.colour(rng);
            }
            if (fg == bg) {
                fg = bg ^ 0x808080;
            }
            int shape = SampleGenerator.CLASS_NAMES.indexOf(CLASS_NAMES.get(label));
            SampleGenerator.drawShape(rng, shape, canvas, fg, fg, r, cx, cy);
            int[] e = canvas.extent();
            taken.add(area);
            return e == null ? null : AnnotatedObject.of(new BoundingBox(e[0], e[1], e[2], e[3]), label + 1);
        }
        return null;
    }

    /** Sparse noise: 1% to 3% of channel values jittered by up to 60. */
    private static void addNoise(SplittableRandom rng, int[] pixels) {
        int noisy = (int) (3 * pixels.length * (0.01 + 0.02 * rng.nextDouble()));
        for (int k = 0; k < noisy; k++) {
            int i = rng.nextInt(pixels.length);
            int shift = 8 * rng.nextInt(3);
            int v = (pixels[i] >> shift & 0xFF) + rng.nextInt(-60, 61);
            v = Math.max(0, Math.min(255, v));
            pixels[i] = pixels[i] & ~(0xFF << shift) | v << shift;
        }
    }

    /**
     * Writes the data set to {@code root} in VOC layout: {@code Annotations/ID.xml},
     * {@code JPEGImages/ID.jpg}, {@code ImageSets/Main/train.txt} and {@code val.txt}. It is written
     * to a temporary sibling folder and renamed into place, so {@code root} is whole or absent.
     *
     * @throws DatasetException when {@code root} exists and is not an empty folder (nothing is replaced)
     */
    public static void write(Path root, Spec spec) throws IOException {
        Path target = root.toAbsolutePath().normalize();
        if (Files.exists(target) && !isEmptyFolder(target)) {
            throw new DatasetException(target + " already exists; choose a new folder for the sample (an existing"
                    + " one is never overwritten)");
        }
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".");
        try {
            writeInto(tmp, spec);
            Files.deleteIfExists(target); // an empty folder; rename(2) would also replace it, Files.move does not
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            if (Files.exists(tmp)) {
                deleteTree(tmp);
            }
        }
    }

    private static void writeInto(Path dir, Spec spec) throws IOException {
        Path annotations = Files.createDirectories(dir.resolve("Annotations"));
        Path jpegs = Files.createDirectories(dir.resolve("JPEGImages"));
        Path lists = Files.createDirectories(dir.resolve("ImageSets").resolve("Main"));
        List<String> names = new ArrayList<>();
        names.add(VocDataset.BACKGROUND);
        names.addAll(CLASS_NAMES);
        StringBuilder train = new StringBuilder();
        StringBuilder val = new StringBuilder();
        for (int i = 0; i < spec.trainImages() + spec.valImages(); i++) {
            boolean validation = i >= spec.trainImages();
            String id = String.format(Locale.ROOT, "%06d", i);
            Rendered r = render(spec, validation, validation ? i - spec.trainImages() : i);
            Path jpg = jpegs.resolve(id + ".jpg");
            Files.write(jpg, jpeg(r.toImage()));
            AnnotatedImage image = new AnnotatedImage(id, jpg, r.side(), r.side(), r.objects());
            Files.write(annotations.resolve(id + ".xml"), VocWriter.annotation(image, "procedural-shapes", names));
            (validation ? val : train).append(id).append('\n');
        }
        Files.writeString(lists.resolve("train.txt"), train, StandardCharsets.UTF_8);
        Files.writeString(lists.resolve("val.txt"), val, StandardCharsets.UTF_8);
    }

    /** JPEG at quality 0.95: shapes' sharp edges stay sharp enough for their boxes to hold. */
    static byte[] jpeg(BufferedImage image) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(0.95f);
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    private static boolean isEmptyFolder(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
