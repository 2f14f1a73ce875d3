package io.resnet4j.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * The embedded demo data set: {@code /sample/cifar-sample.tar.gz} on the classpath, made by
 * {@link SampleGenerator}.
 *
 * <p>Why: a user's machine has no CIFAR data and real CIFAR images cannot ship with the
 * project, but the demo ("train a ResNet in a few minutes") and end-to-end tests need data that goes
 * through the real reader. The archive has the official layout ({@code cifar-sample/data_batch_1.bin}
 * with 5,000 records, {@code cifar-sample/test_batch.bin} with 1,000, {@code cifar-sample/batches.meta.txt}
 * with the ten shape-class names), so every split works: {@code train45k}/{@code val5k} are 4,500/500
 * (the last 10% held out, see {@link Split}).
 */
public final class CifarSample {
    /** Classpath location of the archive. */
    public static final String RESOURCE = "/sample/cifar-sample.tar.gz";

    private CifarSample() {
    }

    /**
     * @return the archive bytes from the classpath; close it
     * @throws IOException if the resource is missing from the build
     */
    public static InputStream open() throws IOException {
        InputStream in = CifarSample.class.getResourceAsStream(RESOURCE);
        if (in == null) {
            throw new DatasetException("classpath resource " + RESOURCE + " is missing: rebuild resnet4j"
                    + " (mvn package) or regenerate it with io.resnet4j.data.SampleGenerator");
        }
        return new BufferedInputStream(in, 1 << 16);
    }

    /**
     * Loads one split straight from the classpath archive.
     *
     * @param split the split
     * @return the split in memory; its source is {@code classpath:/sample/cifar-sample.tar.gz}
     * @throws IOException if the resource is missing or unreadable
     */
    public static CifarData load(Split split) throws IOException {
        return load(EnumSet.of(split)).get(split);
    }

    /**
     * Loads several splits in one pass over the classpath archive.
     *
     * @param splits the splits
     * @return the requested splits
     * @throws IOException if the resource is missing or unreadable
     */
    public static Map<Split, CifarData> load(Set<Split> splits) throws IOException {
        try (InputStream in = open()) {
            return Cifar10.loadTarGz(in, "classpath:" + RESOURCE, splits);
        }
    }

    /**
     * Extracts the archive into a folder, e.g. so a user can point the CLI's data option at it.
     *
     * @param dir the folder to extract into; created if needed
     * @return {@code dir/cifar-sample}, the folder holding the {@code .bin} files and {@code batches.meta.txt}
     * @throws IOException if writing fails
     */
    public static Path extractTo(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path target = dir.resolve(SampleGenerator.FOLDER).normalize();
        Files.createDirectories(target);
        try (InputStream in = open();
                TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(in, 1 << 16))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                if (!e.isFile()) {
                    continue;
                }
                // Only plain file names directly inside the sample folder: no path tricks from an archive.
                String name = e.getName();
                String base = name.substring(name.lastIndexOf('/') + 1);
                if (base.isEmpty() || base.startsWith(".") || !name.equals(SampleGenerator.FOLDER + "/" + base)) {
                    continue;
                }
                try (OutputStream out = Files.newOutputStream(target.resolve(base))) {
                    tar.transferTo(out);
                }
            }
        }
        return target;
    }
}
