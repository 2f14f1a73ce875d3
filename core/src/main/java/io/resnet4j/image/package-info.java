/** Image files to network inputs: decoding to RGB, PIL-compatible resizing, centre crop and normalisation, and the ImageNet class names. */
package io.resnet4j.image;
