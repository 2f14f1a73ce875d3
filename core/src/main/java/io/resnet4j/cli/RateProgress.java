package io.resnet4j.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.IntConsumer;

/**
 * Progress of long work measured in items (images, views) on stderr: a line about every ten
 * seconds with the count, the rate and the time left, and a last line when the work took long
 * enough to have printed one; quick work prints nothing.
 */
final class RateProgress implements IntConsumer {

    static final long INTERVAL_NANOS = 10_000_000_000L;

    private final String what;
    private final int total;
    private final PrintWriter err;
    private final long start = System.nanoTime();
    private long lastPrint = start;
    private int done;

    RateProgress(String what, int total, PrintWriter err) {
        this.what = what;
        this.total = total;
        this.err = err;
    }

    @Override
    public void accept(int itemsDone) {
        done = itemsDone;
        long now = System.nanoTime();
        if (now - lastPrint >= INTERVAL_NANOS) {
            lastPrint = now;
            print(now);
        }
    }

    /** The closing line, when a progress line was printed before. */
    void finish() {
        if (lastPrint != start) {
            print(System.nanoTime());
        }
    }

    private void print(long now) {
        double seconds = (now - start) / 1e9;
        double rate = done / Math.max(seconds, 1e-9);
        long left = rate > 0 ? Math.round((total - done) / rate) : 0;
        err.printf(Locale.ROOT, "%s: %,d/%,d images, %.1f images/s, %d:%02d left%n", what, done, total, rate, left / 60,
                left % 60);
        err.flush();
    }
}
