package io.resnet4j.detection.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.List;

/**
 * RoIAlign (He et al., Mask R-CNN) with the semantics of torchvision's {@code roi_align}: each box
 * is divided into {@code outputSize x outputSize} bins, each bin averages bilinear samples on a
 * regular grid ({@code samplingRatio} per side, or {@code ceil(box side / outputSize)} when it is
 * 0), samples more than one pixel outside the map count as zero, and {@code aligned} shifts the
 * box by half a pixel (torchvision's default, and Faster R-CNN's, is false).
 *
 * <p>libtorch has no RoIAlign, so the sample positions and bilinear weights are computed here, as
 * torchvision's CPU kernel computes them, into a sparse matrix from the feature vectors to the bins;
 * the pooling is then one sparse-dense product on libtorch. It is linear in the features and built
 * from differentiable operations, so gradients reach the backbone when a detector trains. Boxes on
 * several pyramid levels are pooled in one product.
 *
 * @param outputSize bins per side (7 for the FPN box head, 14 for the C4 head)
 * @param samplingRatio samples per bin side; 0 for torchvision's adaptive choice
 * @param aligned whether pixel centres are at half-integer coordinates
 */
public record RoiAlign(int outputSize, int samplingRatio, boolean aligned) {

    public RoiAlign {
        if (outputSize < 1 || samplingRatio < 0) {
            throw new IllegalArgumentException("RoIAlign needs an output size >= 1 and a sampling ratio >= 0, got "
                    + outputSize + " and " + samplingRatio);
        }
    }

    /** Pools boxes from one feature map (C, H, W) at {@code spatialScale} (1 / stride). */
    public NDArray apply(NDArray features, float spatialScale, float[] boxes) {
        return apply(List.of(features), new float[] {spatialScale}, boxes, new int[Boxes.count(boxes)]);
    }

    /**
     * Pools each box from its own level.
     *
     * @param levels one image's feature maps (C, H_l, W_l), all with the same channels
     * @param scales the spatial scale of each level
     * @param boxes R boxes in input pixels
     * @param levelOf the level each box is pooled from
     * @return (R, C, outputSize, outputSize)
     */
    public NDArray apply(List<NDArray> levels, float[] scales, float[] boxes, int[] levelOf) {
        int r = Boxes.count(boxes);
        long channels = levels.get(0).getShape().get(0);
        NDManager manager = levels.get(0).getManager();
        int p = outputSize;
        if (r == 0) {
            return manager.zeros(new Shape(0, channels, p, p), levels.get(0).getDataType());
        }
        Sampling s = sampling(levels, scales, boxes, levelOf);
        try (NDManager scratch = manager.newSubManager()) {
            NDArray table = table(levels, s.used, scratch);
            NDArray weights = sparseWeights(manager, s, new Shape((long) r * p * p, table.getShape().get(0)));
            // (DJL's duplicate() would detach the result from autograd; attaching the view keeps its storage alive.)
            NDArray out = weights.matMul(table).reshape(r, p, p, channels).transpose(0, 3, 1, 2);
            out.attach(manager);
            return out;
        }
    }

    /**
     * The sampling as a sparse (bins, feature vectors) matrix in the caller's manager. libtorch wraps a
     * created array's Java buffer without copying it, and a sparse tensor shares its indices and values,
     * so DJL's {@code createCoo}, which closes the arrays it made, leaves a tensor over buffers the GC
     * may free while backward still reads them (seen as gradients of 1e11 and "index out of column
     * bound: 139994034757808"). The indices and values here are copies libtorch owns.
     */
    private static NDArray sparseWeights(NDManager manager, Sampling s, Shape shape) {
        try (NDManager scratch = manager.newSubManager()) {
            PtNDArray indices = (PtNDArray) scratch.create(new long[][] {s.rows, s.columns}).duplicate();
            PtNDArray values = (PtNDArray) scratch.create(s.values).duplicate();
            NDArray weights = JniUtils.createSparseCoo(indices, values, shape);
            weights.attach(manager);
            return weights;
        }
    }

    /** The levels boxes are pooled from, as one (sum of H_l W_l, C) table of feature vectors. */
    private static NDArray table(List<NDArray> levels, boolean[] used, NDManager scratch) {
        NDList rows = new NDList();
        for (int l = 0; l < levels.size(); l++) {
            if (used[l]) {
                NDArray channelsLast = levels.get(l).transpose(1, 2, 0);
                channelsLast.attach(scratch); // what it computes from here is scratch's too
                rows.add(channelsLast.reshape(-1, channelsLast.getShape().get(2)));
            }
        }
        return rows.size() == 1 ? rows.get(0) : NDArrays.concat(rows, 0);
    }

    /**
     * The pooling as a sparse matrix: entry (bin, feature vector) is the sum of the bilinear weights
     * with which the bin's samples read that vector, divided by the bin's sample count.
     */
    private record Sampling(long[] rows, long[] columns, float[] values, boolean[] used) {}

    private Sampling sampling(List<NDArray> levels, float[] scales, float[] boxes, int[] levelOf) {
        int levelCount = levels.size();
        boolean[] used = new boolean[levelCount];
        for (int l : levelOf) {
            used[l] = true;
        }
        long[] base = new long[levelCount];
        long next = 0;
        for (int l = 0; l < levelCount; l++) {
            base[l] = next;
            if (used[l]) {
                next += levels.get(l).getShape().get(1) * levels.get(l).getShape().get(2);
            }
        }
        Entries entries = new Entries();
        for (int i = 0; i < levelOf.length; i++) {
            Geometry g = geometry(boxes, i, scales[levelOf[i]]);
            NDArray level = levels.get(levelOf[i]);
            addBox(i, g, (int) level.getShape().get(1), (int) level.getShape().get(2), base[levelOf[i]], entries);
        }
        return entries.toSampling(used);
    }

    /** A box on its level: start, bin size and sampling grid, in torchvision's float arithmetic. */
    private record Geometry(float startX, float startY, float binW, float binH, int gridH, int gridW) {}

    private Geometry geometry(float[] boxes, int i, float scale) {
        float offset = aligned ? 0.5f : 0f;
        float x1 = boxes[4 * i] * scale - offset;
        float y1 = boxes[4 * i + 1] * scale - offset;
        float w = boxes[4 * i + 2] * scale - offset - x1;
        float h = boxes[4 * i + 3] * scale - offset - y1;
        if (!aligned) {
            w = Math.max(w, 1f);
            h = Math.max(h, 1f);
        }
        float binW = w / outputSize;
        float binH = h / outputSize;
        int gridH = samplingRatio > 0 ? samplingRatio : (int) Math.ceil(h / outputSize);
        int gridW = samplingRatio > 0 ? samplingRatio : (int) Math.ceil(w / outputSize);
        return new Geometry(x1, y1, binW, binH, gridH, gridW);
    }

    /** The bilinear reads of every sample of every bin of box i, torchvision's loop over (ph, pw, iy, ix). */
    private void addBox(int i, Geometry b, int height, int width, long base, Entries entries) {
        int p = outputSize;
        float count = Math.max(b.gridH * b.gridW, 1);
        Axis ay = new Axis();
        Axis ax = new Axis();
        for (int ph = 0; ph < p; ph++) {
            for (int pw = 0; pw < p; pw++) {
                long bin = ((long) i * p + ph) * p + pw;
                for (int iy = 0; iy < b.gridH; iy++) {
                    ay.set(b.startY + ph * b.binH + (iy + .5f) * b.binH / b.gridH, height);
                    for (int ix = 0; ix < b.gridW; ix++) {
                        ax.set(b.startX + pw * b.binW + (ix + .5f) * b.binW / b.gridW, width);
                        if (ay.outside || ax.outside) {
                            continue;
                        }
                        long low = base + (long) ay.low * width;
                        long high = base + (long) ay.high * width;
                        entries.add(bin, low + ax.low, ay.lowWeight * ax.lowWeight / count);
                        entries.add(bin, low + ax.high, ay.lowWeight * ax.highWeight / count);
                        entries.add(bin, high + ax.low, ay.highWeight * ax.lowWeight / count);
                        entries.add(bin, high + ax.high, ay.highWeight * ax.highWeight / count);
                    }
                }
            }
        }
    }

    /** A growing list of sparse-matrix entries (zero weights are left out). */
    private static final class Entries {
        private long[] rows = new long[1024];
        private long[] columns = new long[1024];
        private float[] values = new float[1024];
        private int size;

        void add(long row, long column, float value) {
            if (value == 0f) {
                return;
            }
            if (size == values.length) {
                rows = Arrays.copyOf(rows, 2 * size);
                columns = Arrays.copyOf(columns, 2 * size);
                values = Arrays.copyOf(values, 2 * size);
            }
            rows[size] = row;
            columns[size] = column;
            values[size++] = value;
        }

        Sampling toSampling(boolean[] used) {
            return new Sampling(Arrays.copyOf(rows, size), Arrays.copyOf(columns, size), Arrays.copyOf(values, size),
                    used);
        }
    }

    /** Bilinear interpolation along one axis, torchvision's bilinear_interpolate. */
    private static final class Axis {
        boolean outside;
        int low;
        int high;
        float lowWeight;
        float highWeight;

        void set(float v, int size) {
            outside = v < -1f || v > size;
            if (outside) {
                return;
            }
            float c = Math.max(v, 0f);
            low = (int) c;
            if (low >= size - 1) {
                low = size - 1;
                high = low;
                c = low;
            } else {
                high = low + 1;
            }
            float l = c - low;
            highWeight = l;
            lowWeight = 1f - l;
        }
    }
}
