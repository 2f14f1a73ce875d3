package io.resnet4j.detection.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.resnet4j.data.DatasetException;
import io.resnet4j.detection.AnnotatedImage;
import io.resnet4j.detection.AnnotatedObject;
import io.resnet4j.detection.BoundingBox;
import io.resnet4j.detection.DetectionDataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The COCO reader on small hand-written files, hostile ones included. */
class CocoDatasetTest {

    @TempDir
    Path root;

    private static final String CATEGORIES = "\"categories\": [{\"id\": 1, \"name\": \"person\", \"supercategory\": \"p\"},"
            + " {\"id\": 3, \"name\": \"car\"}, {\"id\": 90, \"name\": \"toothbrush\"}]";

    Path write(String json) throws IOException {
        Files.createDirectories(root.resolve("annotations"));
        Files.createDirectories(root.resolve("val2017"));
        Path f = root.resolve("annotations/instances_val2017.json");
        Files.writeString(f, json);
        return f;
    }

    static String file(String images, String annotations) {
        return "{\"info\": {\"year\": 2017}, \"images\": [" + images + "], \"annotations\": [" + annotations + "], "
                + CATEGORIES + ", \"licenses\": []}";
    }

    static final String TWO_IMAGES = "{\"id\": 42, \"file_name\": \"000000000042.jpg\", \"width\": 640, \"height\": 480},"
            + " {\"id\": 7, \"file_name\": \"000000000007.jpg\", \"width\": 320, \"height\": 200}";

    @Test
    void readsCornersCrowdsAreasInImageIdOrderWithTorchvisionLabels() throws IOException {
        write(file(TWO_IMAGES, "{\"id\": 1, \"image_id\": 42, \"category_id\": 3, \"bbox\": [10.5, 20, 100, 50],"
                + " \"area\": 3000.5, \"iscrowd\": 0, \"segmentation\": [[10, 20, 30, 40, 50, 60]]},"
                + "{\"id\": 2, \"image_id\": 42, \"category_id\": 1, \"bbox\": [0, 0, 640, 480], \"area\": 200000,"
                + " \"iscrowd\": 1, \"segmentation\": {\"counts\": [1, 2], \"size\": [480, 640]}}"));
        DetectionDataset d = DetectionData.open(root, null, CocoDataset.Labels.CATEGORY_IDS);
        assertThat(d).isInstanceOf(CocoDataset.class);
        assertThat(d.classNames()).hasSize(91);
        assertThat(d.classNames().subList(0, 5)).containsExactly("__background__", "person", "N/A", "car", "N/A");
        assertThat(d.classNames().get(90)).isEqualTo("toothbrush");
        assertThat(d.images()).extracting(AnnotatedImage::id).containsExactly("7", "42");
        AnnotatedImage im = d.images().get(1);
        assertThat(im.file()).isEqualTo(root.resolve("val2017/000000000042.jpg"));
        assertThat(im.objects()).containsExactly(
                new AnnotatedObject(new BoundingBox(10.5f, 20, 110.5f, 70), 3, false, false, 3000.5f),
                new AnnotatedObject(new BoundingBox(0, 0, 640, 480), 1, false, true, 200000f));
        assertThat(d.images().get(0).objects()).isEmpty();
        CocoDataset contiguous = CocoDataset.read(root, "val2017", CocoDataset.Labels.CONTIGUOUS);
        assertThat(contiguous.classNames()).containsExactly("__background__", "person", "car", "toothbrush");
        assertThat(contiguous.images().get(1).objects().get(0).label()).isEqualTo(2);
        assertThat(contiguous.categoryIds()).containsExactly(1, 3, 90);
    }

    @Test
    void torchvisionNamesAreCocosWithGaps() {
        assertThat(CocoCategories.TORCHVISION).hasSize(91);
        assertThat(CocoCategories.TORCHVISION.stream().filter(n -> !n.equals("N/A"))).hasSize(81);
        assertThat(CocoCategories.TORCHVISION.get(1)).isEqualTo("person");
        assertThat(CocoCategories.TORCHVISION.get(12)).isEqualTo("N/A");
        assertThat(CocoCategories.TORCHVISION.get(44)).isEqualTo("bottle");
        assertThat(CocoCategories.TORCHVISION.get(90)).isEqualTo("toothbrush");
    }

    @Test
    void badBoxesAndReferencesNameTheAnnotation() throws IOException {
        write(file(TWO_IMAGES, "{\"id\": 5, \"image_id\": 42, \"category_id\": 3, \"bbox\": [10, 20, -1, 50]}"));
        assertThatThrownBy(() -> CocoDataset.read(root, "val2017", CocoDataset.Labels.CATEGORY_IDS))
                .isInstanceOf(DatasetException.class).hasMessageContaining("annotation 5 has bbox [10.0, 20.0, -1.0, 50.0]");
        write(file(TWO_IMAGES, "{\"id\": 5, \"image_id\": 42, \"category_id\": 3, \"bbox\": [10, 20, 1e400, 50]}"));
        assertThatThrownBy(() -> CocoDataset.read(root, "val2017", CocoDataset.Labels.CATEGORY_IDS))
                .hasMessageContaining("finite coordinates");
        write(file(TWO_IMAGES, "{\"id\": 5, \"image_id\": 42, \"category_id\": 2, \"bbox\": [1, 2, 3, 4]}"));
        assertThatThrownBy(() -> CocoDataset.read(root, "val2017", CocoDataset.Labels.CATEGORY_IDS))
                .hasMessageContaining("category_id 2, which is not among the file's categories");
        write(file(TWO_IMAGES, "{\"id\": 5, \"image_id\": 9, \"category_id\": 1, \"bbox\": [1, 2, 3, 4]}"));
        assertThatThrownBy(() -> CocoDataset.read(root, "val2017", CocoDataset.Labels.CATEGORY_IDS))
                .hasMessageContaining("image 9, which is not among the file's images");
        write(file("{\"id\": 1, \"file_name\": \"../../etc/passwd\", \"width\": 1, \"height\": 1}", ""));
        assertThatThrownBy(() -> CocoDataset.read(root, "val2017", CocoDataset.Labels.CATEGORY_IDS))
                .hasMessageContaining("file_name '../../etc/passwd', which is not a file inside");
    }

    @Test
    void malformedAndHostileJsonFailInOneLine() throws IOException {
        write("{\"images\": [{\"id\": 1, ");
        assertThatThrownBy(() -> CocoDataset.read(root, "val2017", CocoDataset.Labels.CATEGORY_IDS))
                .isInstanceOf(DatasetException.class).hasMessageContaining("is not valid COCO JSON")
                .hasMessageNotContaining("\n");
        write("{\"images\": " + "[".repeat(5000) + "]".repeat(5000) + "}");
        assertThatThrownBy(() -> CocoDataset.read(root, "val2017", CocoDataset.Labels.CATEGORY_IDS))
                .isInstanceOf(DatasetException.class).hasMessageNotContaining("\n");
        write("{\"images\": [{\"id\": \"x\", \"file_name\": \"a.jpg\", \"width\": 1, \"height\": 1}]}");
        assertThatThrownBy(() -> CocoDataset.read(root, "val2017", CocoDataset.Labels.CATEGORY_IDS))
                .hasMessageContaining("is not valid COCO JSON");
        write("[1, 2]");
        assertThatThrownBy(() -> CocoDataset.read(root, "val2017", CocoDataset.Labels.CATEGORY_IDS))
                .hasMessageContaining("not a JSON object");
        write(file(TWO_IMAGES, "").replace(CATEGORIES, "\"categories\": [{\"id\": 5000, \"name\": \"x\"}]"));
        assertThatThrownBy(() -> CocoDataset.read(root, "val2017", CocoDataset.Labels.CATEGORY_IDS))
                .hasMessageContaining("category id 5000").hasMessageContaining("contiguously");
        assertThat(CocoDataset.read(root, "val2017", CocoDataset.Labels.CONTIGUOUS).classNames()).hasSize(2);
    }

    @Test
    void rootsWithoutEitherLayoutAreNamed() throws IOException {
        assertThatThrownBy(() -> DetectionData.open(root, null, CocoDataset.Labels.CATEGORY_IDS))
                .hasMessageContaining("neither a Pascal VOC root").hasMessageContaining("nor a COCO root");
        write(file(TWO_IMAGES, ""));
        Files.writeString(root.resolve("annotations/instances_train2017.json"), file(TWO_IMAGES, ""));
        assertThatThrownBy(() -> DetectionData.open(root, null, CocoDataset.Labels.CATEGORY_IDS))
                .hasMessageContaining("[train2017, val2017]; choose one with --split");
        assertThat(DetectionData.open(root, "train2017", CocoDataset.Labels.CATEGORY_IDS).images()).hasSize(2);
    }
}
