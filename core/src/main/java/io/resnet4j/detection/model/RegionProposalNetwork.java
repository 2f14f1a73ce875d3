package io.resnet4j.detection.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
import io.resnet4j.detection.ops.AnchorGenerator;
import io.resnet4j.detection.ops.BoxCoder;
import io.resnet4j.detection.ops.Boxes;
import io.resnet4j.detection.ops.DetectionTransform;
import io.resnet4j.detection.ops.Nms;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Region proposals as torchvision's {@code RegionProposalNetwork} makes them: the head scores every
 * anchor of every level; per level the best {@code preNmsTopN} by objectness are decoded from their
 * anchors, clipped to the image, boxes under 1e-3 pixels dropped, NMS applied per level, and the
 * best {@code postNmsTopN} kept. Only the selected anchors are decoded (decoding is per anchor, so
 * this changes nothing but the work).
 */
final class RegionProposalNetwork {

    private static final float MIN_SIZE = 1e-3f;

    private final RpnHead head;
    private final AnchorGenerator anchors;
    private final BoxCoder coder = BoxCoder.rpn();
    private final FasterRcnnConfig.Rpn config;

    RegionProposalNetwork(RpnHead head, AnchorGenerator anchors, FasterRcnnConfig.Rpn config) {
        this.head = head;
        this.anchors = anchors;
        this.config = config;
    }

    /**
     * The head's outputs on one image, level by level, flattened in anchor order.
     *
     * @param objectness per level, (H W A) logits
     * @param deltas per level, (H W A, 4) box deltas
     * @param grids per level, the feature map's (height, width)
     */
    record HeadOutput(List<NDArray> objectness, List<NDArray> deltas, List<int[]> grids) {}

    HeadOutput run(ParameterStore ps, List<NDArray> features, boolean training) {
        List<NDArray> objectness = new ArrayList<>();
        List<NDArray> deltas = new ArrayList<>();
        List<int[]> grids = new ArrayList<>();
        for (int l = 0; l < features.size(); l++) {
            NDList out = head.forward(ps, features.get(l), training);
            int a = anchors.perLocation(l);
            long h = out.get(0).getShape().get(2);
            long w = out.get(0).getShape().get(3);
            objectness.add(out.get(0).transpose(0, 2, 3, 1).reshape(-1));
            deltas.add(out.get(1).reshape(1, a, 4, h, w).transpose(0, 3, 4, 1, 2).reshape(-1, 4));
            grids.add(new int[] {(int) h, (int) w});
        }
        return new HeadOutput(objectness, deltas, grids);
    }

    Proposals propose(HeadOutput head, DetectionTransform.Input input, boolean training) {
        int paddedH = (int) input.batch().getShape().get(2);
        int paddedW = (int) input.batch().getShape().get(3);
        List<float[]> boxes = new ArrayList<>();
        List<float[]> scores = new ArrayList<>();
        for (int l = 0; l < head.objectness().size(); l++) {
            NDArray logits = head.objectness().get(l);
            int k = (int) Math.min(config.preNmsTopN(training), logits.size());
            NDList top = logits.topK(k, 0, true, true);
            int[] grid = head.grids().get(l);
            int[] indices = Arrays.stream(top.get(1).toLongArray()).mapToInt(Math::toIntExact).toArray();
            float[] reference = anchors.select(l, indices, grid[0], grid[1], paddedH, paddedW);
            float[] deltas = head.deltas().get(l).get(new NDIndex("{}", top.get(1))).toFloatArray();
            boxes.add(coder.decode(deltas, reference));
            scores.add(Activation.sigmoid(top.get(0)).toFloatArray());
        }
        return select(boxes, scores, input.height(), input.width(), config.postNmsTopN(training));
    }

    /** Clipping, small-box removal, NMS per level and the final cut, over the levels' candidates. */
    private Proposals select(List<float[]> boxesPerLevel, List<float[]> scoresPerLevel, int height, int width, int topN) {
        int n = scoresPerLevel.stream().mapToInt(s -> s.length).sum();
        float[] boxes = new float[4 * n];
        float[] scores = new float[n];
        int[] levels = new int[n];
        int o = 0;
        for (int l = 0; l < scoresPerLevel.size(); l++) {
            float[] s = scoresPerLevel.get(l);
            System.arraycopy(boxesPerLevel.get(l), 0, boxes, 4 * o, 4 * s.length);
            System.arraycopy(s, 0, scores, o, s.length);
            Arrays.fill(levels, o, o + s.length, l);
            o += s.length;
        }
        Boxes.clip(boxes, height, width);
        int[] keep = Boxes.largerThan(boxes, MIN_SIZE);
        boxes = Boxes.rows(boxes, keep);
        scores = Boxes.select(scores, keep);
        levels = Boxes.select(levels, keep);
        int[] kept = Nms.batched(boxes, scores, levels, config.nmsThreshold());
        kept = Arrays.copyOf(kept, Math.min(kept.length, topN));
        return new Proposals(Boxes.rows(boxes, kept), Boxes.select(scores, kept));
    }
}
