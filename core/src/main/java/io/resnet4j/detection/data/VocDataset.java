package io.resnet4j.detection.data;

import io.resnet4j.data.DatasetException;
import io.resnet4j.detection.AnnotatedImage;
import io.resnet4j.detection.AnnotatedObject;
import io.resnet4j.detection.DetectionDataset;
import io.resnet4j.io.PrintableText;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A split of a data set in Pascal VOC layout: {@code ROOT/ImageSets/Main/SPLIT.txt} lists image ids,
 * {@code ROOT/Annotations/ID.xml} holds each image's objects and {@code ROOT/JPEGImages/ID.jpg} the
 * image ({@code .jpeg} or {@code .png} are accepted too).
 *
 * <p>Classes: when every object name in the annotations of the standard lists (train, val, trainval,
 * test, whichever exist) is one of VOC's twenty, the classes are {@link #VOC_CLASSES} in VOC's order,
 * so labels agree with every VOC-trained model whichever subset a split holds; otherwise they are the
 * names found there, sorted. Either way every split of a root gets the same labels. Label 0 is the
 * background, as in torchvision.
 *
 * <p>Boxes become 0-based corners {@code (xmin - 1, ymin - 1, xmax, ymax)} (see {@link VocAnnotation});
 * {@code difficult} objects are kept and flagged, for the metric to ignore. Files are untrusted:
 * annotations are limited to 1 MB and parsed without DTDs, lists to 64 MB, and ids may not name
 * anything outside the root.
 */
public final class VocDataset implements DetectionDataset {

    /** Pascal VOC's classes in the devkit's order (labels 1..20). */
    public static final List<String> VOC_CLASSES = List.of("aeroplane", "bicycle", "bird", "boat", "bottle", "bus",
            "car", "cat", "chair", "cow", "diningtable", "dog", "horse", "motorbike", "person", "pottedplant", "sheep",
            "sofa", "train", "tvmonitor");
    /** The image lists of {@code ImageSets/Main} that decide the classes. */
    public static final List<String> STANDARD_SPLITS = List.of("train", "val", "trainval", "test");
    static final String BACKGROUND = "__background__";
    private static final long MAX_LIST_BYTES = 64L << 20;
    private static final List<String> IMAGE_EXTENSIONS = List.of(".jpg", ".jpeg", ".png");

    private final Path root;
    private final String split;
    private final List<String> classNames;
    private final List<AnnotatedImage> images;

    private VocDataset(Path root, String split, List<String> classNames, List<AnnotatedImage> images) {
        this.root = root;
        this.split = split;
        this.classNames = classNames;
        this.images = images;
    }

    /** Whether {@code root} looks like VOC layout (an {@code Annotations} and an {@code ImageSets/Main} folder). */
    public static boolean isVocRoot(Path root) {
        return Files.isDirectory(root.resolve("Annotations")) && Files.isDirectory(root.resolve("ImageSets/Main"));
    }

    /**
     * Reads one split.
     *
     * @throws DatasetException naming the file and the fault: no such split, a bad id, a missing
     *     image or annotation, a malformed annotation
     */
    public static VocDataset read(Path root, String split) throws IOException {
        List<String> ids = readList(root, split);
        Map<String, VocAnnotation> annotations = new LinkedHashMap<>();
        for (String s : STANDARD_SPLITS) {
            if (!s.equals(split) && Files.exists(listFile(root, s))) {
                annotate(root, readList(root, s), annotations);
            }
        }
        annotate(root, ids, annotations);
        List<String> classes = classNames(annotations.values());
        List<AnnotatedImage> images = new ArrayList<>(ids.size());
        for (String id : ids) {
            images.add(image(root, id, annotations.get(id), classes));
        }
        return new VocDataset(root, split, classes, List.copyOf(images));
    }

    private static void annotate(Path root, List<String> ids, Map<String, VocAnnotation> into) throws IOException {
        for (String id : ids) {
            if (!into.containsKey(id)) {
                into.put(id, VocAnnotation.read(root.resolve("Annotations").resolve(id + ".xml")));
            }
        }
    }

    private static List<String> classNames(Iterable<VocAnnotation> annotations) {
        Set<String> found = new TreeSet<>();
        for (VocAnnotation a : annotations) {
            for (VocAnnotation.VocObject o : a.objects()) {
                found.add(o.name());
            }
        }
        List<String> names = new ArrayList<>();
        names.add(BACKGROUND);
        names.addAll(VOC_CLASSES.containsAll(found) ? VOC_CLASSES : found);
        return List.copyOf(names);
    }

    private static AnnotatedImage image(Path root, String id, VocAnnotation a, List<String> classes)
            throws DatasetException {
        List<AnnotatedObject> objects = new ArrayList<>(a.objects().size());
        for (VocAnnotation.VocObject o : a.objects()) {
            objects.add(new AnnotatedObject(o.box(), classes.indexOf(o.name()), o.difficult(), false));
        }
        return new AnnotatedImage(id, imageFile(root, id), a.width(), a.height(), objects);
    }

    private static Path imageFile(Path root, String id) throws DatasetException {
        Path dir = root.resolve("JPEGImages");
        for (String ext : IMAGE_EXTENSIONS) {
            Path p = dir.resolve(id + ext);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new DatasetException(dir.resolve(id + ".jpg") + " does not exist (nor .jpeg or .png), but "
                + root.resolve("Annotations").resolve(id + ".xml") + " annotates it; restore the image or remove the id"
                + " from the list");
    }

    private static Path listFile(Path root, String split) {
        return root.resolve("ImageSets").resolve("Main").resolve(split + ".txt");
    }

    /** The ids of a list: the first word of each non-empty line, in order, without repeats. */
    private static List<String> readList(Path root, String split) throws IOException {
        if (!validId(split)) {
            throw new DatasetException("'" + PrintableText.of(split) + "' is not a split name; use one of "
                    + STANDARD_SPLITS);
        }
        Path file = listFile(root, split);
        if (!Files.exists(file)) {
            throw new DatasetException(file + " does not exist: " + root + " has no split '" + split + "' (VOC lists"
                    + " its splits in ImageSets/Main/*.txt)");
        }
        String text = new String(BoundedFiles.read(file, MAX_LIST_BYTES, "a VOC image list"), StandardCharsets.UTF_8);
        Set<String> ids = new LinkedHashSet<>();
        int line = 0;
        for (String l : text.split("\n", -1)) {
            line++;
            String[] words = l.trim().split("\\s+");
            if (words[0].isEmpty()) {
                continue;
            }
            if (!validId(words[0])) {
                throw new DatasetException(file + " line " + line + ": '" + PrintableText.of(words[0]) + "' is not an"
                        + " image id (ids are file names without folders or a leading dot)");
            }
            ids.add(words[0]);
        }
        return List.copyOf(ids);
    }

    /** A plain file name: nothing that could lead outside the root's folders. */
    static boolean validId(String id) {
        return !id.isEmpty() && id.length() <= 255 && !id.startsWith(".") && id.chars().noneMatch(c -> c == '/'
                || c == '\\' || c < 0x20 || c == 0x7f);
    }

    public Path root() {
        return root;
    }

    public String split() {
        return split;
    }

    @Override
    public List<String> classNames() {
        return classNames;
    }

    @Override
    public List<AnnotatedImage> images() {
        return images;
    }
}
