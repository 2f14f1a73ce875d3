package io.resnet4j.eval;

import java.util.ArrayDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * Prepares items 0..n-1 on worker threads, a bounded number ahead of the consumer, and hands them
 * over in order: decoding and view preparation overlap with the network's work on earlier images,
 * and memory stays bounded by {@code ahead} prepared items.
 */
final class OrderedPrefetch<T> implements AutoCloseable {

    private final IntFunction<T> prepare;
    private final int size;
    private final int ahead;
    private final ExecutorService pool;
    private final ArrayDeque<Future<T>> inflight = new ArrayDeque<>();
    private int submitted;

    OrderedPrefetch(int size, int workers, int ahead, IntFunction<T> prepare) {
        this.size = size;
        this.ahead = Math.max(1, ahead);
        this.prepare = prepare;
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(Math.max(1, workers), r -> {
            Thread t = new Thread(r, "resnet4j-eval-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        refill();
    }

    boolean hasNext() {
        return !inflight.isEmpty();
    }

    /** The next item in order (null where {@code prepare} returned null). */
    T next() {
        try {
            T item = inflight.poll().get();
            refill();
            return item;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while preparing images", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("preparing an image failed: " + e.getCause(), e.getCause());
        }
    }

    private void refill() {
        while (inflight.size() < ahead && submitted < size) {
            final int i = submitted++;
            inflight.add(pool.submit(() -> prepare.apply(i)));
        }
    }

    @Override
    public void close() {
        inflight.forEach(f -> f.cancel(true));
        pool.shutdownNow();
    }
}
