package io.resnet4j.data;

import java.util.Iterator;

/**
 * What a training loop consumes: mini-batches in a deterministic order, prepared ahead on worker
 * threads. {@link Batcher} (CIFAR bytes in memory) and {@link ImageFolderLoader} (JPEG/PNG files)
 * both implement it, so one loop trains on either.
 *
 * <p>A {@link Batch} returned by {@link #next()} is valid until the next call (sources recycle
 * buffers). Close the source to stop its threads.
 */
public interface BatchSource extends Iterator<Batch>, AutoCloseable {

    /** @return batches in one epoch */
    int batchesPerEpoch();

    /** Stops the worker threads; idempotent, never throws. */
    @Override
    void close();
}
