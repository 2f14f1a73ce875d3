package io.resnet4j.detection.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import io.resnet4j.detection.AnnotatedImage;
import io.resnet4j.detection.AnnotatedObject;
import io.resnet4j.detection.BoundingBox;
import io.resnet4j.detection.DetectionDataset;
import io.resnet4j.detection.ops.DetectionTransform;
import io.resnet4j.image.RgbImage;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The order a run sees its images in, their flips, and the boxes that travel with the pixels. */
class DetectionTrainingSetTest {

    /** A 100x60 PNG, black but for a white block at x 10..30, y 20..50, annotated with a box, a difficult box and a crowd. */
    static DetectionDataset oneImage(Path dir) throws Exception {
        BufferedImage img = new BufferedImage(100, 60, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(10, 20, 20, 30);
        g.dispose();
        Path file = dir.resolve("a.png");
        ImageIO.write(img, "png", file.toFile());
        List<AnnotatedObject> objects = List.of(AnnotatedObject.of(new BoundingBox(10, 20, 30, 50), 2),
                new AnnotatedObject(new BoundingBox(50, 5, 70, 25), 1, true, false),
                new AnnotatedObject(new BoundingBox(60, 30, 90, 55), 1, false, true),
                AnnotatedObject.of(new BoundingBox(40, 40, 40, 55), 1));
        return dataset(List.of(new AnnotatedImage("a", file, 100, 60, objects)));
    }

    static DetectionDataset dataset(List<AnnotatedImage> images) {
        return new DetectionDataset() {
            @Override
            public List<String> classNames() {
                return List.of("__background__", "ring", "square");
            }

            @Override
            public List<AnnotatedImage> images() {
                return images;
            }
        };
    }

    @Test
    void eachEpochVisitsEveryImageOnceInAnOrderFixedBySeedAndEpoch() {
        List<AnnotatedImage> images = new java.util.ArrayList<>();
        for (int i = 0; i < 10; i++) {
            images.add(new AnnotatedImage("i" + i, Path.of("i" + i + ".jpg"), 8, 8, List.of()));
        }
        DetectionTrainingSet set = new DetectionTrainingSet(dataset(images), 1 << 20);
        assertThat(set.batchesPerEpoch(3)).isEqualTo(3); // the tenth image waits for the next epoch's shuffle
        Set<Integer> epoch = new HashSet<>();
        for (int step = 0; step < 3; step++) {
            Arrays.stream(set.batch(7, step, 3)).forEach(epoch::add);
        }
        assertThat(epoch).hasSize(9);
        assertThat(set.batch(7, 4, 3)).containsExactly(set.batch(7, 4, 3));
        assertThat(set.batch(7, 0, 3)).isNotEqualTo(set.batch(7, 3, 3)); // epoch 1 is another shuffle
        assertThat(set.batch(7, 0, 3)).isNotEqualTo(set.batch(8, 0, 3));
    }

    @Test
    void boxesFollowTheResizeAndTheMirror(@TempDir Path tmp) throws Exception {
        DetectionTrainingSet set = new DetectionTrainingSet(oneImage(tmp), 1 << 20);
        DetectionTransform t = new DetectionTransform(120, 400, new float[] {0, 0, 0}, new float[] {1, 1, 1}, 16);
        try (NDManager m = NDManager.newBaseManager()) {
            TrainingImage plain = set.load(0, false, t, m);
            // Difficult, crowd and zero-width objects are not targets; the scale is 2.
            assertThat(plain.labels()).containsExactly(2);
            assertThat(plain.boxes()).containsExactly(new float[] {20, 40, 60, 100}, within(1e-4f));
            assertThat(plain.input().height()).isEqualTo(120);
            assertThat(plain.input().width()).isEqualTo(200);
            TrainingImage flipped = set.load(0, true, t, m);
            assertThat(flipped.boxes()).containsExactly(new float[] {140, 40, 180, 100}, within(1e-4f));
            // The white block is where the mirrored box says: inside at (160, 70), outside at (40, 70).
            float[] px = flipped.input().batch().toFloatArray();
            int w = (int) flipped.input().batch().getShape().get(3);
            assertThat(px[70 * w + 160]).isGreaterThan(0.9f);
            assertThat(px[70 * w + 40]).isLessThan(0.1f);
        }
    }

    @Test
    void mirroringReversesEachRow() {
        RgbImage img = new RgbImage(3, 1, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
        assertThat(DetectionTrainingSet.mirrored(img).rgb()).containsExactly(7, 8, 9, 4, 5, 6, 1, 2, 3);
    }
}
