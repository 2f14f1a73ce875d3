/**
 * Metrics and test protocols: the paper's error measures (top-1 error, top-5 membership with
 * pessimistic ties, per-class accuracy via {@link io.resnet4j.eval.ConfusionMatrix}) and the
 * training-curve figures in the style of the paper's Figure 6 ({@link io.resnet4j.eval.TrainingCurves}),
 * so that a run's numbers and plots can be compared with the paper's tables and figures.
 */
package io.resnet4j.eval;
