package io.resnet4j.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Batching on a fake engine that answers each image with numbers derived from its own input. */
class DynamicBatcherTest {

    private final List<Integer> batchSizes = new CopyOnWriteArrayList<>();

    /** Row i of the output: (first input value of image i) and (its output kind), so misrouting shows. */
    private DynamicBatcher.Engine echo(CountDownLatch gate) {
        return (output, input, n, h, w) -> {
            await(gate);
            float[] out = new float[n * 2];
            for (int i = 0; i < n; i++) {
                out[2 * i] = input[i * 3 * h * w];
                out[2 * i + 1] = output.ordinal();
            }
            return out;
        };
    }

    private DynamicBatcher batcher(DynamicBatcher.Engine engine, int maxBatch, long delayMs, int queue) {
        return new DynamicBatcher("test", engine, maxBatch, Duration.ofMillis(delayMs), queue,
                (n, nanos) -> batchSizes.add(n));
    }

    private static float[] image(float value, int side) {
        float[] x = new float[3 * side * side];
        x[0] = value;
        return x;
    }

    @Test
    void concurrentRequestsShareBatchesAndEachGetsItsOwnRow() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        try (DynamicBatcher b = batcher(echo(gate), 4, 1000, 64)) {
            List<CompletableFuture<float[]>> results = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                results.add(b.submit(DynamicBatcher.Output.LOGITS, image(i, 2), 1, 2, 2));
            }
            gate.countDown();
            for (int i = 0; i < 10; i++) {
                assertThat(results.get(i).get(5, TimeUnit.SECONDS)).containsExactly(i, 0);
            }
        }
        assertThat(batchSizes).containsExactly(4, 4, 2);
    }

    @Test
    void aLoneRequestRunsAfterTheDelayWithoutWaitingForMore() throws Exception {
        try (DynamicBatcher b = batcher(echo(new CountDownLatch(0)), 16, 20, 8)) {
            long start = System.nanoTime();
            float[] row = b.submit(DynamicBatcher.Output.LOGITS, image(7, 2), 1, 2, 2).get(5, TimeUnit.SECONDS);
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertThat(row).containsExactly(7, 0);
            assertThat(ms).isBetween(15L, 2000L);
        }
        assertThat(batchSizes).containsExactly(1);
    }

    @Test
    void differentOutputsAndSizesNeverShareABatch() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        try (DynamicBatcher b = batcher(echo(gate), 8, 200, 16)) {
            var logits = b.submit(DynamicBatcher.Output.LOGITS, image(1, 2), 1, 2, 2);
            var features = b.submit(DynamicBatcher.Output.FEATURES, image(2, 2), 1, 2, 2);
            var larger = b.submit(DynamicBatcher.Output.LOGITS, image(3, 4), 1, 4, 4);
            gate.countDown();
            assertThat(logits.get(5, TimeUnit.SECONDS)).containsExactly(1, 0);
            assertThat(features.get(5, TimeUnit.SECONDS)).containsExactly(2, 1);
            assertThat(larger.get(5, TimeUnit.SECONDS)).containsExactly(3, 0);
        }
        assertThat(batchSizes).containsExactly(1, 1, 1);
    }

    @Test
    void aMultiImageRequestStaysWholeAndInOrder() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        try (DynamicBatcher b = batcher(echo(gate), 4, 200, 16)) {
            float[] three = new float[3 * 3 * 2 * 2];
            for (int i = 0; i < 3; i++) {
                three[i * 12] = 10 + i;
            }
            var one = b.submit(DynamicBatcher.Output.LOGITS, image(1, 2), 1, 2, 2);
            var many = b.submit(DynamicBatcher.Output.LOGITS, three, 3, 2, 2);
            var another = b.submit(DynamicBatcher.Output.LOGITS, image(2, 2), 1, 2, 2);
            gate.countDown();
            assertThat(many.get(5, TimeUnit.SECONDS)).containsExactly(10, 0, 11, 0, 12, 0);
            assertThat(one.get(5, TimeUnit.SECONDS)).containsExactly(1, 0);
            assertThat(another.get(5, TimeUnit.SECONDS)).containsExactly(2, 0);
        }
        assertThat(batchSizes).containsExactly(4, 1);
        assertThatThrownBy(() -> batcher(echo(gate), 4, 0, 1).submit(DynamicBatcher.Output.LOGITS, new float[60], 5,
                2, 2)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aFullQueueIsRefusedAt503WithRetryAfter() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        try (DynamicBatcher b = batcher(echo(gate), 1, 0, 2)) {
            var running = b.submit(DynamicBatcher.Output.LOGITS, image(1, 2), 1, 2, 2);
            waitUntil(() -> b.queueDepth() == 0); // the batcher holds the first one, blocked in the engine
            b.submit(DynamicBatcher.Output.LOGITS, image(2, 2), 1, 2, 2);
            b.submit(DynamicBatcher.Output.LOGITS, image(3, 2), 1, 2, 2);
            assertThat(b.queueDepth()).isEqualTo(2);
            assertThatThrownBy(() -> b.submit(DynamicBatcher.Output.LOGITS, image(4, 2), 1, 2, 2))
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.status()).isEqualTo(503);
                        assertThat(e.retryAfterSeconds()).isPositive();
                    });
            gate.countDown();
            assertThat(running.get(5, TimeUnit.SECONDS)).containsExactly(1, 0);
        }
    }

    @Test
    void cancelledRequestsAreNotComputed() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        try (DynamicBatcher b = batcher(echo(gate), 1, 0, 8)) {
            var first = b.submit(DynamicBatcher.Output.LOGITS, image(1, 2), 1, 2, 2);
            waitUntil(() -> b.queueDepth() == 0);
            var abandoned = b.submit(DynamicBatcher.Output.LOGITS, image(2, 2), 1, 2, 2);
            abandoned.cancel(false);
            var last = b.submit(DynamicBatcher.Output.LOGITS, image(3, 2), 1, 2, 2);
            gate.countDown();
            first.get(5, TimeUnit.SECONDS);
            assertThat(last.get(5, TimeUnit.SECONDS)).containsExactly(3, 0);
        }
        assertThat(batchSizes).containsExactly(1, 1);
    }

    @Test
    void closingFinishesQueuedRequestsAndRefusesNewOnes() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        DynamicBatcher b = batcher(echo(gate), 2, 0, 8);
        List<CompletableFuture<float[]>> queued = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            queued.add(b.submit(DynamicBatcher.Output.LOGITS, image(i, 2), 1, 2, 2));
        }
        Thread closer = new Thread(() -> b.close(Duration.ofSeconds(10)));
        closer.start();
        waitUntil(() -> {
            try {
                b.submit(DynamicBatcher.Output.LOGITS, image(9, 2), 1, 2, 2);
                return false;
            } catch (ApiException e) {
                return e.status() == 503;
            }
        });
        gate.countDown();
        closer.join(10_000);
        for (int i = 0; i < 5; i++) {
            assertThat(queued.get(i).get(1, TimeUnit.SECONDS)).containsExactly(i, 0);
        }
    }

    @Test
    void anEngineFailureReachesEveryRequestOfItsBatchAndTheNextBatchStillRuns() throws Exception {
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        CountDownLatch gate = new CountDownLatch(1);
        DynamicBatcher.Engine failsOnce = (output, input, n, h, w) -> {
            if (calls.getAndIncrement() == 0) {
                await(gate);
                throw new IllegalStateException("native failure");
            }
            return echo(new CountDownLatch(0)).run(output, input, n, h, w);
        };
        try (DynamicBatcher b = batcher(failsOnce, 2, 200, 8)) {
            var a = b.submit(DynamicBatcher.Output.LOGITS, image(1, 2), 1, 2, 2);
            var c = b.submit(DynamicBatcher.Output.LOGITS, image(2, 2), 1, 2, 2);
            gate.countDown();
            assertThatThrownBy(() -> a.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> c.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalStateException.class);
            assertThat(b.submit(DynamicBatcher.Output.LOGITS, image(3, 2), 1, 2, 2).get(5, TimeUnit.SECONDS))
                    .containsExactly(3, 0);
        }
    }

    private static void await(CountDownLatch gate) {
        try {
            gate.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("condition not reached within 10 s");
            }
            Thread.sleep(5);
        }
    }
}
