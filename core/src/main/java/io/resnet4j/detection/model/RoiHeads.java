package io.resnet4j.detection.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.resnet4j.detection.ops.BalancedSampler;
import io.resnet4j.detection.ops.BoxCoder;
import io.resnet4j.detection.ops.Boxes;
import io.resnet4j.detection.ops.DetectionTransform;
import io.resnet4j.detection.ops.Matcher;
import io.resnet4j.detection.ops.Nms;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

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

    /**
     * The box head's losses on one image (torchvision's select_training_samples and fastrcnn_loss):
     * the ground-truth boxes join the proposals, each is matched (IoU 0.5) and labelled with its
     * object's class or the background, a balanced sample is drawn, and the head is scored by
     * cross-entropy and by smooth L1 on the deltas of each foreground box's own class.
     *
     * @param groundTruth boxes in the resized image's pixels
     * @return (classification loss, box regression loss)
     */
    NDList loss(ParameterStore ps, List<NDArray> maps, Proposals proposals, float[] groundTruth, int[] classes,
            DetectionTransform.Input input, Random random) {
        float[] boxes = Arrays.copyOf(proposals.boxes(), proposals.boxes().length + groundTruth.length);
        System.arraycopy(groundTruth, 0, boxes, proposals.boxes().length, groundTruth.length);
        int n = Boxes.count(boxes);
        int[] matches = new int[n];
        Arrays.fill(matches, Matcher.BELOW_LOW_THRESHOLD);
        if (groundTruth.length > 0) {
            matches = new Matcher(config.fgIouThreshold(), config.bgIouThreshold(), false)
                    .match(Matcher.iou(groundTruth, boxes));
        }
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = matches[i] >= 0 ? classes[matches[i]] : matches[i] == Matcher.BELOW_LOW_THRESHOLD ? 0 : -1;
        }
        int[] sampled = new BalancedSampler(config.batchSizePerImage(), config.positiveFraction())
                .sample(labels, random).all();
        float[] sampledBoxes = Boxes.rows(boxes, sampled);
        int[] sampledLabels = Boxes.select(labels, sampled);
        NDList out = predict(ps, maps, sampledBoxes, input, true);
        NDArray classification = Losses.crossEntropy(out.get(0), sampledLabels);
        int[] foreground = java.util.stream.IntStream.range(0, sampled.length).filter(i -> sampledLabels[i] > 0).toArray();
        int k = (int) out.get(0).getShape().get(1);
        long[] picked = Arrays.stream(foreground).mapToLong(i -> (long) i * k + sampledLabels[i]).toArray();
        float[] matched = Boxes.rows(groundTruth, Boxes.select(Boxes.select(matches, sampled), foreground));
        float[] targets = coder.encode(matched, Boxes.rows(sampledBoxes, foreground));
        NDManager m = out.get(1).getManager();
        NDArray deltas = out.get(1).reshape(-1, 4).get(new NDIndex("{}", m.create(picked)));
        NDArray box = Losses.smoothL1(deltas, m.create(targets, new Shape(foreground.length, 4))).div(sampled.length);
        return new NDList(classification, box);
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
