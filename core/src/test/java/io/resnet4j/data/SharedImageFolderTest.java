package io.resnet4j.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.resnet4j.image.Preprocessing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The real JPEG sample (../shared, skipped when absent): layout, and the pipeline's images/s with 2 threads. */
class SharedImageFolderTest {

    static final Path SAMPLE = io.resnet4j.SharedData.path("datasets", "cifar10-jpeg-sample");

    @Test
    void trainingPipelineThroughputAt224() throws Exception {
        assumeTrue(Files.isDirectory(SAMPLE.resolve("train")), "no " + SAMPLE);
        ImageFolder train = ImageFolder.open(SAMPLE.resolve("train"));
        assertThat(train.size()).isEqualTo(1000);
        assertThat(train.numClasses()).isEqualTo(10);
        assertThat(ImageFolder.open(SAMPLE.resolve("val")).size()).isEqualTo(300);
        long start = System.nanoTime();
        int images = 0;
        try (ImageFolderLoader l = ImageFolderLoader.builder(train, Preprocessing.imagenet(), 224).batchSize(50)
                .workers(2).seed(1).build()) {
            while (l.hasNext()) {
                images += l.next().size();
            }
            assertThat(l.skipped()).isEmpty();
        }
        double s = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "image-folder pipeline: %d images at 224 (scale 256-480, crop, flip, lighting,"
                + " normalise), 2 threads: %.1f images/s%n", images, images / s);
        assertThat(images).isEqualTo(1000);
    }
}
