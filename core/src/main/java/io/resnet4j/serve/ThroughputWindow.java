package io.resnet4j.serve;

import java.util.function.LongSupplier;

/**
 * Images per second over the last few whole seconds: one counter per second in a ring, so the
 * rate follows the load within a window and drops to zero when the server idles (a counter's
 * lifetime average would not).
 */
final class ThroughputWindow {

    private final int seconds;
    private final long[] counts;
    private final long[] stamps;
    private final LongSupplier clockMillis;

    ThroughputWindow(int seconds, LongSupplier clockMillis) {
        this.seconds = seconds;
        this.counts = new long[seconds + 1];
        this.stamps = new long[seconds + 1];
        this.clockMillis = clockMillis;
    }

    synchronized void add(long images) {
        long second = clockMillis.getAsLong() / 1000;
        int slot = (int) (second % counts.length);
        if (stamps[slot] != second) {
            stamps[slot] = second;
            counts[slot] = 0;
        }
        counts[slot] += images;
    }

    /** Images per second over the last {@code seconds} complete seconds (the current one is still filling). */
    synchronized double perSecond() {
        long now = clockMillis.getAsLong() / 1000;
        long total = 0;
        for (int i = 0; i < counts.length; i++) {
            long age = now - stamps[i];
            if (age >= 1 && age <= seconds) {
                total += counts[i];
            }
        }
        return (double) total / seconds;
    }
}
