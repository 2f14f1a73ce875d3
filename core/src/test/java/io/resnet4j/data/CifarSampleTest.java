package io.resnet4j.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CifarSampleTest {
    @TempDir
    Path tmp;

    @Test
    void embeddedSampleHasTheDocumentedSplitsAndNames() throws IOException {
        Map<Split, CifarData> d = CifarSample.load(EnumSet.allOf(Split.class));
        assertThat(d.get(Split.TRAIN).size()).isEqualTo(5_000);
        assertThat(d.get(Split.TRAIN45K).size()).isEqualTo(4_500);
        assertThat(d.get(Split.VAL5K).size()).isEqualTo(500);
        assertThat(d.get(Split.TEST).size()).isEqualTo(1_000);
        assertThat(d.get(Split.TEST).classNames()).containsExactlyElementsOf(SampleGenerator.CLASS_NAMES);
        assertThat(d.get(Split.TRAIN).source()).isEqualTo("classpath:/sample/cifar-sample.tar.gz");
        for (Split s : EnumSet.of(Split.VAL5K, Split.TEST)) { // balanced classes
            int[] counts = new int[10];
            for (byte l : d.get(s).labels()) {
                counts[l]++;
            }
            assertThat(counts).containsOnly(d.get(s).size() / 10);
        }
    }

    @Test
    void extractedFolderReadsLikeTheClasspathArchive() throws IOException {
        Path folder = CifarSample.extractTo(tmp);
        assertThat(folder).isEqualTo(tmp.resolve("cifar-sample"));
        assertThat(Files.size(folder.resolve("data_batch_1.bin"))).isEqualTo(5_000L * 3073);
        CifarData fromFolder = Cifar10.load(folder, Split.TEST);
        CifarData fromJar = CifarSample.load(Split.TEST);
        assertThat(fromFolder.pixels()).isEqualTo(fromJar.pixels());
        assertThat(fromFolder.labels()).isEqualTo(fromJar.labels());
        assertThat(fromFolder.classNames()).isEqualTo(fromJar.classNames());
    }

    @Test
    void committedArchiveIsWhatTheGeneratorProduces() throws IOException {
        // Regenerating must give the committed bytes: the archive is reproducible from the source.
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SampleGenerator.writeArchive(out, SampleGenerator.SEED);
        byte[] committed;
        try (var in = CifarSample.open()) {
            committed = in.readAllBytes();
        }
        assertThat(out.toByteArray()).isEqualTo(committed);
        assertThat(committed.length).isLessThan(4 * 1024 * 1024);
    }

    @Test
    void generatedImagesAreVariedAndNotTrivial() {
        // Same class, different draws: images differ; the whole image is not one flat colour.
        byte[] a = new byte[3072];
        byte[] b = new byte[3072];
        SampleGenerator.render(new SplittableRandom(1), 3, a, 0);
        SampleGenerator.render(new SplittableRandom(2), 3, b, 0);
        assertThat(a).isNotEqualTo(b);
        long distinct = new String(a, java.nio.charset.StandardCharsets.ISO_8859_1).chars().distinct().count();
        assertThat(distinct).isGreaterThan(10);
        assertThat(SampleGenerator.records(20, 5, 0)).isEqualTo(SampleGenerator.records(20, 5, 0));
        assertThat(SampleGenerator.records(20, 5, 0)).isNotEqualTo(SampleGenerator.records(20, 5, 1));
    }
}
