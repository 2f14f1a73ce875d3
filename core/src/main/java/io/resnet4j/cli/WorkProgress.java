package io.resnet4j.cli;

import io.resnet4j.train.ProgressReporter;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.IntConsumer;
import java.util.function.LongSupplier;

/**
 * Progress of counted work that can take minutes (an evaluation's images), on stderr: items done of
 * the total, items per second and time left. On a terminal the line is redrawn in place a few times
 * a second; in a log a line is printed every {@link #LOG_SECONDS}, so a short job stays quiet and a
 * long one never does. Library code reports through the {@link IntConsumer} it is.
 */
final class WorkProgress implements IntConsumer {

    /** In a log, the seconds between lines. */
    static final int LOG_SECONDS = 10;

    private static final long LOG_NANOS = LOG_SECONDS * 1_000_000_000L;
    private static final long REDRAW_NANOS = 250_000_000L;

    private final PrintWriter err;
    private final String what;
    private final long total;
    private final boolean terminal;
    private final LongSupplier clock;
    private final long start;
    private long done;
    private long lastLine;
    private boolean printed;

    /**
     * @param what the prefix of every line, e.g. "eval ten-crop"
     * @param total items in all
     * @param terminal whether stderr is a terminal (redraw in place) or a log (a line every {@link #LOG_SECONDS})
     */
    WorkProgress(PrintWriter err, String what, long total, boolean terminal) {
        this(err, what, total, terminal, System::nanoTime);
    }

    /** @param clock nanoseconds, as {@link System#nanoTime()} (tests pass their own) */
    WorkProgress(PrintWriter err, String what, long total, boolean terminal, LongSupplier clock) {
        this.err = err;
        this.what = what;
        this.total = total;
        this.terminal = terminal;
        this.clock = clock;
        this.start = clock.getAsLong();
        this.lastLine = start;
    }

    /** {@code items} more are done. */
    @Override
    public void accept(int items) {
        done += items;
        long now = clock.getAsLong();
        if (now - lastLine >= (terminal ? REDRAW_NANOS : LOG_NANOS)) {
            lastLine = now;
            printed = true;
            err.print((terminal ? "\r" : "") + line(now) + (terminal ? "   " : "\n"));
            err.flush();
        }
    }

    /** Ends the progress: the closing line, when any was shown, so the last one is not left at 97%. */
    void finish() {
        if (printed) {
            err.print((terminal ? "\r" : "") + line(clock.getAsLong()) + "\n");
            err.flush();
        }
    }

    private String line(long now) {
        return String.format(Locale.ROOT, "%s: %,d/%,d images, %s", what, done, total,
                rateAndTimeLeft(done, total, (now - start) / 1e9));
    }

    /** "12.3 images/s, 0:01:05 left": how predict's bar and these lines say how fast it goes. */
    static String rateAndTimeLeft(long done, long total, double seconds) {
        double rate = seconds > 0 ? done / seconds : 0;
        String left = rate > 0 ? ProgressReporter.duration((long) ((total - done) / rate)) : "?";
        return String.format(Locale.ROOT, "%.1f images/s, %s left", rate, left);
    }
}
