package io.resnet4j.detection.model;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * fasterrcnn_resnet50_fpn against torchvision 0.14 with the same (formula) weights on the shared
 * photos: every stage from the normalised input to the final detections (see {@link TorchvisionFixtures}).
 */
class FasterRcnnEquivalenceTest {

    /** One photo with the shorter side at 224: every stage of the 800-pixel pipeline, in seconds. */
    @Test
    void matchesTorchvisionOnASmallInput() throws Exception {
        TorchvisionFixtures.check("fpn_small.json");
    }

    /** torchvision's own input size (800, longer side at most 1333) on three photos. */
    @Test
    @Tag("slow")
    void matchesTorchvisionAt800Pixels() throws Exception {
        TorchvisionFixtures.check("fpn_800.json");
    }
}
