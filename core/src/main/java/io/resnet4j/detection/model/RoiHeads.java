package io.resnet4j.detection.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import io.resnet4j.detection.ops.BoxCoder;
import io.resnet4j.detection.ops.Boxes;
import io.resnet4j.detection.ops.DetectionTransform;
import io.resnet4j.detection.ops.Nms;
import java.util.Arrays;
import java.util.List;

/**
 * The second stage, as torchvision's {@code RoIHeads} for boxes: features of every proposal, class
 * logits and class-specific deltas, then per class decoded boxes clipped to the image, scores (softmax)
 * above the threshold, boxes under 0.01 pixels dropped, NMS per class, and the best detections kept.
 */
final class RoiHeads {

    private static final float MIN_SIZE = 1e-2f;

    /** Features of boxes of one image, (R, D), from the backbone's maps of that image. */
    interface BoxFeatures {
        NDArray apply(ParameterStore ps, List<NDArray> features, float[] boxes, DetectionTransform.Input input,
                boolean training);
    }

    private final BoxFeatures features;
    private final BoxPredictor predictor;
    private final BoxCoder coder = BoxCoder.boxHead();
    private final FasterRcnnConfig.Box config;

    RoiHeads(BoxFeatures features, BoxPredictor predictor, FasterRcnnConfig.Box config) {
        this.features = features;
        this.predictor = predictor;
        this.config = config;
    }

    /** (class logits (R, K), deltas (R, 4K)) of boxes. */
    NDList predict(ParameterStore ps, List<NDArray> maps, float[] boxes, DetectionTransform.Input input,
            boolean training) {
        return predictor.forward(ps, features.apply(ps, maps, boxes, input, training), training);
    }

    /** Detections in the resized image's pixels. */
    ImageDetections detect(ParameterStore ps, List<NDArray> maps, Proposals proposals, DetectionTransform.Input input) {
        NDList out = predict(ps, maps, proposals.boxes(), input, false);
        float[] scores = out.get(0).softmax(-1).toFloatArray();
        float[] boxes = Boxes.clip(coder.decode(out.get(1).toFloatArray(), proposals.boxes()), input.height(),
                input.width());
        return postprocess(boxes, scores, proposals.count());
    }

    private ImageDetections postprocess(float[] boxes, float[] scores, int proposals) {
        int classes = scores.length / Math.max(proposals, 1);
        int[] candidates = new int[proposals * (classes - 1)];
        int n = 0;
        for (int r = 0; r < proposals; r++) {
            for (int c = 1; c < classes; c++) {
                if (scores[r * classes + c] > config.scoreThreshold()) {
                    candidates[n++] = r * classes + c;
                }
            }
        }
        candidates = Arrays.copyOf(candidates, n);
        float[] b = Boxes.rows(boxes, candidates);
        int[] keep = Boxes.largerThan(b, MIN_SIZE);
        candidates = Boxes.select(candidates, keep);
        b = Boxes.rows(b, keep);
        float[] s = Boxes.select(scores, candidates);
        int[] labels = Arrays.stream(candidates).map(i -> i % classes).toArray();
        int[] kept = Nms.batched(b, s, labels, config.nmsThreshold());
        kept = Arrays.copyOf(kept, Math.min(kept.length, config.detectionsPerImage()));
        return new ImageDetections(Boxes.rows(b, kept), Boxes.select(s, kept), Boxes.select(labels, kept));
    }
}
