/**
 * Object detection with ResNet backbones (the paper's Tables 7 and 8): the vocabulary shared by the
 * detection models, data sets and metrics. Labels are 1-based with 0 for the background, and boxes
 * are corner coordinates in the original image's pixels, as in torchvision's detection models.
 */
package io.resnet4j.detection;
