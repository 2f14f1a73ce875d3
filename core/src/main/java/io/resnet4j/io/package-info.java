/** Weight formats: safetensors reading and writing, and moving torchvision-named state_dicts into and out of a ResNet. */
package io.resnet4j.io;
