package io.resnet4j.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.resnet4j.data.Batch;
import io.resnet4j.data.ImageFolder;
import io.resnet4j.data.ImageFolderLoader;
import io.resnet4j.data.ImageTransforms;
import io.resnet4j.image.ImageLoader;
import io.resnet4j.image.Resampler;
import io.resnet4j.image.RgbImage;
import io.resnet4j.image.Preprocessing;
import io.resnet4j.io.PrintableText;
import io.resnet4j.model.ResNet;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.IntConsumer;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The paper's ImageNet test protocols (section 3.4) on an image folder, BN in inference mode:
 *
 * <ul>
 *   <li>{@code center}: resize the shorter side to 256, centre crop 224 (torchvision's single view);
 *   <li>{@code ten-crop}: the four corner and the centre 224 crops of the 256-resized image and their
 *       mirror images (Krizhevsky et al. 2012);
 *   <li>{@code multi-scale}: the fully-convolutional form (Simonyan and Zisserman 2015): the whole
 *       image, resized so its shorter side is each of {224, 256, 384, 480, 640}, goes through the
 *       network; the classifier is applied at every position of the final feature map (a 1x1
 *       convolution with the fc weights) and the class scores are averaged over positions.
 * </ul>
 *
 * <p>Combining views: the softmax probabilities of the views are averaged (as Krizhevsky et al. and
 * Simonyan and Zisserman average the soft-max posteriors); within one scale of the fully
 * convolutional form the raw scores are averaged over positions first, as the score map is
 * spatially averaged before its soft-max there. Sizes are the paper's for a 224 input and scale
 * with the network's input N (round(size * N / 224)).
 */
public final class TestProtocols {

    /** The paper's shorter sides for the fully-convolutional test (Table 4 / section 3.4). */
    public static final int[] PAPER_SCALES = {224, 256, 384, 480, 640};

    /** The three protocols. */
    public enum Protocol {
        CENTER, TEN_CROP, MULTI_SCALE;

        public static Protocol parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "center", "centre" -> CENTER;
                case "ten-crop", "10-crop", "tencrop" -> TEN_CROP;
                case "multi-scale", "multiscale", "fully-convolutional" -> MULTI_SCALE;
                default -> throw new IllegalArgumentException("--protocol takes center, ten-crop or multi-scale, got " + s);
            };
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private TestProtocols() {}

    /** Single centre view of every image, batched: resize round(256 N / 224), centre crop N. */
    public static Evaluator.Result center(ResNet net, ImageFolder folder, Preprocessing pre, int input, int batchSize,
            int workers, NDManager manager) {
        return center(net, folder, pre, input, batchSize, workers, manager, n -> {});
    }

    /** @param progress told the number of images of every batch scored */
    public static Evaluator.Result center(ResNet net, ImageFolder folder, Preprocessing pre, int input, int batchSize,
            int workers, NDManager manager, IntConsumer progress) {
        Tally tally = new Tally(folder.classNames(), Math.min(5, net.config().classes()));
        ParameterStore ps = new ParameterStore(manager, false);
        try (ImageFolderLoader l = ImageFolderLoader.builder(folder, pre, input).evaluation().batchSize(batchSize)
                .workers(Math.max(1, workers)).build()) {
            while (l.hasNext()) {
                Batch b = l.next();
                int n = b.size();
                progress.accept(n);
                if (n == 0) {
                    continue;
                }
                float[] scores;
                try (NDManager scope = manager.newSubManager()) {
                    NDArray x = scope.create(FloatBuffer.wrap(b.images()), new Shape(n, 3, input, input));
                    scores = net.forward(ps, new NDList(x), false).singletonOrThrow().toFloatArray();
                }
                int k = scores.length / n;
                for (int i = 0; i < n; i++) {
                    tally.add(Arrays.copyOfRange(scores, i * k, (i + 1) * k), b.labels()[i]);
                }
            }
        }
        return tally.result();
    }

    /**
     * Any protocol over a folder; unreadable images are reported on {@code report} and skipped.
     *
     * @param scales shorter sides in paper units (for a 224 input) for multi-scale; null = {@link #PAPER_SCALES}
     * @param progress told the number of images done (scored or skipped) as the evaluation goes
     */
    public static Evaluator.Result evaluate(Protocol protocol, ResNet net, ImageFolder folder, Preprocessing pre,
            int input, int[] scales, int batchSize, int workers, NDManager manager, PrintStream report,
            IntConsumer progress) {
        if (protocol == Protocol.CENTER) {
            return center(net, folder, pre, input, batchSize, workers, manager, progress);
        }
        int[] sides = Arrays.stream(scales == null ? PAPER_SCALES : scales).map(s -> ImageTransforms.scaled(s, input))
                .toArray();
        Tally tally = new Tally(folder.classNames(), Math.min(5, net.config().classes()));
        ParameterStore ps = new ParameterStore(manager, false);
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, workers), r -> {
            Thread t = new Thread(r, "resnet4j-eval");
            t.setDaemon(true);
            return t;
        });
        try {
            // Decoding runs ahead on the pool while the network scores the previous chunk.
            int chunk = 16;
            List<Future<RgbImage>> pending = new ArrayList<>();
            for (int i = 0; i < folder.size(); i++) {
                final int idx = i;
                pending.add(pool.submit(() -> {
                    try {
                        return folder.read(idx);
                    } catch (IOException | RuntimeException | OutOfMemoryError e) {
                        if (report != null) {
                            report.println(PrintableText.of("skipping unreadable image " + folder.file(idx) + ": "
                                    + ImageLoader.describe(e)));
                        }
                        return null;
                    }
                }));
                if (pending.size() == chunk || i == folder.size() - 1) {
                    int first = i - pending.size() + 1;
                    for (int j = 0; j < pending.size(); j++) {
                        RgbImage img = pending.get(j).get();
                        progress.accept(1);
                        if (img == null) {
                            continue;
                        }
                        float[] p = protocol == Protocol.TEN_CROP
                                ? tenCropScores(net, ps, img, pre, input, manager)
                                : multiScaleScores(net, ps, img, pre, sides, manager);
                        tally.add(p, folder.label(first + j));
                    }
                    pending.clear();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while evaluating", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("decoding failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return tally.result();
    }

    /** The ten views of one image (CHW floats, N x N each): corners TL, TR, BL, BR, centre, then their mirrors. */
    public static float[] tenCropViews(RgbImage image, Preprocessing pre, int input) {
        RgbImage r = Resampler.resizeShorter(image, ImageTransforms.scaled(256, input));
        int w = r.width();
        int h = r.height();
        List<RgbImage> crops = new ArrayList<>();
        if (w < input || h < input) {
            crops.add(ImageTransforms.centerCrop(r, input)); // cannot happen for resize >= input; kept safe
            for (int i = 0; i < 4; i++) {
                crops.add(crops.get(0));
            }
        } else {
            crops.add(ImageTransforms.crop(r, 0, 0, input));
            crops.add(ImageTransforms.crop(r, w - input, 0, input));
            crops.add(ImageTransforms.crop(r, 0, h - input, input));
            crops.add(ImageTransforms.crop(r, w - input, h - input, input));
            crops.add(ImageTransforms.centerCrop(r, input));
        }
        int per = 3 * input * input;
        float[] out = new float[10 * per];
        for (int v = 0; v < 10; v++) {
            ImageTransforms.toChw(crops.get(v % 5), v >= 5, out, v * per);
            ImageTransforms.normalise(out, v * per, input, pre);
        }
        return out;
    }

    /** Ten-crop class probabilities of one image: the mean of the ten views' softmax outputs. */
    public static float[] tenCropScores(ResNet net, ParameterStore ps, RgbImage image, Preprocessing pre, int input,
            NDManager manager) {
        float[] views = tenCropViews(image, pre, input);
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = scope.create(FloatBuffer.wrap(views), new Shape(10, 3, input, input));
            NDArray logits = net.forward(ps, new NDList(x), false).singletonOrThrow();
            return logits.softmax(1).mean(new int[] {0}).toFloatArray();
        }
    }

    /**
     * Fully-convolutional class probabilities: for each shorter side, the whole resized image's
     * score map (fc applied at every position), averaged over positions, soft-maxed; then the mean
     * over scales.
     */
    public static float[] multiScaleScores(ResNet net, ParameterStore ps, RgbImage image, Preprocessing pre,
            int[] shorterSides, NDManager manager) {
        float[] sum = null;
        for (int side : shorterSides) {
            RgbImage r = Resampler.resizeShorter(image, side);
            float[] p;
            try (NDManager scope = manager.newSubManager()) {
                NDArray map = scoreMap(net, ps, scope.create(FloatBuffer.wrap(normalised(r, pre)),
                        new Shape(1, 3, r.height(), r.width())));
                p = map.mean(new int[] {3}).mean(new int[] {2}).softmax(1).toFloatArray();
            }
            if (sum == null) {
                sum = p;
            } else {
                for (int c = 0; c < p.length; c++) {
                    sum[c] += p[c];
                }
            }
        }
        for (int c = 0; c < sum.length; c++) {
            sum[c] /= shorterSides.length;
        }
        return sum;
    }

    /**
     * The class score map (N, classes, h, w): the classifier as a 1x1 convolution over the final
     * feature map, i.e. {@code W f(y, x) + b} at every position.
     */
    public static NDArray scoreMap(ResNet net, ParameterStore ps, NDArray x) {
        NDArray f = net.featureMap(ps, x);
        var params = net.classifier().getParameters();
        NDArray w = params.get("weight").getArray().toDevice(f.getDevice(), false);
        NDArray b = params.get("bias").getArray().toDevice(f.getDevice(), false);
        long n = f.getShape().get(0);
        long c = f.getShape().get(1);
        long h = f.getShape().get(2);
        long wd = f.getShape().get(3);
        long k = w.getShape().get(0);
        // (k, c) x (n, c, h*w) -> (n, k, h*w): the same arithmetic as Conv2d with a 1x1 kernel.
        NDArray scores = w.matMul(f.reshape(n, c, h * wd)).add(b.reshape(1, k, 1));
        return scores.reshape(n, k, h, wd);
    }

    /** A whole (non-square) image normalised for the network (see {@link Preprocessing#normaliseAnySize}). */
    static float[] normalised(RgbImage img, Preprocessing pre) {
        return pre.normaliseAnySize(img);
    }
}
