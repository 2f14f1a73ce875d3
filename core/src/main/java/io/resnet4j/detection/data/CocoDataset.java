package io.resnet4j.detection.data;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.resnet4j.data.DatasetException;
import io.resnet4j.detection.AnnotatedImage;
import io.resnet4j.detection.AnnotatedObject;
import io.resnet4j.detection.BoundingBox;
import io.resnet4j.detection.DetectionDataset;
import io.resnet4j.files.InputFiles;
import io.resnet4j.io.JsonErrors;
import io.resnet4j.io.PrintableText;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A COCO-format data set: an {@code instances_*.json} file (images, annotations, categories) and
 * the folder holding its images, as COCO 2017 ships them ({@code ROOT/annotations/instances_val2017.json},
 * {@code ROOT/val2017/}).
 *
 * <p>Boxes {@code [x, y, w, h]} become corners {@code (x, y, x + w, y + h)}; {@code iscrowd} and
 * each annotation's own {@code area} (a segment's) are kept for COCO's metric; images are in id
 * order, as pycocotools evaluates them, and images without annotations are kept (detections there
 * are false positives). Labels follow a {@link Labels} scheme. The file is streamed (segmentations
 * are skipped, never held), limited to {@link #MAX_BYTES}, and every field is checked: one line
 * names the file and the fault.
 */
public final class CocoDataset implements DetectionDataset {

    /** COCO 2017's instances_train2017.json is 448 MB. */
    public static final long MAX_BYTES = 2L << 30;
    /** The largest category id the {@link Labels#CATEGORY_IDS} scheme gives its own output. */
    public static final int MAX_CATEGORY_ID = 1000;
    private static final int MAX_SIDE = VocAnnotation.MAX_SIDE;

    /** How category ids become labels. */
    public enum Labels {
        /**
         * The label is the category id and the class list has a "N/A" entry for each unused id, as
         * torchvision's COCO models number their outputs: on COCO 2017 this is {@link CocoCategories#TORCHVISION}
         * (91 entries), so {@code fasterrcnn_resnet50_fpn}'s labels need no translation.
         */
        CATEGORY_IDS,
        /** Labels 1..K for the categories in id order: no unused outputs, for training new models. */
        CONTIGUOUS
    }

    private final List<String> classNames;
    private final List<AnnotatedImage> images;
    private final int[] categoryIds;

    private CocoDataset(List<String> classNames, List<AnnotatedImage> images, int[] categoryIds) {
        this.classNames = classNames;
        this.images = images;
        this.categoryIds = categoryIds;
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record ImageEntry(Long id, @JsonProperty("file_name") String fileName, Integer width, Integer height) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record AnnotationEntry(Long id, @JsonProperty("image_id") Long imageId, @JsonProperty("category_id") Integer categoryId,
            double[] bbox, Double area, Integer iscrowd) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record CategoryEntry(Integer id, String name) {}

    /** Whether {@code root} has COCO layout: {@code root/annotations/instances_*.json}. */
    public static boolean isCocoRoot(Path root) {
        return !splits(root).isEmpty();
    }

    /** The splits of a COCO root: X for each {@code annotations/instances_X.json}, sorted. */
    public static List<String> splits(Path root) {
        Path dir = root.resolve("annotations");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("instances_") && n.endsWith(".json"))
                    .map(n -> n.substring("instances_".length(), n.length() - ".json".length())).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * Reads split X of a COCO root: {@code annotations/instances_X.json}, images in {@code ROOT/X/}
     * (or {@code ROOT/images/} when there is no such folder).
     */
    public static CocoDataset read(Path root, String split, Labels labels) throws IOException {
        if (!VocDataset.validId(split)) {
            throw new DatasetException("'" + PrintableText.of(split) + "' is not a split name; " + root + " has "
                    + splits(root));
        }
        Path json = root.resolve("annotations").resolve("instances_" + split + ".json");
        if (!Files.exists(json)) {
            throw new DatasetException(json + " does not exist; the splits of " + root + " are " + splits(root));
        }
        Path images = root.resolve(split);
        return read(json, Files.isDirectory(images) ? images : root.resolve("images"), labels);
    }

    /**
     * @param imagesDir the folder the {@code file_name}s are relative to
     * @throws DatasetException naming the file and the fault
     */
    public static CocoDataset read(Path json, Path imagesDir, Labels labels) throws IOException {
        InputFiles.requireRegularFile(json, "a COCO instances JSON file");
        long size = Files.size(json);
        if (size > MAX_BYTES) {
            throw new DatasetException(String.format(Locale.ROOT, "%s is %,d bytes, more than the %,d allowed for a"
                    + " COCO annotation file", json, size, MAX_BYTES));
        }
        Parsed parsed = parse(json);
        return build(json, imagesDir, labels, parsed);
    }

    private record Parsed(List<ImageEntry> images, List<AnnotationEntry> annotations, List<CategoryEntry> categories) {}

    private static Parsed parse(Path json) throws IOException {
        ObjectMapper mapper = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
        List<ImageEntry> images = new ArrayList<>();
        List<AnnotationEntry> annotations = new ArrayList<>();
        List<CategoryEntry> categories = new ArrayList<>();
        try (JsonParser p = mapper.getFactory().createParser(json.toFile())) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new DatasetException(json + " is not a COCO annotation file: it is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "images" -> readArray(p, mapper, ImageEntry.class, images, json, field);
                    case "annotations" -> readArray(p, mapper, AnnotationEntry.class, annotations, json, field);
                    case "categories" -> readArray(p, mapper, CategoryEntry.class, categories, json, field);
                    default -> p.skipChildren();
                }
            }
        } catch (JsonProcessingException e) {
            throw new DatasetException(json + " is not valid COCO JSON (" + JsonErrors.describe(e) + ")", e);
        }
        return new Parsed(images, annotations, categories);
    }

    private static <T> void readArray(JsonParser p, ObjectMapper mapper, Class<T> type, List<T> into, Path json,
            String field) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw new DatasetException(json + ": \"" + field + "\" is not an array");
        }
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                throw new DatasetException(json + ": an entry of \"" + field + "\" is not an object");
            }
            into.add(mapper.readValue(p, type));
        }
    }

    private static CocoDataset build(Path json, Path imagesDir, Labels scheme, Parsed parsed) throws DatasetException {
        Map<Integer, String> categories = categories(json, parsed.categories());
        int[] ids = categories.keySet().stream().mapToInt(Integer::intValue).toArray();
        List<String> names = classNames(json, scheme, categories);
        Map<Integer, Integer> labelOf = new HashMap<>();
        for (int i = 0; i < ids.length; i++) {
            labelOf.put(ids[i], scheme == Labels.CATEGORY_IDS ? ids[i] : i + 1);
        }
        Map<Long, ImageEntry> images = new TreeMap<>();
        for (ImageEntry e : parsed.images()) {
            checkImage(json, imagesDir, e);
            if (images.put(e.id(), e) != null) {
                throw new DatasetException(json + ": image id " + e.id() + " appears twice");
            }
        }
        Map<Long, List<AnnotatedObject>> objects = new HashMap<>();
        for (AnnotationEntry a : parsed.annotations()) {
            Integer label = a.categoryId() == null ? null : labelOf.get(a.categoryId());
            if (label == null) {
                throw new DatasetException(json + ": annotation " + a.id() + " has category_id " + a.categoryId()
                        + ", which is not among the file's categories");
            }
            if (a.imageId() == null || !images.containsKey(a.imageId())) {
                throw new DatasetException(json + ": annotation " + a.id() + " is of image " + a.imageId()
                        + ", which is not among the file's images");
            }
            objects.computeIfAbsent(a.imageId(), k -> new ArrayList<>()).add(object(json, a, label));
        }
        List<AnnotatedImage> out = new ArrayList<>(images.size());
        for (ImageEntry e : images.values()) {
            out.add(new AnnotatedImage(Long.toString(e.id()), imagesDir.resolve(e.fileName()), e.width(), e.height(),
                    objects.getOrDefault(e.id(), List.of())));
        }
        return new CocoDataset(names, List.copyOf(out), ids);
    }

    private static Map<Integer, String> categories(Path json, List<CategoryEntry> entries) throws DatasetException {
        Map<Integer, String> categories = new TreeMap<>();
        for (CategoryEntry c : entries) {
            if (c.id() == null || c.id() < 1 || c.name() == null || c.name().isBlank()) {
                throw new DatasetException(json + ": a category needs an id of at least 1 and a name, got id " + c.id()
                        + " name " + (c.name() == null ? null : "'" + c.name() + "'"));
            }
            if (categories.put(c.id(), c.name()) != null) {
                throw new DatasetException(json + ": category id " + c.id() + " appears twice");
            }
        }
        if (categories.isEmpty()) {
            throw new DatasetException(json + " has no categories; a COCO instances file lists them under \"categories\"");
        }
        return categories;
    }

    private static List<String> classNames(Path json, Labels scheme, Map<Integer, String> categories)
            throws DatasetException {
        List<String> names = new ArrayList<>();
        names.add(VocDataset.BACKGROUND);
        if (scheme == Labels.CONTIGUOUS) {
            names.addAll(categories.values());
            return List.copyOf(names);
        }
        int max = ((TreeMap<Integer, String>) categories).lastKey();
        if (max > MAX_CATEGORY_ID) {
            throw new DatasetException(json + " has category id " + max + "; labels by category id allow up to "
                    + MAX_CATEGORY_ID + ", number them contiguously instead");
        }
        for (int id = 1; id <= max; id++) {
            names.add(categories.getOrDefault(id, CocoCategories.UNUSED));
        }
        return List.copyOf(names);
    }

    private static void checkImage(Path json, Path imagesDir, ImageEntry e) throws DatasetException {
        if (e.id() == null || e.fileName() == null || e.width() == null || e.height() == null) {
            throw new DatasetException(json + ": an image needs id, file_name, width and height; image " + e.id()
                    + " lacks one");
        }
        if (e.width() < 1 || e.height() < 1 || e.width() > MAX_SIDE || e.height() > MAX_SIDE) {
            throw new DatasetException(json + ": image " + e.id() + " is " + e.width() + "x" + e.height()
                    + "; sides must be 1 to " + MAX_SIDE);
        }
        Path file = imagesDir.resolve(e.fileName()).normalize();
        if (e.fileName().isEmpty() || Path.of(e.fileName()).isAbsolute() || !file.startsWith(imagesDir.normalize())
                || e.fileName().chars().anyMatch(c -> c < 0x20)) {
            throw new DatasetException(json + ": image " + e.id() + " has file_name '" + PrintableText.of(e.fileName())
                    + "', which is not a file inside " + imagesDir);
        }
    }

    private static AnnotatedObject object(Path json, AnnotationEntry a, int label) throws DatasetException {
        double[] b = a.bbox();
        if (b == null || b.length != 4 || !finite(b) || b[2] < 0 || b[3] < 0 || Math.abs(b[0]) > 4 * MAX_SIDE
                || Math.abs(b[1]) > 4 * MAX_SIDE || b[2] > 4 * MAX_SIDE || b[3] > 4 * MAX_SIDE) {
            throw new DatasetException(json + ": annotation " + a.id() + " has bbox " + java.util.Arrays.toString(b)
                    + "; COCO boxes are [x, y, width, height] with finite coordinates and sizes of at least 0");
        }
        double area = a.area() == null ? b[2] * b[3] : a.area();
        if (!(area >= 0) || Double.isInfinite(area)) {
            throw new DatasetException(json + ": annotation " + a.id() + " has area " + a.area() + "; it must be at least 0");
        }
        int crowd = a.iscrowd() == null ? 0 : a.iscrowd();
        if (crowd != 0 && crowd != 1) {
            throw new DatasetException(json + ": annotation " + a.id() + " has iscrowd " + crowd + "; it is 0 or 1");
        }
        BoundingBox box = new BoundingBox((float) b[0], (float) b[1], (float) (b[0] + b[2]), (float) (b[1] + b[3]));
        return new AnnotatedObject(box, label, false, crowd == 1, (float) area);
    }

    private static boolean finite(double[] v) {
        for (double d : v) {
            if (!Double.isFinite(d)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public List<String> classNames() {
        return classNames;
    }

    @Override
    public List<AnnotatedImage> images() {
        return images;
    }

    /** The COCO category id of each label 1..K of {@link Labels#CONTIGUOUS} (and of the used ids otherwise). */
    public int[] categoryIds() {
        return categoryIds.clone();
    }
}
