package io.resnet4j.inference;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Default batches follow the input size and the memory, never a fixed 500. */
class BatchSizesTest {

    private static final long GB = 1L << 30;

    @Test
    void photosGetSmallBatchesAndCifarImagesLargeOnes() {
        assertThat(BatchSizes.forInference(224, 24 * GB)).isEqualTo(53);
        assertThat(BatchSizes.forInference(224, 2 * GB)).isEqualTo(4);
        assertThat(BatchSizes.forInference(32, 24 * GB)).isEqualTo(BatchSizes.MAX_BATCH);
    }

    @Test
    void onnxRuntimeGetsTheBatchItsThroughputNeedsAndNoMore() {
        assertThat(BatchSizes.forOnnxRuntime(224, 24 * GB)).isEqualTo(8);
        assertThat(BatchSizes.forOnnxRuntime(32, 24 * GB)).isEqualTo(BatchSizes.MAX_BATCH);
        assertThat(BatchSizes.forOnnxRuntime(64, 24 * GB)).isEqualTo(98);
        assertThat(BatchSizes.forOnnxRuntime(224, GB)).isEqualTo(BatchSizes.forInference(224, GB)).isLessThan(8);
    }

    @Test
    void aBatchIsAtLeastOneImageHoweverLittleMemoryIsFree() {
        assertThat(BatchSizes.forInference(4096, GB)).isEqualTo(1);
        assertThat(BatchSizes.forInference(224, 0)).isEqualTo(1);
    }

    @Test
    void thePeakOfTheDefaultBatchStaysWithinAQuarterOfTheMemory() {
        for (int side : new int[] {32, 64, 224, 320, 480}) {
            int batch = BatchSizes.forInference(side, 8 * GB);
            assertThat((long) batch * 3 * side * side * BatchSizes.BYTES_PER_INPUT_FLOAT).isLessThanOrEqualTo(2 * GB);
        }
    }
}
