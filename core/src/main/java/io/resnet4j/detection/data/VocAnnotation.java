package io.resnet4j.detection.data;

import io.resnet4j.data.DatasetException;
import io.resnet4j.detection.BoundingBox;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * One Pascal VOC annotation file: the image's size and its objects' names, boxes and
 * {@code difficult} flags. VOC boxes are 1-based inclusive pixel indices; they are returned as
 * 0-based continuous corners {@code (xmin - 1, ymin - 1, xmax, ymax)}, Detectron's conversion, under
 * which a plain IoU equals voc_eval.py's "+1" IoU on the file's numbers.
 */
record VocAnnotation(int width, int height, List<VocObject> objects) {

    /** VOC annotations are a few kilobytes; a thousand objects take about 200 KB. */
    static final long MAX_BYTES = 1L << 20;
    /** Larger sides than any camera makes, and small enough that width x height fits a long easily. */
    static final int MAX_SIDE = 1 << 16;

    record VocObject(String name, BoundingBox box, boolean difficult) {}

    /**
     * @throws DatasetException naming the file and what is wrong (not XML, a DOCTYPE, a missing
     *     field, a box that is not a box)
     */
    static VocAnnotation read(Path file) throws IOException {
        byte[] xml = BoundedFiles.read(file, MAX_BYTES, "a VOC annotation");
        Document doc;
        try {
            doc = SafeXml.parse(xml);
        } catch (IOException e) {
            throw new DatasetException(file + " is not a readable VOC annotation: " + e.getMessage(), e);
        }
        Element root = doc.getDocumentElement();
        if (!"annotation".equals(root.getTagName())) {
            throw new DatasetException(file + " is not a VOC annotation: its root element is <" + root.getTagName()
                    + ">, expected <annotation>");
        }
        Element size = child(root, "size", file);
        int width = side(size, "width", file);
        int height = side(size, "height", file);
        List<VocObject> objects = new ArrayList<>();
        NodeList nodes = root.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            if (nodes.item(i) instanceof Element e && e.getTagName().equals("object")) {
                objects.add(object(e, width, height, file, objects.size() + 1));
            }
        }
        return new VocAnnotation(width, height, List.copyOf(objects));
    }

    private static VocObject object(Element o, int width, int height, Path file, int index) throws DatasetException {
        String name = text(child(o, "name", file)).trim();
        if (name.isEmpty() || name.length() > 200) {
            throw new DatasetException(file + ": object " + index + " has " + (name.isEmpty() ? "an empty" : "a too long")
                    + " <name>");
        }
        Element difficult = optionalChild(o, "difficult");
        boolean isDifficult = difficult != null && !text(difficult).trim().equals("0") && !text(difficult).isBlank();
        Element b = child(o, "bndbox", file);
        double xmin = coordinate(b, "xmin", file);
        double ymin = coordinate(b, "ymin", file);
        double xmax = coordinate(b, "xmax", file);
        double ymax = coordinate(b, "ymax", file);
        if (xmin > xmax || ymin > ymax || xmax < 1 || ymax < 1 || xmin - 1 >= width || ymin - 1 >= height) {
            throw new DatasetException(String.format(Locale.ROOT, "%s: object %d (%s) has the box xmin %s, ymin %s,"
                    + " xmax %s, ymax %s, which is not a box inside the %dx%d image", file, index, name, xmin, ymin,
                    xmax, ymax, width, height));
        }
        return new VocObject(name, new BoundingBox((float) (xmin - 1), (float) (ymin - 1), (float) xmax, (float) ymax),
                isDifficult);
    }

    private static int side(Element size, String tag, Path file) throws DatasetException {
        double v = number(child(size, tag, file), tag, file);
        if (v != Math.rint(v) || v < 1 || v > MAX_SIDE) {
            throw new DatasetException(file + ": <size><" + tag + "> is " + text(optionalChild(size, tag)).trim()
                    + ", expected a whole number of pixels from 1 to " + MAX_SIDE);
        }
        return (int) v;
    }

    private static double coordinate(Element box, String tag, Path file) throws DatasetException {
        double v = number(child(box, tag, file), tag, file);
        if (Math.abs(v) > 4 * MAX_SIDE) {
            throw new DatasetException(file + ": <" + tag + "> " + v + " is far outside any image");
        }
        return v;
    }

    private static double number(Element e, String tag, Path file) throws DatasetException {
        String s = text(e).trim();
        try {
            double v = Double.parseDouble(s);
            if (!Double.isFinite(v)) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException ex) {
            throw new DatasetException(file + ": <" + tag + "> is '" + (s.length() > 40 ? s.substring(0, 40) + "..." : s)
                    + "', not a number");
        }
    }

    private static Element child(Element parent, String tag, Path file) throws DatasetException {
        Element e = optionalChild(parent, tag);
        if (e == null) {
            throw new DatasetException(file + ": <" + parent.getTagName() + "> has no <" + tag + ">; not a complete VOC"
                    + " annotation");
        }
        return e;
    }

    private static Element optionalChild(Element parent, String tag) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(tag)) {
                return e;
            }
        }
        return null;
    }

    private static String text(Element e) {
        return e == null ? "" : e.getTextContent();
    }
}
