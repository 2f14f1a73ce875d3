package io.resnet4j.detection;

import java.util.List;

/**
 * Images with boxes, read from Pascal VOC or COCO layout (or generated). Labels index
 * {@link #classNames()}, whose entry 0 is the background, as in torchvision's detection models.
 */
public interface DetectionDataset {

    /** Class names by label; entry 0 is {@code "__background__"}. */
    List<String> classNames();

    List<AnnotatedImage> images();

    default int numClasses() {
        return classNames().size();
    }
}
