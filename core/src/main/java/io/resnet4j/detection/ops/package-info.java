/**
 * The operations of two-stage detectors, with torchvision's semantics: anchors, box coding, box
 * utilities, non-maximum suppression, RoIAlign (single- and multi-scale) and the input transform.
 * Boxes are {@code float[]} rows of (x1, y1, x2, y2); feature maps are NDArrays, and RoIAlign is
 * built from libtorch gathers so that gradients reach the features when a detector trains.
 */
package io.resnet4j.detection.ops;
