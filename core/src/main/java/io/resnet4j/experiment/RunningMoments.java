package io.resnet4j.experiment;

/**
 * Count, mean and sum of squared deviations (M2) of a stream of numbers, merged chunk by chunk
 * with Chan, Golub and LeVeque's pairwise update. Why not sum and sum of squares: responses are
 * summed over millions of elements, and {@code E[x^2] - E[x]^2} cancels catastrophically when the
 * mean is large against the spread; the pairwise update keeps full double precision.
 */
public final class RunningMoments {

    private long count;
    private double mean;
    private double m2;

    /** Adds one chunk summarised by its own count, mean and M2 (sum of squared deviations from its mean). */
    public void merge(long n, double chunkMean, double chunkM2) {
        if (n < 0 || chunkM2 < 0 || !Double.isFinite(chunkMean) || !Double.isFinite(chunkM2)) {
            throw new IllegalArgumentException("invalid chunk: n=" + n + " mean=" + chunkMean + " m2=" + chunkM2);
        }
        if (n == 0) {
            return;
        }
        long total = count + n;
        double delta = chunkMean - mean;
        mean += delta * n / total;
        m2 += chunkM2 + delta * delta * ((double) count * n / total);
        count = total;
    }

    /** Adds raw values (two passes over the chunk, then one merge). */
    public void add(double... values) {
        if (values.length == 0) {
            return;
        }
        double s = 0;
        for (double v : values) {
            s += v;
        }
        double m = s / values.length;
        double q = 0;
        for (double v : values) {
            q += (v - m) * (v - m);
        }
        merge(values.length, m, q);
    }

    public long count() {
        return count;
    }

    public double mean() {
        return count == 0 ? Double.NaN : mean;
    }

    /** Population variance (divides by the count): the responses are the whole population measured. */
    public double variance() {
        return count == 0 ? Double.NaN : m2 / count;
    }

    public double std() {
        return Math.sqrt(variance());
    }
}
