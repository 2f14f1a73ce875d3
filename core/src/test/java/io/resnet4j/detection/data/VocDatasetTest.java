package io.resnet4j.detection.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.resnet4j.data.DatasetException;
import io.resnet4j.detection.AnnotatedImage;
import io.resnet4j.detection.AnnotatedObject;
import io.resnet4j.detection.BoundingBox;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The VOC reader on small hand-written roots, hostile files included. */
class VocDatasetTest {

    @TempDir
    Path root;

    static String annotation(int w, int h, String... objects) {
        return "<annotation><folder>VOC2007</folder><filename>x.jpg</filename><size><width>" + w + "</width><height>" + h
                + "</height><depth>3</depth></size>" + String.join("", objects) + "</annotation>";
    }

    static String object(String name, int difficult, String xmin, String ymin, String xmax, String ymax) {
        return "<object><name>" + name + "</name><pose>Left</pose><truncated>0</truncated><difficult>" + difficult
                + "</difficult><bndbox><xmin>" + xmin + "</xmin><ymin>" + ymin + "</ymin><xmax>" + xmax + "</xmax><ymax>"
                + ymax + "</ymax></bndbox></object>";
    }

    void write(String id, String xml) throws IOException {
        Files.createDirectories(root.resolve("Annotations"));
        Files.createDirectories(root.resolve("JPEGImages"));
        Files.writeString(root.resolve("Annotations/" + id + ".xml"), xml);
        Files.write(root.resolve("JPEGImages/" + id + ".jpg"), new byte[] {1});
    }

    void list(String split, String... ids) throws IOException {
        Files.createDirectories(root.resolve("ImageSets/Main"));
        Files.writeString(root.resolve("ImageSets/Main/" + split + ".txt"), String.join("\n", ids) + "\n");
    }

    @Test
    void readsBoxesAsZeroBasedCornersWithDifficultFlagsAndVocLabels() throws IOException {
        write("000005", annotation(500, 375, object("chair", 0, "263", "211", "324", "339"),
                object("person", 1, "1", "1", "500", "375")));
        write("000007", annotation(500, 333, object("car", 0, "141.5", "50", "500", "330")));
        list("val", "000005", "000007");
        list("train", "000007");
        VocDataset d = VocDataset.read(root, "val");
        assertThat(d.classNames()).hasSize(21).startsWith("__background__", "aeroplane").endsWith("tvmonitor");
        AnnotatedImage first = d.images().get(0);
        assertThat(first.id()).isEqualTo("000005");
        assertThat(first.width()).isEqualTo(500);
        assertThat(first.height()).isEqualTo(375);
        assertThat(first.file()).isEqualTo(root.resolve("JPEGImages/000005.jpg"));
        assertThat(first.objects()).containsExactly(
                new AnnotatedObject(new BoundingBox(262, 210, 324, 339), 9, false, false),
                new AnnotatedObject(new BoundingBox(0, 0, 500, 375), 15, true, false));
        assertThat(d.images().get(1).objects().get(0).box()).isEqualTo(new BoundingBox(140.5f, 49, 500, 330));
        assertThat(d.images().get(1).objects().get(0).label()).isEqualTo(7);
    }

    @Test
    void otherClassesAreTheNamesFoundInEverySplitSorted() throws IOException {
        write("a", annotation(100, 100, object("zebra", 0, "1", "1", "10", "10")));
        write("b", annotation(100, 100, object("apple", 0, "1", "1", "10", "10")));
        list("train", "a");
        list("val", "b");
        VocDataset val = VocDataset.read(root, "val");
        VocDataset train = VocDataset.read(root, "train");
        assertThat(val.classNames()).containsExactly("__background__", "apple", "zebra");
        assertThat(train.classNames()).isEqualTo(val.classNames());
        assertThat(val.images().get(0).objects().get(0).label()).isEqualTo(1);
        assertThat(train.images().get(0).objects().get(0).label()).isEqualTo(2);
    }

    @Test
    void externalEntitiesAndDoctypesAreRefused() throws IOException {
        Path secret = root.resolve("secret.txt");
        Files.writeString(secret, "top secret");
        write("x", "<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY xxe SYSTEM \"" + secret.toUri() + "\">]>"
                + annotation(10, 10, object("&xxe;", 0, "1", "1", "5", "5")));
        list("val", "x");
        assertThatThrownBy(() -> VocDataset.read(root, "val")).isInstanceOf(DatasetException.class)
                .hasMessageContaining("x.xml is not a readable VOC annotation").hasMessageContaining("DOCTYPE")
                .hasMessageNotContaining("top secret");
        String laughs = "<!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
                + "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]>";
        write("x", laughs + annotation(10, 10, object("&c;", 0, "1", "1", "5", "5")));
        assertThatThrownBy(() -> VocDataset.read(root, "val")).hasMessageContaining("DOCTYPE");
    }

    @Test
    void hugeAnnotationsAreRefusedBeforeReading() throws IOException {
        write("big", annotation(10, 10) + " ".repeat((int) VocAnnotation.MAX_BYTES));
        list("val", "big");
        assertThatThrownBy(() -> VocDataset.read(root, "val")).isInstanceOf(DatasetException.class)
                .hasMessageContaining("big.xml is 1,048,") .hasMessageContaining("more than the 1,048,576 allowed");
    }

    @Test
    void badBoxesAndMissingFieldsNameTheFileAndTheObject() throws IOException {
        list("val", "x");
        write("x", annotation(100, 100, object("cat", 0, "50", "1", "40", "10")));
        assertThatThrownBy(() -> VocDataset.read(root, "val")).hasMessageContaining("x.xml: object 1 (cat) has the box"
                + " xmin 50.0, ymin 1.0, xmax 40.0, ymax 10.0");
        write("x", annotation(100, 100, object("cat", 0, "1", "1", "NaN", "10")));
        assertThatThrownBy(() -> VocDataset.read(root, "val")).hasMessageContaining("<xmax> is 'NaN', not a number");
        write("x", annotation(100, 100, object("cat", 0, "200", "1", "300", "10")));
        assertThatThrownBy(() -> VocDataset.read(root, "val")).hasMessageContaining("not a box inside the 100x100 image");
        write("x", "<annotation><object><name>cat</name></object></annotation>");
        assertThatThrownBy(() -> VocDataset.read(root, "val")).hasMessageContaining("<annotation> has no <size>");
        write("x", "<annotation><size><width>10</width>");
        assertThatThrownBy(() -> VocDataset.read(root, "val")).hasMessageContaining("not a readable VOC annotation");
        write("x", annotation(0, 10));
        assertThatThrownBy(() -> VocDataset.read(root, "val")).hasMessageContaining("<size><width> is 0");
    }

    @Test
    void idsCannotLeaveTheRootAndMissingFilesAreNamed() throws IOException {
        write("ok", annotation(10, 10));
        list("val", "../../etc/passwd");
        assertThatThrownBy(() -> VocDataset.read(root, "val")).hasMessageContaining("val.txt line 1: '../../etc/passwd'"
                + " is not an image id");
        assertThatThrownBy(() -> VocDataset.read(root, "../val")).hasMessageContaining("not a split name");
        assertThatThrownBy(() -> VocDataset.read(root, "test")).hasMessageContaining("has no split 'test'");
        list("val", "ok", "gone");
        assertThatThrownBy(() -> VocDataset.read(root, "val")).hasMessageContaining("gone.xml");
        Files.writeString(root.resolve("Annotations/gone.xml"), annotation(10, 10));
        assertThatThrownBy(() -> VocDataset.read(root, "val")).hasMessageContaining("JPEGImages/gone.jpg does not exist");
        Files.write(root.resolve("JPEGImages/gone.png"), new byte[] {1});
        assertThat(VocDataset.read(root, "val").images().get(1).file().getFileName().toString()).isEqualTo("gone.png");
    }

    @Test
    void writerAndReaderAreInverses() throws IOException {
        AnnotatedImage image = new AnnotatedImage("im", root.resolve("JPEGImages/im.jpg"), 64, 48, List.of(
                new AnnotatedObject(new BoundingBox(0, 0, 64, 48), 2, false, false),
                new AnnotatedObject(new BoundingBox(3, 4, 10.5f, 20), 1, true, false)));
        List<String> names = List.of("__background__", "circle", "square");
        write("im", new String(VocWriter.annotation(image, "f", names), StandardCharsets.UTF_8));
        list("val", "im");
        VocDataset d = VocDataset.read(root, "val");
        assertThat(d.classNames()).isEqualTo(names);
        assertThat(d.images().get(0).objects()).isEqualTo(image.objects());
    }
}
