/**
 * An HTTP inference server over {@link io.resnet4j.inference.ImageClassifier}: image and tensor
 * endpoints (including the Open Inference Protocol v2), dynamic batching per model, Prometheus
 * metrics, a web page to classify images and a live dashboard of training runs. Needs the
 * optional javalin and micrometer-registry-prometheus dependencies.
 */
package io.resnet4j.serve;
