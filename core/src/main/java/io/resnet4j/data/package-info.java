/**
 * The data pipeline of resnet4j (CIFAR-10 and image folders), kept free of any deep-learning engine so that it can be
 * tested, benchmarked and reused with plain Java arrays.
 *
 * <ul>
 *   <li>{@link io.resnet4j.data.Cifar10} reads the official CIFAR-10 <em>binary</em> layout, from a
 *       folder or straight from {@code cifar-10-binary.tar.gz}, into a {@link io.resnet4j.data.CifarData}
 *       for one {@link io.resnet4j.data.Split} (the paper's 45k/5k train/validation split included).
 *   <li>{@link io.resnet4j.data.PixelMean} and {@link io.resnet4j.data.Normalization} implement the
 *       paper's "per-pixel mean subtracted" input, scaled as the PyTorch yardstick
 *       (pytorch_train_reference.py, the PyTorch yardstick) does.
 *   <li>{@link io.resnet4j.data.Augmentation} is the paper's 4-pixel pad, random 32x32 crop and random
 *       horizontal flip.
 *   <li>{@link io.resnet4j.data.Batcher} (CIFAR bytes) and {@link io.resnet4j.data.ImageFolderLoader}
 *       (folders of JPEG/PNG files) turn a data set into deterministic, resumable mini-batches of
 *       {@code float[]} images and {@code int[]} labels; {@link io.resnet4j.data.PrefetchingBatches}
 *       prepares them ahead on worker threads, in order, in recycled buffers, for both.
 *   <li>{@link io.resnet4j.data.CifarSample} and {@link io.resnet4j.data.SampleGenerator} provide a small
 *       procedurally generated 10-class data set in the same archive layout, for demos and tests on
 *       machines that have no CIFAR-10 download.
 * </ul>
 */
package io.resnet4j.data;
