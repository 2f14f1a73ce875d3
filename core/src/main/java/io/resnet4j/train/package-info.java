/**
 * Training, from code or from the command line.
 *
 * <ul>
 *   <li>{@link io.resnet4j.train.Recipe} holds every hyperparameter of a way of training, with a name:
 *       the paper's CIFAR and ImageNet recipes and one for fine-tuning, each with its own budget that
 *       {@link io.resnet4j.train.Recipe#rescaled rescales} in proportion.
 *   <li>{@link io.resnet4j.train.TrainConfig} is one run's configuration, built from a recipe, recorded
 *       whole in run.json and read back from it to resume.
 *   <li>{@link io.resnet4j.train.Trainer} trains a network (the caller's, or one it builds) on a
 *       {@link io.resnet4j.train.TrainingData} (CIFAR in memory or image folders), writing checkpoints
 *       and the final weights only when given a run folder; {@link io.resnet4j.train.TrainingListener}s
 *       ({@link io.resnet4j.train.RunJson}, {@link io.resnet4j.train.MetricsCsv}, ...) observe it.
 *   <li>{@link io.resnet4j.train.TrainStep} and {@link io.resnet4j.train.Sgd} are one optimisation step
 *       with PyTorch's exact SGD semantics, shared with the benchmark.
 *   <li>A run's lifecycle, for any long job: {@link io.resnet4j.train.StopSignals} turns SIGTERM, SIGINT
 *       and SIGHUP into a checkpoint and a clean exit within a grace period;
 *       {@link io.resnet4j.train.RunState} says where a run folder stands (finished, or where it resumes
 *       from and how it stopped); {@link io.resnet4j.train.TrainingCheckpoints} writes them atomically.
 * </ul>
 *
 * <pre>{@code
 * TrainConfig config = TrainConfig.builder(Recipe.cifar()).model(ResNetConfig.of("resnet56"))
 *         .trainImages(train.size()).epochs(30).build();
 * try (NDManager manager = NDManager.newBaseManager()) {
 *     ResNet net = new Trainer(config, train, val, Device.cpu()).train(manager);
 * }
 * }</pre>
 */
package io.resnet4j.train;
