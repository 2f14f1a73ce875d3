package io.resnet4j.detection.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.resnet4j.detection.ops.AnchorGenerator;
import io.resnet4j.io.JsonErrors;
import java.util.List;

/**
 * A detector's configuration as JSON (every record component in snake_case), shared by detector
 * checkpoints and run.json. Read from a file, a configuration is as untrusted as the file: a network
 * is built from it before any weight is compared, so every size that decides memory is bounded here.
 */
public final class DetectorConfigJson {

    /** JSON with snake_case names, for detector configurations and everything that embeds one. */
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    static final int MAX_ANCHOR_SIZES = 16;
    static final int MAX_ANCHOR_SIDE = 4096;
    static final int MAX_PROPOSALS = 100_000;
    static final int MAX_POOL = 64;

    private DetectorConfigJson() {}

    public static ObjectNode toJson(FasterRcnnConfig config) {
        return MAPPER.valueToTree(config);
    }

    /**
     * @throws IllegalArgumentException naming what is missing, malformed or out of bounds
     */
    public static FasterRcnnConfig fromJson(JsonNode o) {
        FasterRcnnConfig c;
        try {
            c = MAPPER.treeToValue(o, FasterRcnnConfig.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a detector configuration: " + JsonErrors.describe(e), e);
        }
        checkBounds(c);
        return c;
    }

    /** Limits far above any published detector and far below what exhausts memory. */
    static void checkBounds(FasterRcnnConfig c) {
        AnchorGenerator a = c.anchors();
        for (List<Integer> sizes : a.sizes()) {
            require(sizes.size() <= MAX_ANCHOR_SIZES && sizes.stream().allMatch(s -> s >= 1 && s <= MAX_ANCHOR_SIDE),
                    "anchor sizes " + sizes + " (at most " + MAX_ANCHOR_SIZES + " sizes of 1 to " + MAX_ANCHOR_SIDE
                            + " pixels a level)");
        }
        require(a.aspectRatios().size() <= MAX_ANCHOR_SIZES && a.aspectRatios().stream()
                .allMatch(r -> r >= 1e-3f && r <= 1e3f), "aspect ratios " + a.aspectRatios());
        FasterRcnnConfig.Rpn r = c.rpn();
        require(within(r.preNmsTopNTrain()) && within(r.preNmsTopNTest()) && within(r.postNmsTopNTrain())
                && within(r.postNmsTopNTest()) && within(r.batchSizePerImage()), "RPN proposal counts " + r);
        FasterRcnnConfig.Box b = c.box();
        require(b.poolSize() >= 1 && b.poolSize() <= MAX_POOL && b.samplingRatio() >= 0 && b.samplingRatio() <= MAX_POOL
                && within(b.batchSizePerImage()) && within(b.detectionsPerImage()), "box head settings " + b);
        for (float s : c.transform().std()) {
            require(s > 0 && Float.isFinite(s), "a normalisation std of " + s);
        }
        require(c.transform().sizeDivisible() <= 1024, "a size divisor of " + c.transform().sizeDivisible());
    }

    private static boolean within(int n) {
        return n >= 1 && n <= MAX_PROPOSALS;
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new IllegalArgumentException("the detector configuration has " + what + ", outside resnet4j's limits");
        }
    }
}
