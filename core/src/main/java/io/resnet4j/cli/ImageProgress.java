package io.resnet4j.cli;

import io.resnet4j.inference.ImageBatches;
import io.resnet4j.inference.ImageFiles;
import io.resnet4j.io.PrintableText;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/**
 * What predict, features and detect tell the user while they work through images: a progress bar for
 * large folders, one line per skipped input, and the closing count that makes the command exit 1.
 */
final class ImageProgress {

    /** Folders larger than this get a progress bar on stderr. */
    static final int PROGRESS_THRESHOLD = 50;

    private final PrintWriter err;
    private final int total;
    private final int inputs;
    private final long start = System.nanoTime();
    private int failures;

    ImageProgress(ImageFiles files, PrintWriter err) {
        this.err = err;
        this.total = files.files().size();
        this.inputs = total + files.unusable().size();
        for (ImageBatches.Failure f : files.unusable()) {
            skipped(f.file(), f.reason());
        }
    }

    /** Reports the batch's skipped files and advances the bar. */
    void batch(ImageBatches.Batch batch, int done) {
        step(batch.warnings(), batch.failures(), done);
    }

    /** Reports one step's warnings and skipped files (a batch, or a single image) and advances the bar. */
    void step(List<String> warnings, List<ImageBatches.Failure> failures, int done) {
        for (String warning : warnings) {
            clearBar();
            err.println(PrintableText.of("resnet4j: warning: " + warning));
        }
        for (ImageBatches.Failure f : failures) {
            skipped(f.file(), f.reason());
        }
        if (total >= PROGRESS_THRESHOLD) {
            int width = 30;
            int filled = (int) ((long) width * done / total);
            err.print("\r[" + "#".repeat(filled) + "-".repeat(width - filled) + "] " + done + "/" + total + " images, "
                    + WorkProgress.rateAndTimeLeft(done, total, (System.nanoTime() - start) / 1e9) + "   ");
            if (done == total) {
                err.println();
            }
            err.flush();
        }
    }

    private void skipped(Path file, String reason) {
        failures++;
        clearBar();
        err.println(PrintableText.of("resnet4j: skipping " + file + ": " + reason));
    }

    private void clearBar() {
        if (total >= PROGRESS_THRESHOLD) {
            err.print("\r");
        }
    }

    /** 0, or 1 after saying how many inputs could not be read. */
    int exitCode() {
        if (failures == 0) {
            return 0;
        }
        err.println("resnet4j: " + failures + " of " + inputs + " inputs could not be read (see above)");
        err.flush();
        return Main.EXIT_FAILURE;
    }
}
