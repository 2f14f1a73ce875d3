package io.resnet4j.inference;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import io.resnet4j.Versions;
import io.resnet4j.eval.Scorer;
import io.resnet4j.image.ImageLoader;
import io.resnet4j.image.ImageTransform;
import io.resnet4j.image.Preprocessing;
import io.resnet4j.image.RgbImage;
import io.resnet4j.io.WeightsLoader;
import io.resnet4j.model.ResNet;
import io.resnet4j.model.ResNetConfig;
import io.resnet4j.onnx.OnnxExporter;
import io.resnet4j.onnx.OnnxRuntimeModel;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A trained ResNet ready to classify images and extract their features: the one way to run
 * inference, from a Java program or from the command line.
 *
 * <pre>{@code
 * try (ImageClassifier classifier = ImageClassifier.builder("model.safetensors").open()) {
 *     for (Prediction p : classifier.classify(Path.of("cat.jpg"), 5)) {
 *         System.out.printf("%.3f %s%n", p.probability(), p.name());
 *     }
 * }
 * }</pre>
 *
 * <p>Weights come in every form {@link WeightsLoader} reads (resnet4j checkpoints, torchvision and
 * timm {@code .pth}/{@code .safetensors}, {@code torchvision:NAME}) or as a {@code .onnx} file
 * written by resnet4j's export. On the CPU the network runs on ONNX Runtime by default (exported
 * in memory with batch norm folded; the eager weights are released), elsewhere on eager libtorch.
 *
 * <p>On ONNX Runtime batches may run from several threads at once, each on its caller's thread plus
 * the session's intra-op threads (so tasks sharing one model use their own cores); eager libtorch
 * runs one batch at a time.
 */
public final class ImageClassifier implements AutoCloseable {

    private final Backend backend;
    private final ResNetConfig config;
    private final List<String> classNames;
    private final ImageTransform transform;
    private final InferenceEngine engine;

    private ImageClassifier(Backend backend, ResNetConfig config, List<String> classNames, ImageTransform transform,
            InferenceEngine engine) {
        this.backend = backend;
        this.config = config;
        this.classNames = List.copyOf(classNames);
        this.transform = transform;
        this.engine = engine;
    }

    /** Options for {@link #open}: where the weights come from and what runs them. */
    public static Builder builder(String weights) {
        return new Builder(weights);
    }

    /**
     * Options for {@link #open} on an in-memory resnet4j ONNX export ({@link Builder#onnxModel()}, or a
     * {@code .onnx} file's bytes): it runs on ONNX Runtime and needs no libtorch.
     */
    public static Builder builder(byte[] onnxModel) {
        return new Builder(java.util.Objects.requireNonNull(onnxModel, "onnxModel: the bytes of a resnet4j ONNX export"));
    }

    /** Opens weights with every option at its default: automatic engine, the engine's default device. */
    public static ImageClassifier open(String weights) throws IOException {
        return builder(weights).open();
    }

    public ResNetConfig config() {
        return config;
    }

    public List<String> classNames() {
        return classNames;
    }

    public Preprocessing preprocessing() {
        return transform.preprocessing();
    }

    /** Resize, crop and normalisation applied to every image. */
    public ImageTransform transform() {
        return transform;
    }

    public InferenceEngine engine() {
        return engine;
    }

    /** Channels of the pooled features (512 for ResNet-18/34, 2048 for the bottleneck nets, 64 for CIFAR nets). */
    public int featureChannels() {
        return config.plan().featureChannels();
    }

    /** The batch the model's input shape is fixed to (an export with {@code --batch-size}), or 0 for any batch. */
    public int fixedBatch() {
        return backend.fixedBatch();
    }

    /**
     * The batch to run: the one asked for, else one that fits the free memory at this input size
     * (on ONNX Runtime no larger than its throughput needs); never more than an export's fixed batch.
     *
     * @param requested images per batch, or null for the default
     */
    public int batchSize(Integer requested) {
        int wanted = requested != null ? requested : engine == InferenceEngine.ONNXRUNTIME
                ? BatchSizes.forOnnxRuntime(transform.crop()) : BatchSizes.forInference(transform.crop());
        return fixedBatch() > 0 ? Math.min(wanted, fixedBatch()) : wanted;
    }

    /** The {@code k} most probable classes of an image, most probable first. */
    public List<Prediction> classify(BufferedImage image, int k) {
        return classify(List.of(image), k).get(0);
    }

    /** The {@code k} most probable classes of an image file (JPEG or PNG). */
    public List<Prediction> classify(Path image, int k) throws IOException {
        return classifyInput(transform.apply(ImageLoader.read(image)), 1, k).get(0);
    }

    /** Top-{@code k} classes of each image, in one forward pass. */
    public List<List<Prediction>> classify(List<BufferedImage> images, int k) {
        return classifyInput(input(images), images.size(), k);
    }

    /** Top-{@code k} of each image of a preprocessed batch ({@code n x 3 x S x S}, S the crop side). */
    public List<List<Prediction>> classifyInput(float[] input, int n, int k) {
        return predictions(logits(input, n, transform.crop(), transform.crop()), n, k);
    }

    /** Ranked classes for each row of a logits batch. */
    public List<List<Prediction>> predictions(float[] logits, int n, int k) {
        List<List<Prediction>> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(Prediction.topK(logits, i, classNames, k));
        }
        return out;
    }

    /** The network input of images: NCHW floats, transformed as the weights expect. */
    public float[] input(List<BufferedImage> images) {
        List<float[]> each = new ArrayList<>();
        for (BufferedImage image : images) {
            each.add(transform.apply(ImageLoader.toRgb(image)));
        }
        return ImageBatches.concat(each, transform.crop());
    }

    /** The network input of one decoded image. */
    public float[] input(RgbImage image) {
        return transform.apply(image);
    }

    /**
     * Raw logits ({@code n x classes}, row-major) of a preprocessed NCHW batch; any height and width
     * the network accepts.
     */
    public float[] logits(float[] input, int n, int height, int width) {
        checkBatch(n);
        return run(() -> backend.logits(input, n, height, width));
    }

    /**
     * This classifier as the evaluation protocols' {@link Scorer}: batches longer than an export's
     * fixed batch are split, and other input sizes than a fixed export's are refused up front.
     */
    public Scorer scorer() {
        return new Scorer() {
            @Override
            public int classes() {
                return config.classes();
            }

            @Override
            public float[] logits(float[] input, int n, int height, int width) {
                int fixed = fixedBatch();
                if (fixed == 0) {
                    return ImageClassifier.this.logits(input, n, height, width);
                }
                int side = config.inputSize();
                if (height != side || width != side) {
                    throw new IllegalArgumentException("this export's input is fixed to " + fixed + " x 3 x " + side
                            + " x " + side + ", so it cannot take " + height + " x " + width + " images; export again"
                            + " without --batch-size for any input size");
                }
                return inChunks(input, n, side, fixed);
            }
        };
    }

    private float[] inChunks(float[] input, int n, int side, int chunk) {
        int per = 3 * side * side;
        float[] out = new float[n * config.classes()];
        for (int start = 0; start < n; start += chunk) {
            int rows = Math.min(chunk, n - start);
            float[] part = java.util.Arrays.copyOfRange(input, start * per, (start + rows) * per);
            float[] logits = logits(part, rows, side, side);
            System.arraycopy(logits, 0, out, start * config.classes(), rows * config.classes());
        }
        return out;
    }

    /** Runs a batch at once where the backend allows it, else after the batch in progress. */
    private <T> T run(java.util.function.Supplier<T> batch) {
        if (backend.concurrent()) {
            return batch.get();
        }
        synchronized (this) {
            return batch.get();
        }
    }

    /** The pooled penultimate features of an image ({@link #featureChannels()} numbers). */
    public float[] features(BufferedImage image) {
        return features(input(List.of(image)), 1, transform.crop(), transform.crop()).values();
    }

    /** Pooled features ({@link FeatureLayer#POOL}) of a preprocessed batch. */
    public FeatureMaps features(float[] input, int n, int height, int width) {
        return features(input, n, height, width, FeatureLayer.POOL);
    }

    /**
     * Features of a preprocessed batch at a layer: the pooled vector, or a stage's feature map
     * (stage maps need the eager engine, {@link InferenceEngine#PYTORCH}).
     */
    public FeatureMaps features(float[] input, int n, int height, int width, FeatureLayer layer) {
        checkBatch(n);
        if (layer.stage() >= config.spec().stages()) {
            throw new IllegalArgumentException(config.spec().name() + " has " + config.spec().stages()
                    + " stages; its last is conv" + (config.spec().stages() + 1) + "_x");
        }
        return run(() -> backend.features(input, n, height, width, layer));
    }

    private void checkBatch(int n) {
        int fixed = backend.fixedBatch();
        if (n < 1 || (fixed > 0 && n > fixed)) {
            throw new IllegalArgumentException("a batch of " + n + " images does not fit this model"
                    + (fixed > 0 ? ", whose input is fixed to " + fixed + " images" : ""));
        }
    }

    @Override
    public void close() {
        backend.close();
    }

    /** How {@link #open} loads and runs the weights. */
    public static final class Builder {
        private final String weights;
        private final byte[] onnxModel;
        private String engineName = "auto";
        private Device device;
        private int threads;
        private WeightsLoader.Options weightsOptions = WeightsLoader.Options.defaults();
        private Integer resize;
        private Integer crop;

        private Builder(String weights) {
            this.weights = weights;
            this.onnxModel = null;
        }

        private Builder(byte[] onnxModel) {
            this.weights = "an in-memory ONNX model";
            this.onnxModel = onnxModel;
        }

        /** {@code auto} (default: ONNX Runtime on CPU, eager libtorch on GPU), {@code onnxruntime} or {@code pytorch}. */
        public Builder engine(String name) {
            this.engineName = name;
            return this;
        }

        public Builder engine(InferenceEngine e) {
            return engine(e.label());
        }

        /** Where the eager engine computes (default: libtorch's default device). */
        public Builder device(Device d) {
            this.device = d;
            return this;
        }

        /** ONNX Runtime intra-op threads (0, the default: ONNX Runtime's choice, all cores). */
        public Builder threads(int t) {
            if (t < 0) {
                throw new IllegalArgumentException("threads must be at least 0 (0: all cores), got " + t);
            }
            this.threads = t;
            return this;
        }

        /** Architecture overrides for files without resnet4j metadata. */
        public Builder weightsOptions(WeightsLoader.Options o) {
            this.weightsOptions = o;
            return this;
        }

        /** Shorter side before the centre crop, instead of the weights' own (0: no resize; null: keep). */
        public Builder resize(Integer side) {
            this.resize = side;
            return this;
        }

        /** Centre-crop side, instead of the weights' own (null: keep). */
        public Builder crop(Integer side) {
            this.crop = side;
            return this;
        }

        public ImageClassifier open() throws IOException {
            if (onnxModel != null) {
                requireOnnxRuntime(device != null ? device : Device.cpu());
                return OnnxModelFile.open(onnxModel, weights, threads, this::classifier);
            }
            Device d = device != null ? device : Engine.getEngine("PyTorch").defaultDevice();
            boolean onnxFile = isOnnxFile(weights);
            InferenceEngine engine = InferenceEngine.parse(onnxFile && "auto".equals(engineName) ? "onnxruntime"
                    : engineName, d);
            if (onnxFile) {
                requireOnnxRuntime(d);
                return OnnxModelFile.open(Path.of(weights), threads, this::classifier);
            }
            return engine == InferenceEngine.PYTORCH ? openEager(d) : openExported(d);
        }

        private void requireOnnxRuntime(Device d) {
            if (InferenceEngine.parse("auto".equals(engineName) ? "onnxruntime" : engineName, d)
                    == InferenceEngine.PYTORCH) {
                throw new IllegalArgumentException(weights + " is an ONNX model, which only the onnxruntime engine"
                        + " runs; give a checkpoint or state_dict for the pytorch engine");
            }
        }

        /**
         * The weights as a resnet4j ONNX export (batch norm folded; architecture, class names and
         * preprocessing in its metadata), the graph {@link #open} runs on ONNX Runtime: what a
         * cluster's driver ships to its executors, which then need ONNX Runtime only. A {@code .onnx}
         * file comes back as it is.
         */
        public byte[] onnxModel() throws IOException {
            if (onnxModel != null) {
                return onnxModel.clone();
            }
            if (isOnnxFile(weights)) {
                return java.nio.file.Files.readAllBytes(Path.of(weights));
            }
            try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
                return export(WeightsLoader.load(weights, weightsOptions, manager));
            }
        }

        private static byte[] export(WeightsLoader.Loaded loaded) {
            return OnnxExporter.export(loaded.net(), loaded.classNames(), loaded.preprocessing(),
                    OnnxExporter.Options.defaults(), Versions.resnet4j());
        }

        private ImageClassifier openEager(Device d) throws IOException {
            NDManager manager = NDManager.newBaseManager(d);
            try {
                WeightsLoader.Loaded loaded = WeightsLoader.load(weights, weightsOptions, manager);
                return classifier(new EagerBackend(loaded.net(), manager), loaded.net().config(), loaded.classNames(),
                        loaded.preprocessing(), InferenceEngine.PYTORCH);
            } catch (IOException | RuntimeException e) {
                manager.close();
                throw e;
            }
        }

        /** Exports in memory and closes the eager network: only ONNX Runtime's copy of the weights stays. */
        private ImageClassifier openExported(Device d) throws IOException {
            byte[] onnx;
            WeightsLoader.Loaded loaded;
            try (NDManager manager = NDManager.newBaseManager(d)) {
                loaded = WeightsLoader.load(weights, weightsOptions, manager);
                onnx = export(loaded);
            }
            OnnxRuntimeModel model = OnnxRuntimeModel.load(onnx, threads);
            return classifier(new OnnxBackend(model), loaded.net().config(), loaded.classNames(), loaded.preprocessing(),
                    InferenceEngine.ONNXRUNTIME);
        }

        ImageClassifier classifier(Backend backend, ResNetConfig config, List<String> names, Preprocessing pre,
                InferenceEngine engine) {
            try {
                return new ImageClassifier(backend, config, names, ImageTransform.of(pre, resize, crop), engine);
            } catch (RuntimeException e) {
                backend.close();
                throw e;
            }
        }
    }

    /** Whether a weights argument names an ONNX export (by its extension). */
    public static boolean isOnnxFile(String weights) {
        return weights.toLowerCase(Locale.ROOT).endsWith(".onnx");
    }

    /** Pooled features or a stage's feature maps of a batch: {@code n x itemShape}, row-major. */
    public record FeatureMaps(float[] values, long[] itemShape) {
        /** Numbers per image. */
        public int itemSize() {
            long n = 1;
            for (long d : itemShape) {
                n *= d;
            }
            return (int) n;
        }

        /** The features of one image of the batch. */
        public float[] item(int i) {
            int per = itemSize();
            return java.util.Arrays.copyOfRange(values, i * per, (i + 1) * per);
        }
    }
}
