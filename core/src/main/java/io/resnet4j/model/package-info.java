/** The ResNet family as a table (ResNetFamily) driving one builder (ResNet): specs, per-instance options, the expanded plan with exact parameter and multiply-add counts, and the DJL blocks. */
package io.resnet4j.model;
