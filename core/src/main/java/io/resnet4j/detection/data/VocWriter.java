package io.resnet4j.detection.data;

import io.resnet4j.detection.AnnotatedImage;
import io.resnet4j.detection.AnnotatedObject;
import io.resnet4j.detection.BoundingBox;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * Writes Pascal VOC annotation files, the inverse of {@link VocAnnotation}: 0-based corners
 * {@code (x1, y1, x2, y2)} are written as {@code xmin = x1 + 1, ymin = y1 + 1, xmax = x2, ymax = y2}.
 */
public final class VocWriter {

    private VocWriter() {}

    /** The annotation file of one image; labels are named through {@code classNames}. */
    public static byte[] annotation(AnnotatedImage image, String folder, List<String> classNames) throws IOException {
        try {
            Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().newDocument();
            Element root = doc.createElement("annotation");
            doc.appendChild(root);
            add(doc, root, "folder", folder);
            add(doc, root, "filename", image.file().getFileName().toString());
            Element size = add(doc, root, "size", null);
            add(doc, size, "width", Integer.toString(image.width()));
            add(doc, size, "height", Integer.toString(image.height()));
            add(doc, size, "depth", "3");
            add(doc, root, "segmented", "0");
            for (AnnotatedObject o : image.objects()) {
                Element e = add(doc, root, "object", null);
                add(doc, e, "name", classNames.get(o.label()));
                add(doc, e, "pose", "Unspecified");
                add(doc, e, "truncated", "0");
                add(doc, e, "difficult", o.difficult() ? "1" : "0");
                BoundingBox b = o.box();
                Element box = add(doc, e, "bndbox", null);
                add(doc, box, "xmin", number(b.x1() + 1));
                add(doc, box, "ymin", number(b.y1() + 1));
                add(doc, box, "xmax", number(b.x2()));
                add(doc, box, "ymax", number(b.y2()));
            }
            Transformer t = TransformerFactory.newInstance().newTransformer();
            t.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "yes");
            t.setOutputProperty(OutputKeys.INDENT, "yes");
            t.setOutputProperty("{http://xml.apache.org/xslt}indent-amount", "2");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            t.transform(new DOMSource(doc), new StreamResult(out));
            return out.toByteArray();
        } catch (ParserConfigurationException | TransformerException e) {
            throw new IOException("could not write the VOC annotation of " + image.id() + ": " + e.getMessage(), e);
        }
    }

    private static Element add(Document doc, Element parent, String tag, String text) {
        Element e = doc.createElement(tag);
        if (text != null) {
            e.setTextContent(text);
        }
        parent.appendChild(e);
        return e;
    }

    /** Whole pixels as integers, as VOC writes them; anything else with the digits a float has. */
    private static String number(float v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%s", v);
    }
}
