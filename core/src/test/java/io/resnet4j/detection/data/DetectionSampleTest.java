package io.resnet4j.detection.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.resnet4j.data.DatasetException;
import io.resnet4j.detection.AnnotatedImage;
import io.resnet4j.detection.AnnotatedObject;
import io.resnet4j.detection.BoundingBox;
import io.resnet4j.image.ImageLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The procedural detection set: boxes fit what was drawn, files are reproducible, VOC reads them back. */
class DetectionSampleTest {

    @TempDir
    Path tmp;

    /**
     * Without clutter and noise every pixel outside the objects is the background: then every
     * coloured pixel must lie in a box, and every box must touch coloured pixels on all four sides.
     */
    @Test
    void boxesAreTheTightBoxesOfTheDrawnShapes() {
        DetectionSample.Spec spec = new DetectionSample.Spec(128, 40, 0, 5, false, 3);
        int objects = 0;
        for (int i = 0; i < 40; i++) {
            DetectionSample.Rendered r = DetectionSample.render(spec, false, i);
            int[] px = r.pixels();
            int bg = px[0];
            List<BoundingBox> boxes = r.objects().stream().map(AnnotatedObject::box).toList();
            for (int y = 0; y < 128; y++) {
                for (int x = 0; x < 128; x++) {
                    if (px[y * 128 + x] != bg) {
                        int fx = x;
                        int fy = y;
                        assertThat(boxes).as("image %d pixel (%d, %d)", i, x, y)
                                .anyMatch(b -> fx >= b.x1() && fx < b.x2() && fy >= b.y1() && fy < b.y2());
                    }
                }
            }
            for (BoundingBox b : boxes) {
                assertThat(b.x1()).isGreaterThanOrEqualTo(0);
                assertThat(b.x2()).isLessThanOrEqualTo(128);
                assertThat(b.width()).isBetween(8f, 62f);
                assertThat(coloured(px, bg, (int) b.x1(), (int) b.y1(), (int) b.x1() + 1, (int) b.y2())).isTrue();
                assertThat(coloured(px, bg, (int) b.x2() - 1, (int) b.y1(), (int) b.x2(), (int) b.y2())).isTrue();
                assertThat(coloured(px, bg, (int) b.x1(), (int) b.y1(), (int) b.x2(), (int) b.y1() + 1)).isTrue();
                assertThat(coloured(px, bg, (int) b.x1(), (int) b.y2() - 1, (int) b.x2(), (int) b.y2())).isTrue();
                for (BoundingBox o : boxes) {
                    assertThat(o == b || o.x2() <= b.x1() || b.x2() <= o.x1() || o.y2() <= b.y1() || b.y2() <= o.y1())
                            .as("boxes %s and %s overlap", o, b).isTrue();
                }
            }
            objects += boxes.size();
        }
        assertThat(objects).isBetween(60, 200);
    }

    private static boolean coloured(int[] px, int bg, int x1, int y1, int x2, int y2) {
        for (int y = y1; y < y2; y++) {
            for (int x = x1; x < x2; x++) {
                if (px[y * 128 + x] != bg) {
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    void writesVocLayoutThatReadsBackIdentically() throws IOException {
        DetectionSample.Spec spec = new DetectionSample.Spec(96, 6, 4, 4, true, 11);
        Path root = tmp.resolve("shapes");
        DetectionSample.write(root, spec);
        VocDataset val = VocDataset.read(root, "val");
        assertThat(val.classNames()).containsExactly("__background__", "circle", "cross", "diamond", "ring", "square",
                "triangle");
        assertThat(val.images()).extracting(AnnotatedImage::id).containsExactly("000006", "000007", "000008", "000009");
        for (int i = 0; i < 4; i++) {
            AnnotatedImage im = val.images().get(i);
            assertThat(im.objects()).isEqualTo(DetectionSample.render(spec, true, i).objects()).isNotEmpty();
            assertThat(ImageLoader.read(im.file()).width()).isEqualTo(96);
        }
        assertThat(VocDataset.read(root, "train").images()).hasSize(6);
        assertThatThrownBy(() -> DetectionSample.write(root, spec)).isInstanceOf(DatasetException.class)
                .hasMessageContaining("already exists");
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("shapes"); // no temporary left
        }
    }

    @Test
    void theSameSeedWritesTheSameBytes() throws IOException {
        DetectionSample.Spec spec = new DetectionSample.Spec(64, 3, 2, 3, true, 5);
        DetectionSample.write(tmp.resolve("a"), spec);
        DetectionSample.write(tmp.resolve("b"), spec);
        DetectionSample.write(tmp.resolve("c"), new DetectionSample.Spec(64, 3, 2, 3, true, 6));
        for (String f : List.of("Annotations/000000.xml", "JPEGImages/000004.jpg", "ImageSets/Main/val.txt")) {
            assertThat(Files.readAllBytes(tmp.resolve("a").resolve(f))).isEqualTo(Files.readAllBytes(tmp.resolve("b")
                    .resolve(f)));
        }
        assertThat(Files.readAllBytes(tmp.resolve("a/JPEGImages/000004.jpg")))
                .isNotEqualTo(Files.readAllBytes(tmp.resolve("c/JPEGImages/000004.jpg")));
        assertThat(DetectionSample.render(spec, false, 0).objects()).isNotEqualTo(DetectionSample.render(spec, true, 0)
                .objects());
    }
}
