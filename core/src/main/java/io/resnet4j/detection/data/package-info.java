/**
 * Detection data sets: {@link io.resnet4j.detection.data.VocDataset} (Pascal VOC layout, boxes as
 * 0-based corners {@code (xmin - 1, ymin - 1, xmax, ymax)}, {@code difficult} kept),
 * {@link io.resnet4j.detection.data.CocoDataset} (COCO instances JSON, streamed; labels by category id
 * as torchvision's COCO models number them, or contiguous), {@link io.resnet4j.detection.data.DetectionData}
 * to open either by layout, and {@link io.resnet4j.detection.data.DetectionSample}, a procedural shape
 * set written in VOC layout for demos and tests. Annotation files are untrusted: size-limited, XML
 * without DTDs, every field checked, errors in one line naming the file.
 */
package io.resnet4j.detection.data;
