/**
 * Faster R-CNN (Ren et al., 2015) on resnet4j's ResNets: torchvision's {@code
 * fasterrcnn_resnet50_fpn} with its state_dict names, so its published COCO weights load, and the
 * ResNet paper's C4 design (conv1..conv4_x shared, conv5_x per region). Both share the region
 * proposal network and the box post-processing; their backbones run batch norm frozen.
 */
package io.resnet4j.detection.model;
