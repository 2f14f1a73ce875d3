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
import java.util.function.IntFunction;

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
        return center(Scorer.eager(net, manager), folder, pre, input, batchSize, workers, null, done -> {});
    }

    /**
     * The centre view on any engine: workers decode the next batches while the scorer runs.
     *
     * @param report where unreadable images are named (or null)
     * @param progress told the number of images scored so far after each batch
     */
    public static Evaluator.Result center(Scorer scorer, ImageFolder folder, Preprocessing pre, int input,
            int batchSize, int workers, PrintStream report, IntConsumer progress) {
        Tally tally = new Tally(folder.classNames(), Math.min(5, scorer.classes()));
        int done = 0;
        try (ImageFolderLoader l = ImageFolderLoader.builder(folder, pre, input).evaluation().batchSize(batchSize)
                .workers(Math.max(1, workers)).report(report).build()) {
            while (l.hasNext()) {
                Batch b = l.next();
                int n = b.size();
                if (n > 0) {
                    tally.addBatch(scorer.logits(b.images(), n, input, input), b.labels(), n);
                }
                done += batchSize;
                progress.accept(Math.min(done, folder.size()));
            }
        }
        return tally.result();
    }

    /**
     * Any protocol over a folder on the eager network; unreadable images are reported on
     * {@code report} and skipped.
     *
     * @param scales shorter sides in paper units (for a 224 input) for multi-scale; null = {@link #PAPER_SCALES}
     */
    public static Evaluator.Result evaluate(Protocol protocol, ResNet net, ImageFolder folder, Preprocessing pre,
            int input, int[] scales, int batchSize, int workers, NDManager manager, PrintStream report) {
        return evaluate(protocol, Scorer.eager(net, manager), folder, pre, input, scales, batchSize, workers, report,
                done -> {});
    }

    /**
     * Any protocol on any engine. Workers decode images and prepare their views (crops, mirror
     * images, rescaled copies) ahead of the scorer, so decoding overlaps with inference.
     *
     * @param scales shorter sides in paper units (for a 224 input) for multi-scale; null = {@link #PAPER_SCALES}
     * @param progress told the number of images done so far
     */
    public static Evaluator.Result evaluate(Protocol protocol, Scorer scorer, ImageFolder folder, Preprocessing pre,
            int input, int[] scales, int batchSize, int workers, PrintStream report, IntConsumer progress) {
        if (protocol == Protocol.CENTER) {
            return center(scorer, folder, pre, input, batchSize, workers, report, progress);
        }
        int[] sides = Arrays.stream(scales == null ? PAPER_SCALES : scales).map(s -> ImageTransforms.scaled(s, input))
                .toArray();
        IntFunction<List<View>> views = i -> {
            RgbImage image = readOrReport(folder, i, report);
            if (image == null) {
                return null;
            }
            return protocol == Protocol.TEN_CROP ? List.of(new View(tenCropViews(image, pre, input), 10, input, input))
                    : scaledViews(image, pre, sides);
        };
        Tally tally = new Tally(folder.classNames(), Math.min(5, scorer.classes()));
        int workerCount = Math.max(1, workers);
        try (OrderedPrefetch<List<View>> prepared = new OrderedPrefetch<>(folder.size(), workerCount,
                2 * workerCount + 1, views)) {
            for (int i = 0; prepared.hasNext(); i++) {
                List<View> v = prepared.next();
                if (v != null) {
                    tally.add(meanProbabilities(scorer, v), folder.label(i));
                }
                progress.accept(i + 1);
            }
        }
        return tally.result();
    }

    /** A batch of views of one image, as the network takes them. */
    record View(float[] input, int n, int height, int width) {}

    private static RgbImage readOrReport(ImageFolder folder, int i, PrintStream report) {
        try {
            return folder.read(i);
        } catch (IOException | RuntimeException | OutOfMemoryError e) {
            if (report != null) {
                report.println(PrintableText.of("skipping unreadable image " + folder.file(i) + ": "
                        + ImageLoader.describe(e)));
            }
            return null;
        }
    }

    /** The mean of the softmax outputs of every view. */
    static float[] meanProbabilities(Scorer scorer, List<View> views) {
        int k = scorer.classes();
        float[] sum = new float[k];
        int count = 0;
        for (View v : views) {
            float[] logits = scorer.logits(v.input(), v.n(), v.height(), v.width());
            for (int row = 0; row < v.n(); row++) {
                addSoftmax(logits, row * k, k, sum);
            }
            count += v.n();
        }
        for (int c = 0; c < k; c++) {
            sum[c] /= count;
        }
        return sum;
    }

    private static void addSoftmax(float[] z, int offset, int k, float[] sum) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < k; c++) {
            max = Math.max(max, z[offset + c]);
        }
        double total = 0;
        for (int c = 0; c < k; c++) {
            total += Math.exp(z[offset + c] - max);
        }
        for (int c = 0; c < k; c++) {
            sum[c] += (float) (Math.exp(z[offset + c] - max) / total);
        }
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
        return meanProbabilities(Scorer.eager(net, manager),
                List.of(new View(tenCropViews(image, pre, input), 10, input, input)));
    }

    /**
     * Fully-convolutional class probabilities: for each shorter side, the whole resized image's
     * score map (fc applied at every position), averaged over positions, soft-maxed; then the mean
     * over scales. The classifier is linear, so the positions' mean score is the classifier applied
     * to the globally pooled features: the network's ordinary logits at that size, which is what
     * runs here (on any engine whose input size is free).
     */
    public static float[] multiScaleScores(ResNet net, ParameterStore ps, RgbImage image, Preprocessing pre,
            int[] shorterSides, NDManager manager) {
        return meanProbabilities(Scorer.eager(net, manager), scaledViews(image, pre, shorterSides));
    }

    /** The whole image at each shorter side, normalised. */
    static List<View> scaledViews(RgbImage image, Preprocessing pre, int[] shorterSides) {
        List<View> views = new ArrayList<>();
        for (int side : shorterSides) {
            RgbImage r = Resampler.resizeShorter(image, side);
            views.add(new View(normalised(r, pre), 1, r.height(), r.width()));
        }
        return views;
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
