package io.resnet4j.detection.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.resnet4j.SharedData;
import io.resnet4j.detection.ops.DetectionTransform;
import io.resnet4j.image.ImageLoader;
import io.resnet4j.image.RgbImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Runs fasterrcnn_resnet50_fpn with the formula weights on the cases of a fixture written by
 * tools/fixtures/make_detection_fixtures.py and compares every stage with torchvision's: input and
 * feature maps within 1e-4 of their largest magnitude, the top 50 proposals and detections in the
 * same order with boxes within 1e-3 pixels and scores within 1e-4.
 */
final class TorchvisionFixtures {

    static final double MAP_TOLERANCE = 1e-4;
    static final double BOX_TOLERANCE = 1e-3;
    static final double SCORE_TOLERANCE = 1e-4;

    private TorchvisionFixtures() {}

    static JsonNode read(String name) throws IOException {
        try (InputStream in = TorchvisionFixtures.class.getResourceAsStream("/detection/" + name)) {
            return new ObjectMapper().readTree(in);
        }
    }

    /** Checks every case of the fixture; skips when the shared photos are absent. */
    static void check(String fixture) throws IOException {
        JsonNode doc = read(fixture);
        for (JsonNode c : doc.get("cases")) {
            Path image = SharedData.path("images", c.get("image").asText());
            assumeTrue(Files.isRegularFile(image), "shared photos not found at " + image);
            checkCase(c, ImageLoader.read(image));
        }
    }

    private static void checkCase(JsonNode c, RgbImage image) {
        String name = c.get("image").asText() + "@" + c.get("min_size").asInt();
        FasterRcnnConfig config = FasterRcnnConfig.fpn("resnet50", 91)
                .withTransform(DetectionTransform.torchvision().withSizes(c.get("min_size").asInt(), c.get("max_size").asInt()))
                .withBox(FasterRcnnConfig.Box.torchvision().withOutput(0f, 100));
        try (NDManager manager = NDManager.newBaseManager()) {
            FasterRcnn net = new FasterRcnn(config).initialize(manager);
            FormulaWeights.fill(net, manager);
            ParameterStore ps = new ParameterStore(manager, false);
            DetectionTransform.Input input = config.transform().apply(manager, image);
            assertThat(new int[] {input.height(), input.width()}).as(name + " resized size")
                    .containsExactly(ints(c.get("resized_size")));
            JsonNode maps = c.get("maps");
            compareMap(name + " input", input.batch(), maps.get("input"));
            List<NDArray> stages = net.body().stageOutputs(ps, input.batch(), false);
            for (int i = 0; i < stages.size(); i++) {
                compareMap(name + " body." + i, stages.get(i), maps.get("body." + i));
            }
            List<NDArray> features = net.pyramid(ps, stages);
            String[] levels = {"0", "1", "2", "3", "pool"};
            for (int i = 0; i < levels.length; i++) {
                compareMap(name + " fpn." + levels[i], features.get(i), maps.get("fpn." + levels[i]));
            }
            Proposals proposals = net.proposals(ps, features, input);
            JsonNode p = c.get("proposals");
            assertThat(proposals.count()).as(name + " proposals").isEqualTo(p.get("count").asInt());
            compareRanked(name + " proposal", proposals.boxes(), proposals.scores(), null, p);
            ImageDetections d = net.detections(ps, features, proposals, input);
            ImageDetections original = new ImageDetections(input.toOriginal(d.boxes()), d.scores(), d.labels());
            JsonNode e = c.get("detections");
            assertThat(original.count()).as(name + " detections").isEqualTo(e.get("count").asInt());
            compareRanked(name + " detection", original.boxes(), original.scores(), original.labels(), e);
        }
    }

    /** Shape, sum and evenly spaced samples of a map against torchvision's summary. */
    static void compareMap(String what, NDArray map, JsonNode expected) {
        compareMap(what, map, expected, MAP_TOLERANCE);
    }

    /** The same within a tolerance relative to the largest magnitude (and the sum to the sum of magnitudes). */
    static void compareMap(String what, NDArray map, JsonNode expected, double tolerance) {
        assertThat(map.getShape().getShape()).as(what + " shape").containsExactly(longs(expected.get("shape")));
        float[] v = map.toFloatArray();
        double maxAbs = expected.get("max_abs").asDouble();
        JsonNode samples = expected.get("samples");
        int s = samples.size();
        for (int k = 0; k < s; k++) {
            long index = k * (long) (v.length - 1) / (s - 1);
            assertThat((double) v[(int) index]).as(what + " element " + index)
                    .isCloseTo(samples.get(k).asDouble(), org.assertj.core.data.Offset.offset(tolerance * maxAbs));
        }
        double sum = 0;
        for (float x : v) {
            sum += x;
        }
        assertThat(sum).as(what + " sum").isCloseTo(expected.get("sum").asDouble(),
                org.assertj.core.data.Offset.offset(tolerance * expected.get("abs_sum").asDouble()));
    }

    /** The first entries in order: boxes within 1e-3 pixels, scores within 1e-4, labels equal. */
    static void compareRanked(String what, float[] boxes, float[] scores, int[] labels, JsonNode expected) {
        JsonNode eb = expected.get("boxes");
        for (int i = 0; i < eb.size(); i++) {
            String at = what + " " + i;
            if (labels != null) {
                assertThat(labels[i]).as(at + " label").isEqualTo(expected.get("labels").get(i).asInt());
            }
            assertThat((double) scores[i]).as(at + " score")
                    .isCloseTo(expected.get("scores").get(i).asDouble(), org.assertj.core.data.Offset.offset(SCORE_TOLERANCE));
            for (int k = 0; k < 4; k++) {
                assertThat((double) boxes[4 * i + k]).as(at + " coordinate " + k)
                        .isCloseTo(eb.get(i).get(k).asDouble(), org.assertj.core.data.Offset.offset(BOX_TOLERANCE));
            }
        }
    }

    private static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asInt();
        }
        return out;
    }

    private static long[] longs(JsonNode a) {
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asLong();
        }
        return out;
    }
}
