package io.resnet4j.detection.train;

import static io.resnet4j.detection.train.TorchvisionTrainingFixture.floats;
import static io.resnet4j.detection.train.TorchvisionTrainingFixture.ints;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.resnet4j.detection.ops.AnchorGenerator;
import io.resnet4j.detection.ops.BoxCoder;
import io.resnet4j.detection.ops.Boxes;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Target assignment against torchvision 0.14 (the deterministic part, before sampling): every anchor's
 * and every candidate box's label, the positives' matched boxes and regression targets.
 */
class TrainingExamplesTest {

    static final Matcher RPN = new Matcher(0.7f, 0.3f, true);
    static final Matcher BOX_HEAD = new Matcher(0.5f, 0.5f, false);

    @Test
    void anchorsAreLabelledAsTorchvisionLabelsThem() {
        JsonNode c = TorchvisionTrainingFixture.get("anchors");
        int[] grid = ints(c.get("grid"));
        int[] size = ints(c.get("image_size"));
        AnchorGenerator generator = new AnchorGenerator(List.of(Arrays.stream(ints(c.get("sizes"))).boxed().toList()),
                List.of(0.5f, 1f, 2f));
        float[] anchors = generator.anchors(0, grid[0], grid[1], size[0], size[1]);
        assertThat(Boxes.count(anchors)).isEqualTo(c.get("anchors").asInt());
        double sum = 0;
        for (float a : anchors) {
            sum += a;
        }
        assertThat(sum).isEqualTo(c.get("anchor_checksum").asDouble());
        float[] gt = floats(c.get("gt"));

        int[] matches = RPN.match(gt, anchors);
        int[] labels = TrainingExamples.anchorLabels(matches, Boxes.count(anchors));
        assertThat(labels).containsExactly(ints(c.get("labels")));
        int[] positives = IntStream.range(0, labels.length).filter(i -> labels[i] == 1).toArray();
        assertThat(positives).containsExactly(ints(c.get("positives")));
        // The small box reaches no anchor's 0.7 and is still matched: the low-quality rule.
        assertThat(Arrays.stream(positives).map(i -> matches[i]).distinct().sorted().toArray()).containsExactly(0, 1, 2, 3);

        float[] matched = new float[4 * positives.length];
        for (int k = 0; k < positives.length; k++) {
            System.arraycopy(gt, 4 * matches[positives[k]], matched, 4 * k, 4);
        }
        assertThat(matched).containsExactly(floats(c.get("positive_matched")));
        float[] targets = BoxCoder.rpn().encode(matched, Boxes.rows(anchors, positives));
        assertThat(targets).containsExactly(floats(c.get("positive_targets")), within(1e-6f));
    }

    @Test
    void proposalsAndGroundTruthAreLabelledAsTorchvisionLabelsThem() {
        JsonNode c = TorchvisionTrainingFixture.get("proposals");
        float[] proposals = floats(c.get("proposals"));
        float[] gt = floats(c.get("gt"));
        int[] gtLabels = ints(c.get("gt_labels"));
        float[] candidates = Arrays.copyOf(proposals, proposals.length + gt.length);
        System.arraycopy(gt, 0, candidates, proposals.length, gt.length);

        int[] matches = BOX_HEAD.match(gt, candidates);
        int[] labels = TrainingExamples.proposalLabels(matches, gtLabels, Boxes.count(candidates));
        assertThat(labels).containsExactly(ints(c.get("labels")));
        int[] positives = IntStream.range(0, labels.length).filter(i -> labels[i] > 0).toArray();
        assertThat(positives).containsExactly(ints(c.get("positives")));
        assertThat(Arrays.stream(positives).map(i -> matches[i]).toArray()).containsExactly(ints(c.get("positive_matched")));

        // Sampling everything: the positives' targets are torchvision's, weights (10, 10, 5, 5).
        TrainingExamples all = TrainingExamples.forProposals(proposals, gt, gtLabels, BOX_HEAD,
                new BalancedSampler(1000, 1f), new SplittableRandom(1));
        assertThat(all.positiveIndices()).containsExactly(positives);
        assertThat(all.positiveLabels()).containsExactly(Arrays.stream(positives).map(i -> labels[i]).toArray());
        assertThat(all.regressionTargets()).containsExactly(floats(c.get("positive_targets")), within(1e-5f));
        assertThat(all.size()).isEqualTo(Boxes.count(candidates));
        assertThat(all.boxes()).hasSize(4 * all.size());
    }

    @Test
    void imagesWithoutObjectsGiveOnlyBackground() {
        float[] anchors = {0, 0, 10, 10, 5, 5, 20, 20, 30, 30, 40, 40};
        TrainingExamples rpn = TrainingExamples.forAnchors(anchors, new float[0], RPN, new BalancedSampler(256, 0.5f),
                new SplittableRandom(3));
        assertThat(rpn.positives()).isZero();
        assertThat(rpn.indices()).containsExactly(0, 1, 2);
        assertThat(rpn.labels()).containsOnly(0);
        TrainingExamples head = TrainingExamples.forProposals(anchors, new float[0], new int[0], BOX_HEAD,
                new BalancedSampler(2, 0.25f), new SplittableRandom(3));
        assertThat(head.size()).isEqualTo(2);
        assertThat(head.regressionTargets()).isEmpty();
    }
}
