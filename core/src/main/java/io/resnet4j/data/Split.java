package io.resnet4j.data;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Which part of CIFAR-10 to load.
 *
 * <p>Why these four: the paper trains on the 50k training images and reports the 10k test split,
 * but tunes on a 45k/5k split of the training images ("45k/5k train/val split", section 4.2). The
 * shared development copy withholds {@code test_batch.bin}, so {@link #TRAIN45K}/{@link #VAL5K} are
 * the splits to measure against there, exactly as the PyTorch reference does
 * ({@code X[:45000]} / {@code X[45000:]}).
 *
 * <p>Validation size: 5,000 records whenever the training files hold at least 10,000 records;
 * below that (small samples such as the embedded {@link CifarSample}) the last 10% of the training
 * records, rounded down, are the validation split, so that a 5,000-record sample still trains on
 * 4,500 and validates on 500.
 */
public enum Split {
    /** All records of {@code data_batch_1..5.bin}, in file order (50,000 in the official archive). */
    TRAIN("train"),
    /** All training records except the validation tail (45,000 in the official archive). */
    TRAIN45K("train45k"),
    /** The last 5,000 training records (or the last 10% for fewer than 10,000 training records). */
    VAL5K("val5k"),
    /** The records of {@code test_batch.bin} (10,000 in the official archive). */
    TEST("test");

    /** Training-record count from which on the validation split is a fixed 5,000 records. */
    public static final int FULL_VALIDATION_THRESHOLD = 10_000;
    /** The paper's validation-split size. */
    public static final int FULL_VALIDATION_SIZE = 5_000;

    private final String cliName;

    Split(String cliName) {
        this.cliName = cliName;
    }

    /** @return the lower-case name used on the command line and in file names, e.g. {@code "val5k"} */
    public String cliName() {
        return cliName;
    }

    /** @return true if this split is read from the {@code data_batch_*.bin} files */
    public boolean isTraining() {
        return this != TEST;
    }

    /**
     * Parses a command-line name.
     *
     * @param name one of {@code train}, {@code train45k}, {@code val5k}, {@code test} (case-insensitive)
     * @return the split
     * @throws IllegalArgumentException naming the valid values when {@code name} is none of them
     */
    public static Split parse(String name) {
        if (name != null) {
            String n = name.trim().toLowerCase(Locale.ROOT);
            for (Split s : values()) {
                if (s.cliName.equals(n)) {
                    return s;
                }
            }
        }
        throw new IllegalArgumentException("unknown split '" + name + "': valid values are "
                + Arrays.stream(values()).map(Split::cliName).collect(Collectors.joining(", ")));
    }

    /**
     * Size of the validation tail for a given number of training records.
     *
     * @param trainRecords records in all {@code data_batch_*.bin} files together
     * @return 5,000 from 10,000 records on, else {@code trainRecords / 10}
     */
    public static int validationSize(int trainRecords) {
        return trainRecords >= FULL_VALIDATION_THRESHOLD ? FULL_VALIDATION_SIZE : trainRecords / 10;
    }

    /**
     * The record range of this training split within the concatenated training files.
     *
     * @param trainRecords records in all {@code data_batch_*.bin} files together
     * @return {@code {from, toExclusive}}
     * @throws IllegalStateException for {@link #TEST}, which is not part of the training files
     */
    int[] range(int trainRecords) {
        int val = validationSize(trainRecords);
        return switch (this) {
            case TRAIN -> new int[] {0, trainRecords};
            case TRAIN45K -> new int[] {0, trainRecords - val};
            case VAL5K -> new int[] {trainRecords - val, trainRecords};
            case TEST -> throw new IllegalStateException("the test split is not in the training files");
        };
    }

    @Override
    public String toString() {
        return cliName;
    }
}
