package io.resnet4j.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Cifar10Test {
    @TempDir
    Path tmp;

    @Test
    void recordParsingPutsEachPixelAtItsChwPlace() throws IOException {
        byte[] rec = new byte[2 * Cifar10.RECORD_SIZE];
        rec[0] = 3;
        // Record 0: red (c=0) at row 0 col 1, green (c=1) at row 2 col 5, blue (c=2) at row 31 col 31.
        rec[1 + 1] = (byte) 200;
        rec[1 + 1024 + 2 * 32 + 5] = (byte) 100;
        rec[1 + 2048 + 31 * 32 + 31] = (byte) 255;
        rec[Cifar10.RECORD_SIZE] = 9;
        rec[Cifar10.RECORD_SIZE + 1] = 77; // record 1, red (0,0)
        Files.write(tmp.resolve("data_batch_1.bin"), rec);

        CifarData d = Cifar10.load(tmp, Split.TRAIN);

        assertThat(d.size()).isEqualTo(2);
        assertThat(d.label(0)).isEqualTo(3);
        assertThat(d.label(1)).isEqualTo(9);
        assertThat(d.pixel(0, 0, 0, 1)).isEqualTo(200);
        assertThat(d.pixel(0, 1, 2, 5)).isEqualTo(100);
        assertThat(d.pixel(0, 2, 31, 31)).isEqualTo(255);
        assertThat(d.pixel(0, 0, 0, 0)).isZero();
        assertThat(d.pixel(1, 0, 0, 0)).isEqualTo(77);
        assertThat(d.pixels()[3072]).isEqualTo((byte) 77); // image 1 starts at 3072 in the CHW array
        int nonZero = 0;
        for (int k = 0; k < 3072; k++) {
            nonZero += d.pixels()[k] != 0 ? 1 : 0;
        }
        assertThat(nonZero).isEqualTo(3);
        assertThat(d.classNames()).isEqualTo(Cifar10.DEFAULT_CLASS_NAMES);
        assertThat(d.split()).isEqualTo(Split.TRAIN);
        assertThat(d.source()).isEqualTo(tmp.toString());
    }

    @Test
    void trainingFilesAreConcatenatedInNumericOrder() throws IOException {
        Files.write(tmp.resolve("data_batch_2.bin"), TestData.records(3, 4));
        Files.write(tmp.resolve("data_batch_1.bin"), TestData.records(0, 3));
        CifarData d = Cifar10.load(tmp, Split.TRAIN);
        assertThat(d.size()).isEqualTo(7);
        for (int g = 0; g < 7; g++) {
            assertThat(d.label(g)).isEqualTo(g % 10);
            assertThat(d.pixels()[g * 3072 + 1000] & 0xFF).isEqualTo(TestData.pixel(g, 1000));
        }
    }

    @Test
    void truncatedFileErrorNamesFileSizeAndFix() throws IOException {
        Files.write(tmp.resolve("data_batch_1.bin"), TestData.records(0, 2));
        Path bad = tmp.resolve("data_batch_3.bin");
        Files.write(bad, Arrays.copyOf(TestData.records(0, 2), 2 * 3073 - 1));
        assertThatThrownBy(() -> Cifar10.load(tmp, Split.TRAIN))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining(bad.toString())
                .hasMessageContaining("is truncated: 6,145 bytes is not a multiple of the 3,073-byte CIFAR-10 record")
                .hasMessageContaining("re-download")
                .hasMessageNotContaining("\n");
    }

    @Test
    void emptyFileIsReported() throws IOException {
        Path empty = tmp.resolve("data_batch_1.bin");
        Files.write(empty, new byte[0]);
        assertThatThrownBy(() -> Cifar10.load(tmp, Split.TRAIN))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining(empty + " is empty");
    }

    @Test
    void badLabelErrorNamesFileRecordAndLabel() throws IOException {
        byte[] b = TestData.records(0, 5);
        b[3 * Cifar10.RECORD_SIZE] = 12;
        Path f = tmp.resolve("data_batch_2.bin");
        Files.write(f, b);
        assertThatThrownBy(() -> Cifar10.load(tmp, Split.TRAIN))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining("label 12 in record 3")
                .hasMessageContaining("0..9");
    }

    @Test
    void missingFilesAreExplained() throws IOException {
        assertThatThrownBy(() -> Cifar10.load(tmp, Split.TRAIN45K))
                .isInstanceOf(DatasetException.class)
                .hasMessageStartingWith("not a CIFAR-10 folder: " + tmp + " has none of data_batch_1..5.bin");
        Files.write(tmp.resolve("data_batch_1.bin"), TestData.records(0, 20));
        assertThatThrownBy(() -> Cifar10.load(tmp, Split.TEST))
                .isInstanceOf(DatasetException.class)
                .hasMessage("no test_batch.bin in " + tmp
                        + ": the test split needs it (the copy given withholds it; use --split val5k)");
        assertThatThrownBy(() -> Cifar10.load(tmp.resolve("nope"), Split.TRAIN))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("does not exist");
    }

    @Test
    void onlyTheFilesASplitNeedsAreRequired() throws IOException {
        Files.write(tmp.resolve("test_batch.bin"), TestData.records(0, 4));
        Files.write(tmp.resolve("data_batch_1.bin"), new byte[5]); // broken, but the test split ignores it
        CifarData test = Cifar10.load(tmp, Split.TEST);
        assertThat(test.size()).isEqualTo(4);
        assertThat(test.split()).isEqualTo(Split.TEST);
    }

    @Test
    void classNamesComeFromMetaFileIgnoringBlankLines() throws IOException {
        Files.write(tmp.resolve("data_batch_1.bin"), TestData.records(0, 10));
        Files.writeString(tmp.resolve("batches.meta.txt"), "a\nb\n\nc\r\nd\ne\nf\ng\nh\ni\nj\n\n\n",
                StandardCharsets.UTF_8);
        assertThat(Cifar10.load(tmp, Split.TRAIN).classNames()).containsExactly("a", "b", "c", "d", "e", "f", "g",
                "h", "i", "j");
        Files.writeString(tmp.resolve("batches.meta.txt"), "a\nb\n");
        assertThatThrownBy(() -> Cifar10.load(tmp, Split.TRAIN))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("batches.meta.txt lists 2 class names");
    }

    @Test
    void parentOfExtractedFolderIsAccepted() throws IOException {
        Path inner = Files.createDirectories(tmp.resolve(Cifar10.ARCHIVE_FOLDER));
        Files.write(inner.resolve("data_batch_1.bin"), TestData.records(0, 3));
        assertThat(Cifar10.load(tmp, Split.TRAIN).size()).isEqualTo(3);
    }

    @Test
    void tarGzReadsExactlyWhatTheFolderReads() throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("batches.meta.txt", String.join("\n", Cifar10.DEFAULT_CLASS_NAMES).getBytes(StandardCharsets.UTF_8));
        files.put("readme.html", "<html/>".getBytes(StandardCharsets.UTF_8)); // ignored
        files.put("data_batch_2.bin", TestData.records(30, 25));
        files.put("data_batch_1.bin", TestData.records(0, 30));
        files.put("test_batch.bin", TestData.records(100, 12));
        Path dir = Files.createDirectories(tmp.resolve("dir"));
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            Files.write(dir.resolve(f.getKey()), f.getValue());
        }
        Path archive = tmp.resolve("cifar-10-binary.tar.gz");
        TestData.writeTarGz(archive, Cifar10.ARCHIVE_FOLDER, files);

        Map<Split, CifarData> fromDir = Cifar10.load(dir, EnumSet.allOf(Split.class));
        Map<Split, CifarData> fromTar = Cifar10.load(archive, EnumSet.allOf(Split.class));
        for (Split s : Split.values()) {
            assertThat(fromTar.get(s).pixels()).as(s.cliName()).isEqualTo(fromDir.get(s).pixels());
            assertThat(fromTar.get(s).labels()).as(s.cliName()).isEqualTo(fromDir.get(s).labels());
            assertThat(fromTar.get(s).classNames()).isEqualTo(fromDir.get(s).classNames());
            assertThat(fromTar.get(s).source()).isEqualTo(archive.toString());
        }
        assertThat(fromTar.get(Split.TRAIN).size()).isEqualTo(55);
        assertThat(fromTar.get(Split.TEST).size()).isEqualTo(12);
    }

    @Test
    void tarGzErrorsNameTheMember() throws IOException {
        Path archive = tmp.resolve("x.tar.gz");
        TestData.writeTarGz(archive, Cifar10.ARCHIVE_FOLDER, Map.of("data_batch_1.bin", new byte[3073 * 2 + 5]));
        assertThatThrownBy(() -> Cifar10.load(archive, Split.TRAIN))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining(archive + "!cifar-10-batches-bin/data_batch_1.bin is truncated");
        TestData.writeTarGz(archive, Cifar10.ARCHIVE_FOLDER, Map.of("data_batch_1.bin", TestData.records(0, 3)));
        assertThatThrownBy(() -> Cifar10.load(archive, Split.TEST))
                .isInstanceOf(DatasetException.class)
                .hasMessageStartingWith("no test_batch.bin in " + archive);
        assertThatThrownBy(() -> Cifar10.loadTarGz(new ByteArrayInputStream(new byte[100]), "junk.tar.gz",
                Split.TRAIN))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("junk.tar.gz is not a gzip file");
    }

    @Test
    void truncatedArchiveIsReportedWithItsName() throws IOException {
        Path archive = tmp.resolve("cifar-10-binary.tar.gz");
        TestData.writeTarGz(archive, Cifar10.ARCHIVE_FOLDER, Map.of("data_batch_1.bin", TestData.records(0, 50)));
        byte[] all = Files.readAllBytes(archive);
        Files.write(archive, Arrays.copyOf(all, all.length / 2));
        assertThatThrownBy(() -> Cifar10.load(archive, Split.TRAIN))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining(archive.toString())
                .hasMessageContaining("re-download cifar-10-binary.tar.gz");
    }

    @Test
    void splitSizesAndVal5kIsTheLast5000Records() throws IOException {
        // 12,000 records across three files, so the validation tail spans a file boundary.
        Files.write(tmp.resolve("data_batch_1.bin"), TestData.records(0, 4000));
        Files.write(tmp.resolve("data_batch_2.bin"), TestData.records(4000, 4000));
        Files.write(tmp.resolve("data_batch_4.bin"), TestData.records(8000, 4000));
        Map<Split, CifarData> d = Cifar10.load(tmp, EnumSet.of(Split.TRAIN, Split.TRAIN45K, Split.VAL5K));
        assertThat(d.get(Split.TRAIN).size()).isEqualTo(12_000);
        assertThat(d.get(Split.TRAIN45K).size()).isEqualTo(7_000);
        assertThat(d.get(Split.VAL5K).size()).isEqualTo(5_000);
        CifarData val = d.get(Split.VAL5K);
        for (int i : new int[] {0, 999, 1000, 4999}) {
            int g = 7000 + i;
            assertThat(val.label(i)).isEqualTo(g % 10);
            assertThat(val.pixels()[i * 3072 + 17] & 0xFF).isEqualTo(TestData.pixel(g, 17));
        }
        CifarData tr = d.get(Split.TRAIN45K);
        assertThat(tr.pixels()[6999 * 3072 + 5] & 0xFF).isEqualTo(TestData.pixel(6999, 5));
        assertThat(Arrays.copyOfRange(d.get(Split.TRAIN).pixels(), 7000 * 3072, 12_000 * 3072))
                .isEqualTo(val.pixels());
    }

    @Test
    void smallSamplesHoldOutTheLastTenPercent() throws IOException {
        Files.write(tmp.resolve("data_batch_1.bin"), TestData.records(0, 95));
        Map<Split, CifarData> d = Cifar10.load(tmp, EnumSet.of(Split.TRAIN45K, Split.VAL5K));
        assertThat(d.get(Split.TRAIN45K).size()).isEqualTo(86);
        assertThat(d.get(Split.VAL5K).size()).isEqualTo(9);
        assertThat(d.get(Split.VAL5K).label(0)).isEqualTo(86 % 10);
        Files.write(tmp.resolve("data_batch_1.bin"), TestData.records(0, 9));
        assertThatThrownBy(() -> Cifar10.load(tmp, Split.VAL5K))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("only 9 training records");
    }

    @Test
    void splitNamesParseAndUnknownNamesListTheValidOnes() {
        for (Split s : Split.values()) {
            assertThat(Split.parse(s.cliName())).isEqualTo(s);
        }
        assertThat(Split.parse(" VAL5K ")).isEqualTo(Split.VAL5K);
        assertThatThrownBy(() -> Split.parse("validation"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown split 'validation': valid values are train, train45k, val5k, test");
        assertThat(Split.validationSize(50_000)).isEqualTo(5_000);
        assertThat(Split.validationSize(10_000)).isEqualTo(5_000);
        assertThat(Split.validationSize(5_000)).isEqualTo(500);
        assertThat(List.of(Split.values())).hasSize(4);
    }
}
