/**
 * The {@code resnet4j spark predict|features|eval} commands: picocli shells over the Spark
 * transformers and the image-folder evaluation, for people who do not write Spark code.
 */
package io.resnet4j.spark.cli;
