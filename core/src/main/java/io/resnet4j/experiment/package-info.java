/**
 * The paper's CIFAR-10 experiments as reproducible, resumable runs: the degradation
 * study of Figures 1 and 6 and Table 6 ({@link io.resnet4j.experiment.ExperimentRunner} with
 * {@link io.resnet4j.experiment.TableWriter}), the layer-response analysis of Figure 7
 * ({@link io.resnet4j.experiment.ResponseStatistics}, {@link io.resnet4j.experiment.ResponseAnalysis}),
 * and the shortcut options A/B/C of Table 3 run on CIFAR. An experiment is a folder with one
 * sub-folder per member (a normal training run) and a top-level run.json listing the members and
 * their status, so a long experiment can be stopped and continued member by member.
 */
package io.resnet4j.experiment;
