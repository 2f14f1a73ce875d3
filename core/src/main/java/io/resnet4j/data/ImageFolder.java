package io.resnet4j.data;

import io.resnet4j.image.ImageLoader;
import io.resnet4j.image.RgbImage;
import io.resnet4j.io.PrintableText;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A folder of images in the layout of ImageNet and of most custom data sets:
 * {@code DIR/<class>/*.jpg|jpeg|png}. Classes are the sub-folders in sorted order (class index =
 * position), as torchvision's {@code ImageFolder} numbers them, so labels agree with PyTorch runs
 * on the same folder. Files are listed once, sorted, so an index always names the same file.
 *
 * <p>Only the file list is held in memory; images are decoded on demand by {@link #read}.
 */
public final class ImageFolder {

    private final Path root;
    private final List<String> classNames;
    private final List<Path> files;
    private final int[] labels;
    private final long maxPixels;
    private final Consumer<String> warnings;

    private ImageFolder(Path root, List<String> classNames, List<Path> files, int[] labels, long maxPixels,
            Consumer<String> warnings) {
        this.root = root;
        this.classNames = classNames;
        this.files = files;
        this.labels = labels;
        this.maxPixels = maxPixels;
        this.warnings = warnings;
    }

    /**
     * The same folder decoding images up to {@code pixels} pixels (default {@link
     * ImageLoader#DEFAULT_MAX_PIXELS}); larger ones fail to read, and loaders skip them.
     */
    public ImageFolder withMaxPixels(long pixels) {
        return new ImageFolder(root, classNames, files, labels, pixels, warnings);
    }

    /** The same folder sending decoding warnings (a truncated JPEG, say) to {@code sink}; default stderr. */
    public ImageFolder withWarnings(Consumer<String> sink) {
        return new ImageFolder(root, classNames, files, labels, maxPixels, sink);
    }

    /**
     * The same images labelled in another class order: folder class {@code i} becomes class
     * {@code map[i]} of {@code names} (a network's classes, when evaluating it on this folder).
     */
    public ImageFolder withClasses(List<String> names, int[] map) {
        if (map.length != classNames.size()) {
            throw new IllegalArgumentException("a class map needs " + classNames.size() + " entries, got " + map.length);
        }
        int[] relabelled = new int[labels.length];
        for (int i = 0; i < labels.length; i++) {
            relabelled[i] = map[labels[i]];
        }
        return new ImageFolder(root, List.copyOf(names), files, relabelled, maxPixels, warnings);
    }

    /**
     * Lists {@code dir/<class>/*} image files.
     *
     * @throws DatasetException when the folder does not exist or holds no class folder with images
     */
    public static ImageFolder open(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new DataChoiceException(dir + " is not a folder; expected DIR/<class>/*.jpg (one sub-folder per class)");
        }
        List<Path> classDirs;
        try (Stream<Path> s = Files.list(dir)) {
            classDirs = s.filter(Files::isDirectory).filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString())).toList();
        }
        if (classDirs.isEmpty()) {
            throw new DataChoiceException(dir + " has no class sub-folders; expected DIR/<class>/*.jpg");
        }
        List<String> names = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (Path c : classDirs) {
            int label = names.size();
            names.add(c.getFileName().toString());
            try (Stream<Path> s = Files.list(c)) {
                for (Path f : s.filter(ImageFolder::isImageFile).sorted().toList()) {
                    files.add(f);
                    labels.add(label);
                }
            }
        }
        if (files.isEmpty()) {
            throw new DataChoiceException(dir + " has class folders but no .jpg, .jpeg or .png files in them");
        }
        return new ImageFolder(dir, Collections.unmodifiableList(names), Collections.unmodifiableList(files),
                labels.stream().mapToInt(Integer::intValue).toArray(), ImageLoader.DEFAULT_MAX_PIXELS,
                warning -> System.err.println("warning: " + PrintableText.of(warning)));
    }

    /** Whether {@code root/train/<class>} exists: the layout {@code train --data ROOT} takes as an image folder. */
    public static boolean isImageFolderRoot(Path root) {
        Path train = root.resolve("train");
        if (!Files.isDirectory(train)) {
            return false;
        }
        try (Stream<Path> s = Files.list(train)) {
            return s.anyMatch(Files::isDirectory);
        } catch (IOException e) {
            return false;
        }
    }

    static boolean isImageFile(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return Files.isRegularFile(p) && !n.startsWith(".")
                && (n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".png"));
    }

    /** Decodes image {@code i}; an IOException names the file. */
    public RgbImage read(int i) throws IOException {
        return ImageLoader.read(files.get(i), maxPixels, warnings);
    }

    public int size() {
        return files.size();
    }

    public int label(int i) {
        return labels[i];
    }

    public Path file(int i) {
        return files.get(i);
    }

    public List<String> classNames() {
        return classNames;
    }

    public int numClasses() {
        return classNames.size();
    }

    public Path root() {
        return root;
    }

    @Override
    public String toString() {
        return root + " (" + files.size() + " images, " + classNames.size() + " classes)";
    }
}
