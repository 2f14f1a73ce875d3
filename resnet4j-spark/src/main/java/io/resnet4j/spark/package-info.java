/**
 * resnet4j on Apache Spark: ML {@link org.apache.spark.ml.Transformer}s that classify and embed
 * images held as binary columns ({@link io.resnet4j.spark.ResNetImageClassifier},
 * {@link io.resnet4j.spark.ResNetImageFeaturizer}), and what they share: where executors get the
 * model ({@link io.resnet4j.spark.ModelSource}), the one model per executor JVM
 * ({@link io.resnet4j.spark.ModelCache}), and batched inference over a partition.
 */
package io.resnet4j.spark;
