package io.resnet4j.detection;

/**
 * One detected object: its box in the original image's pixels, the model's label (1-based as in
 * torchvision; 0 is the background and never reported), the label's name and the class score.
 */
public record Detection(BoundingBox box, int label, String name, float score) {}
