package io.resnet4j.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Reader for the official CIFAR-10 <em>binary</em> distribution.
 *
 * <p>Why this format and both sources: the binary layout (one label byte, then 1,024 red, 1,024
 * green and 1,024 blue bytes of a row-major 32x32 image) is already CHW, so loading is a validated
 * byte copy with no image decoding. Users usually have {@code cifar-10-binary.tar.gz} as
 * downloaded; reading it directly (members under {@code cifar-10-batches-bin/}, or under any one
 * top-level folder, as in {@code cifar-sample/}) saves an extraction step, and a folder works too.
 *
 * <p>Only the files a requested split needs are read: {@code data_batch_1..5.bin} (those present,
 * in numeric order) for the training splits, {@code test_batch.bin} for {@link Split#TEST}, and
 * {@code batches.meta.txt} for the class names when present (blank lines ignored; the standard ten
 * names otherwise). Each file must be a positive multiple of 3,073 bytes (the official files hold
 * exactly 10,000 records; smaller multiples are accepted so that samples work) with labels 0..9.
 * Every problem is a {@link DatasetException} whose message names the file, the fault and the fix.
 */
public final class Cifar10 {
    /** Bytes of one record: 1 label byte and {@value CifarData#IMAGE_SIZE} pixel bytes. */
    public static final int RECORD_SIZE = 1 + CifarData.IMAGE_SIZE;
    /** Number of CIFAR-10 classes; labels are {@code 0..NUM_CLASSES-1}. */
    public static final int NUM_CLASSES = 10;
    /** Name of the folder inside the official archive. */
    public static final String ARCHIVE_FOLDER = "cifar-10-batches-bin";
    /** The class names of CIFAR-10 in label order, used when {@code batches.meta.txt} is absent. */
    public static final List<String> DEFAULT_CLASS_NAMES = List.of("airplane", "automobile", "bird", "cat",
            "deer", "dog", "frog", "horse", "ship", "truck");
    /** The class-name file. */
    public static final String META_FILE = "batches.meta.txt";
    /** The test-split file. */
    public static final String TEST_FILE = "test_batch.bin";
    /** Number of {@code data_batch_N.bin} files in the official archive. */
    public static final int TRAIN_FILES = 5;

    /** Records in each official file; sizes are checked against it before anything is read. */
    public static final int MAX_RECORDS = 10_000;
    /** Largest class-name file read: ten names a line each. */
    static final int MAX_META_BYTES = 64 << 10;

    private static final String REDOWNLOAD = "re-download cifar-10-binary.tar.gz";

    private Cifar10() {
    }

    /** @return {@code data_batch_N.bin} for {@code n} in 1..5 */
    public static String trainFileName(int n) {
        return "data_batch_" + n + ".bin";
    }

    /**
     * @param path a path
     * @return true if its name says it is a gzipped tar archive ({@code .tar.gz} or {@code .tgz})
     */
    public static boolean isArchive(Path path) {
        String name = path.getFileName() == null ? "" : path.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".tar.gz") || name.endsWith(".tgz");
    }

    /**
     * Loads one split.
     *
     * @param source a folder holding the CIFAR-10 binary files (or holding a
     *     {@code cifar-10-batches-bin} folder that does), or a {@code .tar.gz}/{@code .tgz} archive
     * @param split the split to load
     * @return the split in memory
     * @throws DatasetException if a file the split needs is missing or malformed
     * @throws IOException if reading fails
     */
    public static CifarData load(Path source, Split split) throws IOException {
        return load(source, EnumSet.of(split)).get(split);
    }

    /**
     * Loads several splits, reading every file once (a trainer wants {@code train45k} and {@code val5k}
     * together, and decompressing the 160 MB archive twice would waste seconds).
     *
     * @param source a folder or a {@code .tar.gz} archive, as for {@link #load(Path, Split)}
     * @param splits the splits to load
     * @return the requested splits
     * @throws DatasetException if a file a split needs is missing or malformed
     * @throws IOException if reading fails
     */
    public static Map<Split, CifarData> load(Path source, Set<Split> splits) throws IOException {
        if (Files.isDirectory(source)) {
            return loadFolder(source, splits);
        }
        if (!Files.exists(source)) {
            throw new DataChoiceException(source + " does not exist: pass the folder holding data_batch_1..5.bin"
                    + " or the cifar-10-binary.tar.gz archive itself");
        }
        if (!isArchive(source)) {
            throw new DataChoiceException(source + " is neither a folder nor a .tar.gz archive: pass the folder"
                    + " holding data_batch_1..5.bin or the cifar-10-binary.tar.gz archive itself");
        }
        if (!Files.isRegularFile(source)) {
            // A FIFO named like an archive would block the read instead of failing it.
            throw new DataChoiceException(source + " is not a regular file (a FIFO, socket or device): pass the"
                    + " folder holding data_batch_1..5.bin or the cifar-10-binary.tar.gz archive itself");
        }
        try (InputStream in = Files.newInputStream(source)) {
            return loadTarGz(in, source.toString(), splits);
        }
    }

    /**
     * Loads one split from a gzipped tar stream, e.g. a classpath resource.
     *
     * @param tarGz the archive bytes; read to the end (or to the last needed member), not closed
     * @param sourceName how to name the archive in messages and in {@link CifarData#source()}
     * @param split the split to load
     * @return the split in memory
     * @throws DatasetException if a member the split needs is missing or malformed
     * @throws IOException if reading fails
     */
    public static CifarData loadTarGz(InputStream tarGz, String sourceName, Split split) throws IOException {
        return loadTarGz(tarGz, sourceName, EnumSet.of(split)).get(split);
    }

    /**
     * Loads several splits from a gzipped tar stream in one pass.
     *
     * @param tarGz the archive bytes; not closed
     * @param sourceName how to name the archive in messages and in {@link CifarData#source()}
     * @param splits the splits to load
     * @return the requested splits
     * @throws DatasetException if a member a split needs is missing or malformed
     * @throws IOException if reading fails
     */
    public static Map<Split, CifarData> loadTarGz(InputStream tarGz, String sourceName, Set<Split> splits)
            throws IOException {
        Set<String> wanted = wantedFiles(splits);
        Map<String, RawFile> found = new HashMap<>();
        GZIPInputStream gz;
        try {
            gz = new GZIPInputStream(new BufferedInputStream(tarGz, 1 << 16), 1 << 16);
        } catch (ZipException e) {
            throw new DatasetException(sourceName + " is not a gzip file (" + e.getMessage()
                    + "): pass cifar-10-binary.tar.gz as downloaded, or the folder extracted from it", e);
        } catch (EOFException e) {
            throw new DatasetException(sourceName + " is empty or truncated: " + REDOWNLOAD, e);
        }
        try {
            TarArchiveInputStream tar = new TarArchiveInputStream(gz);
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                if (!entry.isFile()) {
                    continue;
                }
                String name = entry.getName();
                if (name.startsWith("./")) {
                    name = name.substring(2);
                }
                // Members sit at the top level or inside exactly one folder (cifar-10-batches-bin/).
                int slash = name.lastIndexOf('/');
                if (slash >= 0 && name.lastIndexOf('/', slash - 1) >= 0) {
                    continue;
                }
                String base = name.substring(slash + 1);
                if (!wanted.contains(base) || found.containsKey(base)) {
                    continue;
                }
                String display = sourceName + "!" + name;
                long size = entry.getSize();
                if (base.equals(META_FILE)) {
                    checkMetaFileSize(display, size);
                } else {
                    checkRecordFileSize(display, size);
                }
                // readNBytes grows its buffer with the bytes that actually arrive: a header that lies
                // about the size costs no more memory than the archive really inflates to.
                byte[] bytes = tar.readNBytes((int) size);
                if (bytes.length != size) {
                    throw new DatasetException(display + " is truncated: the archive ends after " + fmt(bytes.length)
                            + " of its " + fmt(size) + " bytes; " + REDOWNLOAD);
                }
                found.put(base, new RawFile(display, bytes));
                if (found.size() == wanted.size()) {
                    break; // everything needed is read; skip decompressing the rest
                }
            }
        } catch (EOFException | ZipException e) {
            throw new DatasetException(sourceName + " is truncated or corrupt (" + e.getMessage() + "): "
                    + REDOWNLOAD, e);
        } catch (DatasetException e) {
            throw e;
        } catch (IOException e) {
            throw new DatasetException(sourceName + " is not a readable tar.gz archive (" + e.getMessage() + "): "
                    + REDOWNLOAD, e);
        }
        List<RawFile> train = new ArrayList<>();
        for (int n = 1; n <= TRAIN_FILES; n++) {
            RawFile f = found.get(trainFileName(n));
            if (f != null) {
                train.add(f);
            }
        }
        RawFile meta = found.get(META_FILE);
        List<String> names = meta == null ? DEFAULT_CLASS_NAMES : parseClassNames(meta.name, meta.bytes);
        return assemble(sourceName, "archive", splits, train, found.get(TEST_FILE), names);
    }

    private static Map<Split, CifarData> loadFolder(Path dir, Set<Split> splits) throws IOException {
        Path folder = dir;
        // Accept the folder the archive was extracted into as well as cifar-10-batches-bin itself.
        if (!hasAnyCifarFile(folder) && Files.isDirectory(folder.resolve(ARCHIVE_FOLDER))) {
            folder = folder.resolve(ARCHIVE_FOLDER);
        }
        List<RawFile> train = new ArrayList<>();
        RawFile test = null;
        if (splits.stream().anyMatch(Split::isTraining)) {
            for (int n = 1; n <= TRAIN_FILES; n++) {
                Path p = folder.resolve(trainFileName(n));
                if (Files.isRegularFile(p)) {
                    train.add(readRecordFile(p));
                }
            }
        }
        if (splits.contains(Split.TEST)) {
            Path p = folder.resolve(TEST_FILE);
            if (Files.isRegularFile(p)) {
                test = readRecordFile(p);
            }
        }
        Path metaPath = folder.resolve(META_FILE);
        List<String> names = DEFAULT_CLASS_NAMES;
        if (Files.isRegularFile(metaPath)) {
            checkMetaFileSize(metaPath.toString(), Files.size(metaPath));
            names = parseClassNames(metaPath.toString(), Files.readAllBytes(metaPath));
        }
        return assemble(folder.toString(), "folder", splits, train, test, names);
    }

    private static boolean hasAnyCifarFile(Path folder) {
        if (Files.exists(folder.resolve(TEST_FILE))) {
            return true;
        }
        for (int n = 1; n <= TRAIN_FILES; n++) {
            if (Files.exists(folder.resolve(trainFileName(n)))) {
                return true;
            }
        }
        return false;
    }

    private static RawFile readRecordFile(Path p) throws IOException {
        // Check the size before reading so a bad file fails fast and without a large allocation.
        checkRecordFileSize(p.toString(), Files.size(p));
        return new RawFile(p.toString(), Files.readAllBytes(p));
    }

    private static Set<String> wantedFiles(Set<Split> splits) {
        Set<String> wanted = new java.util.HashSet<>();
        wanted.add(META_FILE);
        if (splits.stream().anyMatch(Split::isTraining)) {
            for (int n = 1; n <= TRAIN_FILES; n++) {
                wanted.add(trainFileName(n));
            }
        }
        if (splits.contains(Split.TEST)) {
            wanted.add(TEST_FILE);
        }
        return wanted;
    }

    /**
     * Checks that a record file's size is a positive multiple of {@link #RECORD_SIZE}.
     *
     * @param name the file, as named in messages
     * @param size its size in bytes
     * @return the number of records
     * @throws DatasetException naming the file when the size is wrong
     */
    static int checkRecordFileSize(String name, long size) throws DatasetException {
        if (size > (long) MAX_RECORDS * RECORD_SIZE) {
            throw new DatasetException(name + " is " + fmt(size) + " bytes, more than the " + fmt(MAX_RECORDS)
                    + " records a CIFAR-10 file holds; " + REDOWNLOAD);
        }
        if (size == 0) {
            throw new DatasetException(name + " is empty: a CIFAR-10 record file holds 3,073-byte records; "
                    + REDOWNLOAD);
        }
        if (size % RECORD_SIZE != 0) {
            throw new DatasetException(name + " is truncated: " + fmt(size) + " bytes is not a multiple of the "
                    + fmt(RECORD_SIZE) + "-byte CIFAR-10 record; " + REDOWNLOAD);
        }
        return (int) (size / RECORD_SIZE);
    }

    private static void checkMetaFileSize(String name, long size) throws DatasetException {
        if (size < 0 || size > MAX_META_BYTES) {
            throw new DatasetException(name + " is " + fmt(size) + " bytes; a list of ten class names is well under "
                    + fmt(MAX_META_BYTES) + ": delete it to use the standard names, or " + REDOWNLOAD);
        }
    }

    /**
     * Checks every label byte of a record file.
     *
     * @throws DatasetException naming the file, the record and the label when one is not 0..9
     */
    static void checkLabels(RawFile f) throws DatasetException {
        byte[] b = f.bytes;
        for (int off = 0, r = 0; off < b.length; off += RECORD_SIZE, r++) {
            int label = b[off] & 0xFF;
            if (label >= NUM_CLASSES) {
                throw new DatasetException(f.name + " has label " + label + " in record " + fmt(r) + " (byte offset "
                        + fmt(off) + "): CIFAR-10 labels are 0..9, so this is not a CIFAR-10 binary (CIFAR-100"
                        + " records have two label bytes) or it is corrupt; " + REDOWNLOAD);
            }
        }
    }

    /**
     * Parses {@code batches.meta.txt}: one class name a line, blank lines ignored.
     *
     * @throws DatasetException when the file does not list exactly ten names
     */
    static List<String> parseClassNames(String name, byte[] bytes) throws DatasetException {
        List<String> names = new ArrayList<>();
        for (String line : new String(bytes, StandardCharsets.UTF_8).split("\\R")) {
            String t = line.strip();
            if (!t.isEmpty()) {
                names.add(t);
            }
        }
        if (names.size() != NUM_CLASSES) {
            throw new DatasetException(name + " lists " + names.size() + " class names where CIFAR-10 has "
                    + NUM_CLASSES + ": write one name a line, in label order, or delete the file to use the"
                    + " standard names");
        }
        return Collections.unmodifiableList(names);
    }

    private static Map<Split, CifarData> assemble(String source, String kind, Set<Split> splits,
            List<RawFile> train, RawFile test, List<String> names) throws DatasetException {
        Map<Split, CifarData> out = new EnumMap<>(Split.class);
        if (splits.stream().anyMatch(Split::isTraining)) {
            if (train.isEmpty()) {
                throw new DataChoiceException("not a CIFAR-10 " + kind + ": " + source + " has none of data_batch_1..5.bin;"
                        + " pass the cifar-10-binary.tar.gz archive or the cifar-10-batches-bin folder extracted"
                        + " from it");
            }
            int total = 0;
            for (RawFile f : train) {
                checkLabels(f);
                total += f.bytes.length / RECORD_SIZE;
            }
            for (Split s : splits) {
                if (!s.isTraining()) {
                    continue;
                }
                if (s != Split.TRAIN && Split.validationSize(total) == 0) {
                    throw new DataChoiceException(source + " has only " + total + " training records: the "
                            + s.cliName() + " split holds out 10% of them and needs at least 10; use --split train");
                }
                int[] range = s.range(total);
                out.put(s, slice(train, range[0], range[1], names, source, s));
            }
        }
        if (splits.contains(Split.TEST)) {
            if (test == null) {
                throw new DataChoiceException("no " + TEST_FILE + " in " + source + ": the test split needs it (the"
                        + " copy given withholds it; use --split val5k)");
            }
            checkLabels(test);
            out.put(Split.TEST, slice(List.of(test), 0, test.bytes.length / RECORD_SIZE, names, source, Split.TEST));
        }
        return out;
    }

    /** Copies records {@code [from, to)} of the concatenated files into CHW pixel and label arrays. */
    private static CifarData slice(List<RawFile> files, int from, int to, List<String> names, String source,
            Split split) {
        int n = to - from;
        byte[] pixels = new byte[n * CifarData.IMAGE_SIZE];
        byte[] labels = new byte[n];
        int fileStart = 0; // global index of the first record of the current file
        int out = 0;
        for (RawFile f : files) {
            int count = f.bytes.length / RECORD_SIZE;
            int lo = Math.max(from, fileStart);
            int hi = Math.min(to, fileStart + count);
            for (int g = lo; g < hi; g++, out++) {
                int off = (g - fileStart) * RECORD_SIZE;
                labels[out] = f.bytes[off];
                // The record's pixel bytes are already R plane, G plane, B plane: CHW, so a plain copy.
                System.arraycopy(f.bytes, off + 1, pixels, out * CifarData.IMAGE_SIZE, CifarData.IMAGE_SIZE);
            }
            fileStart += count;
        }
        return new CifarData(pixels, labels, names, source, split);
    }

    static String fmt(long v) {
        return String.format(Locale.ROOT, "%,d", v);
    }

    /** A whole file read into memory, with the name its messages use. */
    record RawFile(String name, byte[] bytes) {
    }
}
