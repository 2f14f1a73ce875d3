package io.resnet4j.detection.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.resnet4j.detection.ops.DetectionTransform;
import io.resnet4j.detection.ops.MultiScaleRoiAlign;
import io.resnet4j.detection.ops.RoiAlign;
import io.resnet4j.model.BlockType;
import io.resnet4j.model.Layouts;
import io.resnet4j.model.ResNet;
import io.resnet4j.model.ResNetConfig;
import io.resnet4j.model.ResNetPlan;
import io.resnet4j.model.ResidualUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Faster R-CNN (Ren, He, Girshick, Sun, 2015) on a resnet4j ResNet, in one of two designs:
 *
 * <ul>
 *   <li>{@link FasterRcnnConfig.Architecture#FPN}: torchvision's {@code fasterrcnn_resnet50_fpn}. The
 *       ResNet's four stages feed a feature pyramid; the RPN proposes on its five levels; each proposal
 *       is pooled (7x7) from the level that suits its size and goes through two fully connected layers.
 *   <li>{@link FasterRcnnConfig.Architecture#C4}: the ResNet paper's detector. conv1..conv4_x run once
 *       per image (stride 16) and feed the RPN; each proposal is pooled to 14x14 from conv4_x and goes
 *       through conv5_x (its first unit striding by {@link FasterRcnnConfig#headStride()}) and global
 *       average pooling, the per-region part of the network.
 * </ul>
 *
 * Both end with class scores and class-specific box regression. The backbone's batch norm is frozen:
 * it always normalises with its stored statistics, as torchvision's {@code FrozenBatchNorm2d} and the
 * paper do. {@link #stateDict()} names every tensor as torchvision's state_dict does (for C4, conv5_x
 * is {@code roi_heads.box_head.layer4}), so torchvision's COCO weights load unchanged.
 */
public final class FasterRcnn extends AbstractBlock {

    /** Channels of every FPN level (torchvision's out_channels). */
    static final int FPN_CHANNELS = 256;
    /** The FPN box head's representation size (torchvision's TwoMLPHead). */
    static final int REPRESENTATION = 1024;
    private static final int C4_HEAD_STAGE = 3;

    private final FasterRcnnConfig config;
    private final ResNet body;
    private final Fpn fpn;
    private final RpnHead rpnHead;
    private final TwoMlpHead mlpHead;
    private final BoxPredictor predictor;
    private final RegionProposalNetwork rpn;
    private final RoiHeads roiHeads;

    public FasterRcnn(FasterRcnnConfig config) {
        super((byte) 1);
        this.config = Objects.requireNonNull(config, "config: use FasterRcnnConfig.fpn(\"resnet50\", 91)");
        ResNetConfig backbone = ResNetConfig.of(config.backbone()).withClasses(1);
        if (backbone.spec().blockType() == BlockType.BOTTLENECK) { // basic units always stride on their first 3x3
            backbone = backbone.withStridePlacement(config.stridePlacement());
        }
        boolean c4 = config.architecture() == FasterRcnnConfig.Architecture.C4;
        ResNetPlan plan = c4 ? backbone.plan().withStageStride(C4_HEAD_STAGE, config.headStride()) : backbone.plan();
        body = addChildBlock("body", new ResNet(plan));
        int anchors = config.anchors().perLocation(0);
        if (c4) {
            fpn = null;
            mlpHead = null;
            int conv4 = plan.units().stream().filter(u -> u.stage() == C4_HEAD_STAGE - 1).reduce((a, b) -> b)
                    .orElseThrow().outChannels();
            rpnHead = addChildBlock("rpn_head", new RpnHead(conv4, anchors));
            predictor = addChildBlock("box_predictor", new BoxPredictor(plan.featureChannels(), config.numClasses()));
        } else {
            fpn = addChildBlock("fpn", new Fpn(stageChannels(plan), FPN_CHANNELS));
            rpnHead = addChildBlock("rpn_head", new RpnHead(FPN_CHANNELS, anchors));
            int pool = config.box().poolSize();
            mlpHead = addChildBlock("box_head", new TwoMlpHead((long) FPN_CHANNELS * pool * pool, REPRESENTATION));
            predictor = addChildBlock("box_predictor", new BoxPredictor(REPRESENTATION, config.numClasses()));
        }
        rpn = new RegionProposalNetwork(rpnHead, config.anchors(), config.rpn());
        roiHeads = new RoiHeads(c4 ? this::c5Features : this::mlpFeatures, predictor, config.box());
    }

    private static int[] stageChannels(ResNetPlan plan) {
        int stages = plan.config().spec().stages();
        int[] out = new int[stages];
        for (ResNetPlan.UnitPlan u : plan.units()) {
            out[u.stage()] = u.outChannels();
        }
        return out;
    }

    public FasterRcnnConfig config() {
        return config;
    }

    /** The ResNet: the backbone's body (for C4 its conv5_x is the box head). */
    public ResNet body() {
        return body;
    }

    /** Allocates and initialises every parameter on the manager's device. */
    public FasterRcnn initialize(NDManager manager) {
        initialize(manager, DataType.FLOAT32, new Shape(1, 3, 64, 64));
        return this;
    }

    /** Each part with the shapes it sees on a 64x64 input (a single region for the heads). */
    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        body.initialize(manager, dataType, inputShapes);
        ResNetPlan plan = body.plan();
        int[] channels = stageChannels(plan);
        Shape[] stages = new Shape[channels.length];
        for (int i = 0; i < channels.length; i++) {
            stages[i] = new Shape(1, channels[i], 16 >> i, 16 >> i);
        }
        if (fpn != null) {
            fpn.initialize(manager, dataType, stages);
            rpnHead.initialize(manager, dataType, new Shape(1, FPN_CHANNELS, 16, 16));
            int pool = config.box().poolSize();
            mlpHead.initialize(manager, dataType, new Shape(1, FPN_CHANNELS, pool, pool));
            predictor.initialize(manager, dataType, new Shape(1, REPRESENTATION));
        } else {
            rpnHead.initialize(manager, dataType, stages[C4_HEAD_STAGE - 1]);
            predictor.initialize(manager, dataType, new Shape(1, plan.featureChannels()));
        }
    }

    /**
     * Every parameter and frozen statistic under torchvision's state_dict names, in its order
     * (FrozenBatchNorm2d keeps no {@code num_batches_tracked}).
     */
    public Map<String, Parameter> stateDict() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        boolean c4 = fpn == null;
        body.stateDict().forEach((name, p) -> {
            if (c4 && name.startsWith("layer" + (C4_HEAD_STAGE + 1) + ".")) {
                out.put("roi_heads.box_head." + name, p);
            } else if (!name.startsWith("fc.")) {
                out.put("backbone.body." + name, p);
            }
        });
        if (!c4) {
            fpn.stateDict().forEach((name, p) -> out.put("backbone.fpn." + name, p));
        }
        rpnHead.stateDict().forEach((name, p) -> out.put("rpn.head." + name, p));
        if (!c4) {
            mlpHead.stateDict().forEach((name, p) -> out.put("roi_heads.box_head." + name, p));
        }
        predictor.stateDict().forEach((name, p) -> out.put("roi_heads.box_predictor." + name, p));
        return sorted(out);
    }

    /** torchvision's module order: body, fpn, rpn, roi_heads (C4's conv5_x belongs to the last). */
    private static Map<String, Parameter> sorted(Map<String, Parameter> sd) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        for (String prefix : List.of("backbone.body.", "backbone.fpn.", "rpn.", "roi_heads.box_head.",
                "roi_heads.box_predictor.")) {
            sd.forEach((k, v) -> {
                if (k.startsWith(prefix)) {
                    out.put(k, v);
                }
            });
        }
        return out;
    }

    /** The maps the RPN sees, each (N, C, H, W): FPN levels P2..P6, or conv4_x for C4. */
    public List<NDArray> features(ParameterStore ps, NDArray images) {
        return features(ps, images, false);
    }

    /**
     * The maps the RPN sees, in a training pass. With {@code trainableNorm} the backbone's batch norm
     * normalises with each batch's statistics and updates its running ones (training from scratch, as
     * torchvision does without pretrained weights); otherwise it stays frozen, as at inference.
     */
    public List<NDArray> features(ParameterStore ps, NDArray batch, boolean trainableNorm) {
        NDArray images = Layouts.channelsLast(batch);
        if (fpn == null) {
            return List.of(body.stageOutput(ps, images, C4_HEAD_STAGE - 1, trainableNorm));
        }
        return pyramid(ps, body.stageOutputs(ps, images, trainableNorm));
    }

    /** The FPN levels from the body's stage outputs (FPN models only). */
    List<NDArray> pyramid(ParameterStore ps, List<NDArray> stages) {
        return fpn.forward(ps, stages, false);
    }

    /** The region proposals of one image from its feature maps (inference settings). */
    public Proposals proposals(ParameterStore ps, List<NDArray> features, DetectionTransform.Input input) {
        return rpn.propose(rpn.run(ps, features, false), input, false);
    }

    /** Detections of one image in the resized image's pixels, from its maps and proposals. */
    public ImageDetections detections(ParameterStore ps, List<NDArray> features, Proposals proposals,
            DetectionTransform.Input input) {
        return roiHeads.detect(ps, features, proposals, input);
    }

    /**
     * The RPN on one image as training needs it: every anchor's objectness logit and box deltas (in
     * the autograd graph), the anchors, and the proposals made with the training settings (no
     * gradient flows into them, as in Faster R-CNN).
     */
    public RpnOutputs rpnForTraining(ParameterStore ps, List<NDArray> features, DetectionTransform.Input input) {
        RegionProposalNetwork.HeadOutput head = rpn.run(ps, features, true);
        int paddedH = (int) input.batch().getShape().get(2);
        int paddedW = (int) input.batch().getShape().get(3);
        List<float[]> anchors = new ArrayList<>();
        for (int l = 0; l < head.grids().size(); l++) {
            int[] grid = head.grids().get(l);
            anchors.add(config.anchors().anchors(l, grid[0], grid[1], paddedH, paddedW));
        }
        NDArray objectness = head.objectness().size() == 1 ? head.objectness().get(0)
                : NDArrays.concat(new NDList(head.objectness()), 0);
        NDArray deltas = head.deltas().size() == 1 ? head.deltas().get(0) : NDArrays.concat(new NDList(head.deltas()), 0);
        return new RpnOutputs(objectness, deltas, concat(anchors), rpn.propose(head, input, true));
    }

    private static float[] concat(List<float[]> parts) {
        float[] out = new float[parts.stream().mapToInt(p -> p.length).sum()];
        int o = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length;
        }
        return out;
    }

    /**
     * Class logits (R, K) and box deltas (R, 4K) of boxes on one image's maps, in the autograd graph;
     * {@code trainableNorm} as in {@link #features(ParameterStore, NDArray, boolean)} (the C4 head's
     * conv5_x has batch norm).
     */
    public NDList boxPredictions(ParameterStore ps, List<NDArray> features, float[] boxes,
            DetectionTransform.Input input, boolean trainableNorm) {
        return roiHeads.predict(ps, features, boxes, input, trainableNorm);
    }

    /** Detections of one image in its original pixels, best first. */
    public ImageDetections detect(ParameterStore ps, DetectionTransform.Input input) {
        List<NDArray> f = features(ps, input.batch());
        ImageDetections d = detections(ps, f, proposals(ps, f, input), input);
        return new ImageDetections(input.toOriginal(d.boxes()), d.scores(), d.labels());
    }

    private NDArray mlpFeatures(ParameterStore ps, List<NDArray> maps, float[] boxes, DetectionTransform.Input input,
            boolean training) {
        MultiScaleRoiAlign pool = new MultiScaleRoiAlign(align(), 224, 4);
        List<NDArray> levels = new ArrayList<>();
        for (NDArray m : maps.subList(0, maps.size() - 1)) { // the extra level serves the RPN only
            levels.add(m.squeeze(0));
        }
        return mlpHead.forward(ps, pool.apply(levels, boxes, input.height(), input.width()), training);
    }

    private NDArray c5Features(ParameterStore ps, List<NDArray> maps, float[] boxes, DetectionTransform.Input input,
            boolean training) {
        MultiScaleRoiAlign pool = new MultiScaleRoiAlign(align(), 224, 4);
        NDArray h = pool.apply(List.of(maps.get(0).squeeze(0)), boxes, input.height(), input.width());
        for (ResidualUnit unit : body.units()) {
            if (unit.plan().stage() == C4_HEAD_STAGE) {
                h = ResNet.applyReleasing(unit, ps, h, training);
            }
        }
        return Pool.globalAvgPool2d(h).reshape(h.getShape().get(0), -1);
    }

    private RoiAlign align() {
        return new RoiAlign(config.box().poolSize(), config.box().samplingRatio(), false);
    }

    /**
     * DJL's forward for one image: (batch (1, 3, H, W) from {@link DetectionTransform}, sizes int32
     * [height, width, original height, original width]) to (boxes (n, 4) in original pixels, scores
     * (n), labels (n) int32), best first.
     */
    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        int[] s = inputs.get(1).toIntArray();
        DetectionTransform.Input input = new DetectionTransform.Input(inputs.get(0), s[0], s[1], s[2], s[3]);
        ImageDetections d = detect(ps, input);
        NDManager m = inputs.get(0).getManager();
        return new NDList(m.create(d.boxes(), new Shape(d.count(), 4)), m.create(d.scores()), m.create(d.labels()));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(-1, 4), new Shape(-1), new Shape(-1)};
    }
}
