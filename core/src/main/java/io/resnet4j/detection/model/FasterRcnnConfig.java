package io.resnet4j.detection.model;

import io.resnet4j.detection.ops.AnchorGenerator;
import io.resnet4j.detection.ops.DetectionTransform;
import io.resnet4j.model.ResNetFamily;
import io.resnet4j.model.ResNetSpec;
import io.resnet4j.model.StridePlacement;
import java.util.List;
import java.util.Objects;

/**
 * Everything that defines a Faster R-CNN: architecture, backbone, classes, input transform,
 * anchors, and the proposal and box settings for training and inference. The factories hold
 * torchvision's defaults for the FPN model and the ResNet paper's choices for C4.
 *
 * @param architecture FPN (torchvision) or C4 (the paper)
 * @param backbone a ResNet of four stages of {@link ResNetFamily}: the paper's resnet50 and resnet101, and
 *     resnet18/34/152 (the small ones train in minutes on a CPU)
 * @param stridePlacement where the backbone's bottlenecks stride: torchvision's weights on the 3x3, the
 *     paper's (and resnet4j's default) on the first 1x1
 * @param numClasses classes including the background (91 for torchvision's COCO models)
 * @param transform resize, normalisation and padding of the input
 * @param anchors one anchor level per feature level the RPN sees
 * @param rpn region proposal settings
 * @param box box head settings
 * @param headStride C4 only: the stride of conv5_x's first unit on 14x14 RoI features (1 as the issue
 *     asks after the paper's appendix; Detectron's C4 uses 2)
 */
public record FasterRcnnConfig(
        Architecture architecture,
        String backbone,
        StridePlacement stridePlacement,
        int numClasses,
        DetectionTransform transform,
        AnchorGenerator anchors,
        Rpn rpn,
        Box box,
        int headStride) {

    /** How features reach the RPN and the box head. */
    public enum Architecture {
        /** Feature pyramid on conv2_x..conv5_x, multi-scale RoIAlign, two-MLP box head (torchvision). */
        FPN,
        /** conv1..conv4_x shared at stride 16, conv5_x and global pooling per region (the ResNet paper). */
        C4
    }

    /**
     * @param preNmsTopNTrain proposals kept per level before NMS while training
     * @param preNmsTopNTest the same at inference
     * @param postNmsTopNTrain proposals kept per image after NMS while training
     * @param postNmsTopNTest the same at inference
     * @param nmsThreshold IoU above which a proposal suppresses another
     * @param fgIouThreshold anchors with at least this IoU with a ground-truth box are positives
     * @param bgIouThreshold anchors below this IoU with every box are negatives
     * @param batchSizePerImage anchors sampled per image for the loss
     * @param positiveFraction the largest share of positives among them
     */
    public record Rpn(int preNmsTopNTrain, int preNmsTopNTest, int postNmsTopNTrain, int postNmsTopNTest,
            float nmsThreshold, float fgIouThreshold, float bgIouThreshold, int batchSizePerImage,
            float positiveFraction) {

        /** torchvision's fasterrcnn_resnet50_fpn. */
        public static Rpn torchvision() {
            return new Rpn(2000, 1000, 2000, 1000, 0.7f, 0.7f, 0.3f, 256, 0.5f);
        }

        public Rpn withTestTopN(int preNms, int postNms) {
            return new Rpn(preNmsTopNTrain, preNms, postNmsTopNTrain, postNms, nmsThreshold, fgIouThreshold,
                    bgIouThreshold, batchSizePerImage, positiveFraction);
        }

        public int preNmsTopN(boolean training) {
            return training ? preNmsTopNTrain : preNmsTopNTest;
        }

        public int postNmsTopN(boolean training) {
            return training ? postNmsTopNTrain : postNmsTopNTest;
        }
    }

    /**
     * @param poolSize RoIAlign bins per side (7 for FPN, 14 for C4)
     * @param samplingRatio RoIAlign samples per bin side (0: adaptive)
     * @param scoreThreshold detections must score above this
     * @param nmsThreshold per-class NMS IoU threshold
     * @param detectionsPerImage the most detections reported per image
     * @param fgIouThreshold proposals with at least this IoU with a ground-truth box are foreground
     * @param bgIouThreshold proposals below this IoU with every box are background
     * @param batchSizePerImage proposals sampled per image for the loss
     * @param positiveFraction the largest share of foreground among them
     */
    public record Box(int poolSize, int samplingRatio, float scoreThreshold, float nmsThreshold,
            int detectionsPerImage, float fgIouThreshold, float bgIouThreshold, int batchSizePerImage,
            float positiveFraction) {

        public static Box torchvision() {
            return new Box(7, 2, 0.05f, 0.5f, 100, 0.5f, 0.5f, 512, 0.25f);
        }

        public Box withOutput(float score, int detections) {
            return new Box(poolSize, samplingRatio, score, nmsThreshold, detections, fgIouThreshold, bgIouThreshold,
                    batchSizePerImage, positiveFraction);
        }
    }

    public FasterRcnnConfig {
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(stridePlacement, "stridePlacement");
        Objects.requireNonNull(transform, "transform");
        Objects.requireNonNull(anchors, "anchors");
        Objects.requireNonNull(rpn, "rpn");
        Objects.requireNonNull(box, "box");
        ResNetSpec spec = ResNetFamily.get(backbone);
        if (spec.preActivation() || !spec.residual() || spec.stages() != 4) {
            throw new IllegalArgumentException("Faster R-CNN takes a ResNet of four stages (resnet18, resnet34,"
                    + " resnet50, resnet101, resnet152), got " + backbone);
        }
        if (numClasses < 2 || numClasses > io.resnet4j.model.ResNetConfig.MAX_CLASSES) {
            throw new IllegalArgumentException("a detector needs at least 2 classes (the background and one object),"
                    + " got " + numClasses);
        }
        int levels = architecture == Architecture.FPN ? 5 : 1;
        if (anchors.levels() != levels) {
            throw new IllegalArgumentException(architecture + " proposes on " + levels + " feature level(s), but the"
                    + " anchors have " + anchors.levels());
        }
        if (headStride != 1 && headStride != 2) {
            throw new IllegalArgumentException("the C4 head's stride is 1 or 2, got " + headStride);
        }
        if (box.detectionsPerImage() < 1 || !(box.scoreThreshold() >= 0 && box.scoreThreshold() <= 1)) {
            throw new IllegalArgumentException("detections per image must be at least 1 and the score threshold"
                    + " between 0 and 1, got " + box.detectionsPerImage() + " and " + box.scoreThreshold());
        }
    }

    /** torchvision's {@code fasterrcnn_resnet50_fpn} (v1) on a backbone, for {@code numClasses} classes. */
    public static FasterRcnnConfig fpn(String backbone, int numClasses) {
        return new FasterRcnnConfig(Architecture.FPN, backbone, StridePlacement.MIDDLE_3X3, numClasses,
                DetectionTransform.torchvision(), AnchorGenerator.fpn(), Rpn.torchvision(), Box.torchvision(), 1);
    }

    /**
     * The ResNet paper's detector: shorter side 600 (longer at most 1000), anchors of 5 sizes (32 to
     * 512) and 3 aspect ratios on conv4_x, 300 proposals at test time, RoIAlign to 14x14.
     */
    public static FasterRcnnConfig c4(String backbone, int numClasses) {
        DetectionTransform t = new DetectionTransform(600, 1000, new float[] {0.485f, 0.456f, 0.406f},
                new float[] {0.229f, 0.224f, 0.225f}, 16);
        AnchorGenerator anchors = new AnchorGenerator(List.of(List.of(32, 64, 128, 256, 512)), List.of(0.5f, 1f, 2f));
        Rpn rpn = new Rpn(12000, 6000, 2000, 300, 0.7f, 0.7f, 0.3f, 256, 0.5f);
        Box box = new Box(14, 2, 0.05f, 0.5f, 100, 0.5f, 0.5f, 512, 0.25f);
        return new FasterRcnnConfig(Architecture.C4, backbone, StridePlacement.FIRST_1X1, numClasses, t, anchors, rpn,
                box, 1);
    }

    public FasterRcnnConfig withTransform(DetectionTransform t) {
        return new FasterRcnnConfig(architecture, backbone, stridePlacement, numClasses, t, anchors, rpn, box,
                headStride);
    }

    public FasterRcnnConfig withRpn(Rpn r) {
        return new FasterRcnnConfig(architecture, backbone, stridePlacement, numClasses, transform, anchors, r, box,
                headStride);
    }

    public FasterRcnnConfig withBox(Box b) {
        return new FasterRcnnConfig(architecture, backbone, stridePlacement, numClasses, transform, anchors, rpn, b,
                headStride);
    }

    public FasterRcnnConfig withStridePlacement(StridePlacement placement) {
        return new FasterRcnnConfig(architecture, backbone, placement, numClasses, transform, anchors, rpn, box,
                headStride);
    }

    public FasterRcnnConfig withHeadStride(int stride) {
        return new FasterRcnnConfig(architecture, backbone, stridePlacement, numClasses, transform, anchors, rpn, box,
                stride);
    }
}
