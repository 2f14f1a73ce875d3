package io.resnet4j.detection.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.resnet4j.detection.model.FasterRcnn;
import io.resnet4j.detection.model.FasterRcnnConfig;
import io.resnet4j.detection.model.RpnOutputs;
import io.resnet4j.detection.ops.DetectionTransform;
import io.resnet4j.model.GradMode;
import io.resnet4j.model.ResNet;
import io.resnet4j.train.Sgd;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * One SGD step of Faster R-CNN, as torchvision's {@code GeneralizedRCNN} trains: per image the
 * backbone, the RPN's outputs for every anchor and its proposals; anchors matched and sampled for
 * the RPN's losses; proposals and ground truth matched and sampled for the box head's; the four
 * losses over the batch's samples ({@link DetectionLosses}), summed, back-propagated into the heads
 * and the backbone (not into the proposals), and one update. The images of a step go through the
 * backbone together, padded to the largest.
 *
 * <p>What is fixed does not learn and records no gradient: with frozen batch norm its scale and
 * shift (the statistics never learn by gradient), and the backbone's first {@code frozenPrefix}
 * layers.
 */
public final class DetectorTrainStep {

    /** The four losses of one step (and their sum), as seen before the update. */
    public record Losses(float objectness, float rpnBoxRegression, float classifier, float boxRegression) {

        public float total() {
            return objectness + rpnBoxRegression + classifier + boxRegression;
        }
    }

    private final FasterRcnn net;
    private final Sgd sgd;
    private final boolean trainableNorm;
    private final ParameterStore parameterStore;
    private final Map<String, Parameter> trainable;
    private final Matcher rpnMatcher;
    private final BalancedSampler rpnSampler;
    private final Matcher boxMatcher;
    private final BalancedSampler boxSampler;

    /**
     * @param frozenPrefix backbone layers kept fixed (see {@link ResNet#setFrozenPrefix})
     * @param trainableNorm whether batch norm learns (from scratch) or stays frozen (from pretrained weights)
     */
    public DetectorTrainStep(FasterRcnn net, Sgd sgd, NDManager manager, int frozenPrefix, boolean trainableNorm) {
        this.net = net;
        this.sgd = sgd;
        this.trainableNorm = trainableNorm;
        this.parameterStore = new ParameterStore(manager, false);
        this.trainable = trainableParameters(net, frozenPrefix, trainableNorm);
        FasterRcnnConfig.Rpn rpn = net.config().rpn();
        FasterRcnnConfig.Box box = net.config().box();
        rpnMatcher = new Matcher(rpn.fgIouThreshold(), rpn.bgIouThreshold(), true);
        rpnSampler = new BalancedSampler(rpn.batchSizePerImage(), rpn.positiveFraction());
        boxMatcher = new Matcher(box.fgIouThreshold(), box.bgIouThreshold(), false);
        boxSampler = new BalancedSampler(box.batchSizePerImage(), box.positiveFraction());
    }

    /** Everything but the fixed part, which is also told not to record gradients. */
    private static Map<String, Parameter> trainableParameters(FasterRcnn net, int frozenPrefix, boolean trainableNorm) {
        ResNet body = net.body();
        body.setFrozenPrefix(frozenPrefix);
        Set<Parameter> fixed = Collections.newSetFromMap(new IdentityHashMap<>());
        body.stateDict().forEach((name, p) -> {
            String layer = name.substring(0, name.lastIndexOf('.'));
            if (body.isFrozen(name) || !trainableNorm && body.namedLayers().get(layer) instanceof BatchNorm) {
                fixed.add(p);
            }
        });
        Map<String, Parameter> out = new LinkedHashMap<>();
        net.stateDict().forEach((name, p) -> {
            if (fixed.contains(p)) {
                p.getArray().setRequiresGradient(false);
            } else if (p.requiresGradient()) {
                out.put(name, p);
            }
        });
        return out;
    }

    /** The parameters this step updates, under torchvision's names. */
    public Map<String, Parameter> trainableParameters() {
        return Collections.unmodifiableMap(trainable);
    }

    /**
     * @param images the batch, each image in an NDManager the caller closes after the step
     * @param random one source of sampling randomness per image
     */
    public Losses run(List<TrainingImage> images, List<SplittableRandom> random, float learningRate) {
        Losses losses;
        try (NDManager scope = images.get(0).input().batch().getManager().newSubManager();
                GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            Batch batch = new Batch(scope);
            NDArray pixels = padded(images, scope);
            List<NDArray> features = net.features(parameterStore, pixels, trainableNorm);
            for (int i = 0; i < images.size(); i++) {
                NDIndex one = new NDIndex("{}:{}", i, i + 1);
                DetectionTransform.Input in = images.get(i).input();
                DetectionTransform.Input padded = new DetectionTransform.Input(pixels.get(one), in.height(), in.width(),
                        in.originalHeight(), in.originalWidth());
                forward(new TrainingImage(padded, images.get(i).boxes(), images.get(i).labels()),
                        features.stream().map(f -> f.get(one)).toList(), random.get(i), batch);
            }
            NDArray[] terms = batch.losses();
            collector.backward(terms[0].add(terms[1]).add(terms[2]).add(terms[3]));
            losses = new Losses(terms[0].getFloat(), terms[1].getFloat(), terms[2].getFloat(), terms[3].getFloat());
        }
        GradMode.off();
        sgd.step(trainable, learningRate);
        return losses;
    }

    /**
     * The step's images in one (N, 3, H, W) array, each padded at the bottom and right to the largest,
     * as torchvision batches them: the backbone runs once, and batch norm that learns normalises over
     * every image of the step.
     */
    private static NDArray padded(List<TrainingImage> images, NDManager scope) {
        long h = images.stream().mapToLong(i -> i.input().batch().getShape().get(2)).max().orElseThrow();
        long w = images.stream().mapToLong(i -> i.input().batch().getShape().get(3)).max().orElseThrow();
        NDList all = new NDList();
        for (TrainingImage image : images) {
            NDArray x = image.input().batch();
            x.tempAttach(scope);
            if (x.getShape().get(2) != h || x.getShape().get(3) != w) {
                NDArray canvas = scope.zeros(new Shape(1, 3, h, w), x.getDataType());
                canvas.set(new NDIndex(":, :, :{}, :{}", x.getShape().get(2), x.getShape().get(3)), x);
                x = canvas;
            }
            all.add(x);
        }
        return all.size() == 1 ? all.get(0) : NDArrays.concat(all, 0);
    }

    private void forward(TrainingImage image, List<NDArray> features, SplittableRandom random, Batch batch) {
        RpnOutputs rpn = net.rpnForTraining(parameterStore, features, image.input());
        TrainingExamples anchors = TrainingExamples.forAnchors(rpn.anchors(), image.boxes(), rpnMatcher, rpnSampler,
                random);
        batch.objectness.add(rpn.objectness().get(rows(batch.scope, anchors.indices())));
        batch.objectnessLabels.add(batch.scope.create(toFloats(anchors.labels())));
        batch.anchors += anchors.size();
        if (anchors.positives() > 0) {
            batch.rpnDeltas.add(rpn.deltas().get(rows(batch.scope, anchors.positiveIndices())));
            batch.rpnTargets.add(targets(batch.scope, anchors));
        }
        TrainingExamples proposals = TrainingExamples.forProposals(rpn.proposals().boxes(), image.boxes(),
                image.labels(), boxMatcher, boxSampler, random);
        if (proposals.size() == 0) {
            return;
        }
        NDList predicted = net.boxPredictions(parameterStore, features, proposals.boxes(), image.input(), trainableNorm);
        batch.classLogits.add(predicted.get(0));
        batch.classLabels.add(batch.scope.create(Arrays.stream(proposals.labels()).asLongStream().toArray()));
        batch.proposals += proposals.size();
        if (proposals.positives() > 0) {
            int k = net.config().numClasses();
            long[] own = new long[proposals.positives()];
            for (int p = 0; p < own.length; p++) {
                own[p] = (long) p * k + proposals.labels()[p];
            }
            NDArray deltas = predicted.get(1).reshape((long) proposals.size() * k, 4);
            batch.boxDeltas.add(deltas.get(new NDIndex("{}", batch.scope.create(own))));
            batch.boxTargets.add(targets(batch.scope, proposals));
        }
    }

    private static NDIndex rows(NDManager m, int[] indices) {
        return new NDIndex("{}", m.create(Arrays.stream(indices).asLongStream().toArray()));
    }

    private static NDArray targets(NDManager m, TrainingExamples e) {
        return m.create(e.regressionTargets(), new Shape(e.positives(), 4));
    }

    private static float[] toFloats(int[] labels) {
        float[] out = new float[labels.length];
        for (int i = 0; i < labels.length; i++) {
            out[i] = labels[i];
        }
        return out;
    }

    /** The sampled outputs and targets of every image of a step, gathered for the batch's losses. */
    private static final class Batch {
        final NDManager scope;
        final NDList objectness = new NDList();
        final NDList objectnessLabels = new NDList();
        final NDList rpnDeltas = new NDList();
        final NDList rpnTargets = new NDList();
        final NDList classLogits = new NDList();
        final NDList classLabels = new NDList();
        final NDList boxDeltas = new NDList();
        final NDList boxTargets = new NDList();
        int anchors;
        int proposals;

        Batch(NDManager scope) {
            this.scope = scope;
        }

        /** (objectness, RPN box regression, classifier, box regression) over the batch, as torchvision reduces them. */
        NDArray[] losses() {
            NDArray zero = scope.zeros(new Shape());
            return new NDArray[] {
                DetectionLosses.objectness(cat(objectness), cat(objectnessLabels)),
                rpnDeltas.isEmpty() ? zero
                        : DetectionLosses.rpnBoxRegression(cat(rpnDeltas), cat(rpnTargets), anchors),
                classLogits.isEmpty() ? zero : DetectionLosses.classifier(cat(classLogits), cat(classLabels)),
                boxDeltas.isEmpty() ? zero : DetectionLosses.boxRegression(cat(boxDeltas), cat(boxTargets), proposals)
            };
        }

        private static NDArray cat(NDList parts) {
            return parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 0);
        }
    }
}
