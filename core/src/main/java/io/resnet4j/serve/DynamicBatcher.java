package io.resnet4j.serve;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Gathers concurrent requests for one model into batches: the first waiting request opens a
 * batch, which closes when it holds {@code maxBatch} images or {@code maxDelay} after that request
 * arrived, and then runs as one forward pass on a single thread. Requests wait in a bounded queue;
 * a full queue is refused at once (503) rather than left to grow. Each image's result is the
 * engine's answer for that image whatever else shares its batch.
 */
public final class DynamicBatcher implements AutoCloseable {

    /** What a request wants back for each image. */
    public enum Output { LOGITS, FEATURES }

    /** Runs one batch: {@code n} images of {@code height x width}, returning {@code n} rows, row-major. */
    @FunctionalInterface
    public interface Engine {
        float[] run(Output output, float[] input, int n, int height, int width);
    }

    /** Told about every batch that ran (for metrics). */
    @FunctionalInterface
    public interface BatchListener {
        void batchRan(int images, long nanos);
    }

    private record Job(Output output, float[] input, int images, int height, int width, long arrivedNanos,
            CompletableFuture<float[]> result) {

        boolean sharesBatchWith(Job other) {
            return output == other.output && height == other.height && width == other.width;
        }
    }

    private final Engine engine;
    private final int maxBatch;
    private final long maxDelayNanos;
    private final BlockingQueue<Job> queue;
    private final BatchListener listener;
    private final Thread thread;
    /** A job taken from the queue that did not fit the batch being gathered: it opens the next one. */
    private volatile Job carried;
    private volatile boolean closing;

    public DynamicBatcher(String name, Engine engine, int maxBatch, Duration maxDelay, int queueCapacity,
            BatchListener listener) {
        if (maxBatch < 1 || queueCapacity < 1 || maxDelay.isNegative()) {
            throw new IllegalArgumentException("maxBatch and queueCapacity must be at least 1 and maxDelay at least 0,"
                    + " got " + maxBatch + ", " + queueCapacity + " and " + maxDelay);
        }
        this.engine = engine;
        this.maxBatch = maxBatch;
        this.maxDelayNanos = maxDelay.toNanos();
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.listener = listener;
        this.thread = new Thread(this::loop, "batcher-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    public int maxBatch() {
        return maxBatch;
    }

    /** Requests waiting for a batch. */
    public int queueDepth() {
        return queue.size() + (carried != null ? 1 : 0);
    }

    /**
     * Refuses a request at once when the queue is already full, before the server spends time
     * decoding an image that would be refused anyway.
     *
     * @throws ApiException 503 when the queue is full or the batcher is shutting down
     */
    public void checkRoom() {
        if (closing) {
            throw ApiException.busy("the server is shutting down", 5);
        }
        if (queue.remainingCapacity() == 0) {
            throw ApiException.busy("the server is busy: " + queue.size() + " requests are already waiting", 1);
        }
    }

    /**
     * Queues {@code images} images ({@code images x 3 x height x width} floats) and returns their
     * output rows when their batch has run. Cancelling the future drops the request if its batch
     * has not started.
     *
     * @throws ApiException 503 when the queue is full or the batcher is shutting down
     */
    public CompletableFuture<float[]> submit(Output output, float[] input, int images, int height, int width) {
        if (images < 1 || images > maxBatch) {
            throw new IllegalArgumentException("a request holds 1 to " + maxBatch + " images, got " + images);
        }
        if (closing) {
            throw ApiException.busy("the server is shutting down", 5);
        }
        Job job = new Job(output, input, images, height, width, System.nanoTime(), new CompletableFuture<>());
        if (!queue.offer(job)) {
            throw ApiException.busy("the server is busy: " + queue.size() + " requests are already waiting", 1);
        }
        return job.result();
    }

    private void loop() {
        while (!Thread.currentThread().isInterrupted() && (!closing || !queue.isEmpty() || carried != null)) {
            Job first = nextJob();
            if (first != null) {
                run(gather(first));
            }
        }
    }

    private Job nextJob() {
        Job job = carried;
        if (job != null) {
            carried = null;
            return job;
        }
        try {
            return queue.poll(100, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closing = true;
            return null;
        }
    }

    private List<Job> gather(Job first) {
        List<Job> batch = new ArrayList<>();
        batch.add(first);
        int images = first.images();
        long closesAt = first.arrivedNanos() + maxDelayNanos;
        while (images < maxBatch) {
            Job next = pollUntil(closesAt);
            if (next == null) {
                break;
            }
            if (!first.sharesBatchWith(next) || images + next.images() > maxBatch) {
                carried = next;
                break;
            }
            batch.add(next);
            images += next.images();
        }
        return batch;
    }

    private Job pollUntil(long deadlineNanos) {
        try {
            return queue.poll(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closing = true;
            return null;
        }
    }

    private void run(List<Job> gathered) {
        // A request whose caller gave up (deadline passed) is not worth computing.
        List<Job> batch = gathered.stream().filter(j -> !j.result().isDone()).toList();
        if (batch.isEmpty()) {
            return;
        }
        Job first = batch.get(0);
        int n = batch.stream().mapToInt(Job::images).sum();
        int per = 3 * first.height() * first.width();
        float[] input = new float[n * per];
        int offset = 0;
        for (Job j : batch) {
            System.arraycopy(j.input(), 0, input, offset, j.images() * per);
            offset += j.images() * per;
        }
        try {
            long start = System.nanoTime();
            float[] out = engine.run(first.output(), input, n, first.height(), first.width());
            listener.batchRan(n, System.nanoTime() - start);
            deliver(batch, out, out.length / n);
        } catch (RuntimeException | Error e) {
            batch.forEach(j -> j.result().completeExceptionally(e));
        }
    }

    private static void deliver(List<Job> batch, float[] out, int rowLength) {
        int row = 0;
        for (Job j : batch) {
            float[] rows = new float[j.images() * rowLength];
            System.arraycopy(out, row * rowLength, rows, 0, rows.length);
            j.result().complete(rows);
            row += j.images();
        }
    }

    /** Stops taking requests, finishes the queued ones (up to {@code drain}), then stops the thread. */
    public void close(Duration drain) {
        closing = true;
        try {
            thread.join(Math.max(1, drain.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            thread.interrupt();
        }
        failLeftovers();
    }

    private void failLeftovers() {
        ApiException gone = ApiException.busy("the server is shutting down", 5);
        for (Job j; (j = queue.poll()) != null;) {
            j.result().completeExceptionally(gone);
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }
}
