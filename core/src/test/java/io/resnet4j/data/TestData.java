package io.resnet4j.data;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** Builders of small CIFAR binary files with known content. */
final class TestData {
    private TestData() {
    }

    /**
     * Records whose every byte is predictable: record {@code r} (global index {@code first + r}) has label
     * {@code (first + r) % 10} and pixel {@code k} equal to {@code (first + r) * 7 + k) & 0xFF}.
     */
    static byte[] records(int first, int count) {
        byte[] b = new byte[count * Cifar10.RECORD_SIZE];
        for (int r = 0; r < count; r++) {
            int g = first + r;
            int off = r * Cifar10.RECORD_SIZE;
            b[off] = (byte) (g % 10);
            for (int k = 0; k < CifarData.IMAGE_SIZE; k++) {
                b[off + 1 + k] = (byte) (g * 7 + k);
            }
        }
        return b;
    }

    /** The pixel {@link #records} put at CHW position {@code k} of global record {@code g}. */
    static int pixel(int g, int k) {
        return (g * 7 + k) & 0xFF;
    }

    /** Writes the files into a tar.gz with members under {@code folder/}. */
    static void writeTarGz(Path archive, String folder, Map<String, byte[]> files) throws IOException {
        try (OutputStream os = Files.newOutputStream(archive);
                GZIPOutputStream gz = new GZIPOutputStream(os);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(gz)) {
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                TarArchiveEntry e = new TarArchiveEntry(folder + "/" + f.getKey());
                e.setSize(f.getValue().length);
                tar.putArchiveEntry(e);
                tar.write(f.getValue());
                tar.closeArchiveEntry();
            }
        }
    }

    /** A data set of images whose pixels are all distinct per image, with labels {@code i % 10}. */
    static CifarData dataset(int n) {
        byte[] px = new byte[n * CifarData.IMAGE_SIZE];
        byte[] lab = new byte[n];
        for (int i = 0; i < n; i++) {
            lab[i] = (byte) (i % 10);
            for (int k = 0; k < CifarData.IMAGE_SIZE; k++) {
                px[i * CifarData.IMAGE_SIZE + k] = (byte) (i * 13 + k * 3);
            }
        }
        return new CifarData(px, lab, Cifar10.DEFAULT_CLASS_NAMES, "test", Split.TRAIN);
    }
}
