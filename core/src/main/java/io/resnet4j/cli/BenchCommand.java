package io.resnet4j.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.resnet4j.inference.InferenceEngine;
import io.resnet4j.model.ResNet;
import io.resnet4j.model.ResNetConfig;
import io.resnet4j.model.ResNetFamily;
import io.resnet4j.train.Sgd;
import io.resnet4j.train.TrainStep;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code resnet4j bench train|infer}: steps on random input of the model's size, timed one by
 * one after warm-up; the JSON matches the PyTorch yardstick (pytorch_reference.py) so compare.sh can
 * divide the two.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, sortOptions = false,
        description = "Measure training or inference throughput on random input (the JSON is what the PyTorch yardstick prints, for side-by-side comparison).")
final class BenchCommand implements Callable<Integer> {

    enum Workload { train, infer, data, eval, detect }

    @Parameters(index = "0", paramLabel = "WORKLOAD",
            description = "train (forward, loss, backward, SGD), infer (forward, BN in eval mode, no gradients), data (the"
                    + " input pipeline alone, on --data) or eval (eval of --weights on --data ROOT/val with --protocol,"
                    + " decoding included; counterpart: tools/bench/pytorch_eval.py) or detect (a Faster R-CNN --weights on"
                    + " the images of --data, decoded first, each at 800 px; counterpart: tools/bench/pytorch_detect.py).")
    Workload workload;

    @Option(names = "--model", paramLabel = "MODEL", defaultValue = "resnet20", description = "Model name (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "128", description = "Images per step (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--data", paramLabel = "DIR", description = "bench data: a CIFAR-10 binary folder/archive or an image folder ROOT (ROOT/train/<class>/...).")
    java.nio.file.Path data;

    @Option(names = "--input", paramLabel = "SIDE", description = "Network input side: train and infer on random input (default: the model's, 32 for CIFAR"
            + " ResNets, 224 for ImageNet ones); data on image folders (default: 224).")
    Integer input;

    @Option(names = "--workers", paramLabel = "N", defaultValue = "2", description = "bench data: preparation threads (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--weights", paramLabel = "WEIGHTS", description = "bench eval: the weights to evaluate (any that eval takes).")
    String weights;

    @Option(names = "--protocol", paramLabel = "center|ten-crop|multi-scale", defaultValue = "center",
            description = "bench eval: center, ten-crop or multi-scale (default: ${DEFAULT-VALUE}).")
    String protocol;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "20", description = "Timed steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "3", description = "Untimed steps first (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--json", description = "Print one JSON object (images_per_s, median_step_s, ...).")
    boolean json;

    @Option(names = "--engine", defaultValue = "auto", paramLabel = "auto|onnxruntime|pytorch",
            description = "bench infer: onnxruntime (the network exported to ONNX with batch norm folded, run by ONNX"
                    + " Runtime: the CPU inference path of predict), pytorch (eager libtorch through DJL), or auto"
                    + " (onnxruntime on CPU, pytorch on GPU; default). Training always runs on pytorch.")
    String engineName;

    @Option(names = "--precision", defaultValue = "fp32", paramLabel = "fp32|int8|bf16",
            description = "bench infer: fp32 (default); int8 on onnxruntime (the QDQ export, calibrated on random"
                    + " input of the benchmark's shape); bf16 is detected and refused with the reason (see README).")
    String precision;

    @Option(names = "--profile", paramLabel = "FILE",
            description = "train, detect, or infer on --engine pytorch: record libtorch's profiler over the timed steps, write"
                    + " its Chrome trace to FILE (chrome://tracing, Perfetto) and print the operators by self time.")
    java.nio.file.Path profile;

    @Option(names = "--force", description = "Overwrite the --profile file if it exists.")
    boolean force;

    @Mixin
    EngineOptions engine;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (workload == Workload.data) {
            return benchData();
        }
        if (workload == Workload.eval) {
            return benchEval();
        }
        if (workload == Workload.detect) {
            return benchDetect();
        }
        validateOptions();
        ResNetConfig named = UsageException.rethrowUnchecked(() -> ResNetConfig.of(ResNetFamily.get(model)));
        ResNetConfig config = input == null ? named : UsageException.rethrowUnchecked(() -> named.withInputSize(input));
        Device device = engine.apply();
        InferenceEngine inferenceEngine = inferenceEngine(device);
        Timings timings;
        try (NDManager manager = NDManager.newBaseManager(device)) {
            ResNet net = new ResNet(config).initialize(manager);
            int size = config.inputSize();
            NDArray x = manager.randomNormal(new Shape(batchSize, 3, size, size));
            if (workload == Workload.train) {
                timings = timeTraining(net, x, manager);
            } else if (inferenceEngine == InferenceEngine.ONNXRUNTIME) {
                timings = timeOnnxRuntime(net, x, size);
            } else {
                timings = timeEager(net, x, manager);
            }
        }
        report(timings, device, inferenceEngine);
        return 0;
    }

    private void validateOptions() {
        if (profile != null) {
            OutputGuard.check(profile, force);
        }
        if (!precision.equals("fp32") && !precision.equals("int8") && !precision.equals("bf16")) {
            throw new UsageException("unknown --precision '" + precision + "': use fp32, int8 or bf16");
        }
        if (bf16()) {
            throw new UsageException(bf16Unavailable(io.resnet4j.CpuFeatures.hasBf16(), io.resnet4j.CpuFeatures.summary()));
        }
        if (profile != null && workload == Workload.infer && !"pytorch".equalsIgnoreCase(engineName)) {
            throw new UsageException("--profile records libtorch's profiler: use it with train, or infer --engine pytorch"
                    + " (ONNX Runtime has its own profiler)");
        }
    }

    private InferenceEngine inferenceEngine(Device device) {
        if (workload != Workload.infer) {
            return InferenceEngine.PYTORCH;
        }
        InferenceEngine e = UsageException.rethrowUnchecked(() -> InferenceEngine.parse(engineName, device));
        if (int8() && e != InferenceEngine.ONNXRUNTIME) {
            throw new UsageException("--precision int8 runs on ONNX Runtime: use it with infer --engine onnxruntime");
        }
        return e;
    }

    /**
     * Seconds of each timed step, and for training the mean seconds per step in forward, backward
     * and update (null otherwise): where the time goes.
     */
    private record Timings(double[] seconds, double[] phases) {
        double median() {
            double[] sorted = seconds.clone();
            Arrays.sort(sorted);
            return sorted[sorted.length / 2];
        }

        double mean() {
            return Arrays.stream(seconds).average().orElse(0);
        }
    }

    /** Runs {@code warmup} untimed steps, then times {@code steps}; {@code timingStarts} runs in between. */
    private double[] time(Runnable step, Runnable timingStarts) {
        double[] times = new double[steps];
        for (int i = 0; i < warmup + steps; i++) {
            if (i == warmup) {
                timingStarts.run();
            }
            long t0 = System.nanoTime();
            step.run();
            if (i >= warmup) {
                times[i - warmup] = (System.nanoTime() - t0) / 1e9;
            }
        }
        return times;
    }

    private Timings timeTraining(ResNet net, NDArray x, NDManager manager) throws java.io.IOException {
        NDArray y = manager.randomInteger(0, net.config().classes(), new Shape(batchSize), DataType.INT64);
        io.resnet4j.train.Recipe recipe = io.resnet4j.train.Recipe.cifar();
        try (Sgd sgd = new Sgd(manager, recipe.momentum(), recipe.weightDecay())) {
            TrainStep step = new TrainStep(net, sgd, manager);
            double[] times = time(() -> step.run(x, y, recipe.learningRate()), () -> {
                step.phaseTimes().reset();
                startProfile();
            });
            stopProfile();
            TrainStep.PhaseTimes p = step.phaseTimes();
            return new Timings(times, new double[] {p.forwardNanos / 1e9 / p.steps, p.backwardNanos / 1e9 / p.steps,
                p.updateNanos / 1e9 / p.steps});
        }
    }

    /**
     * The shape is fixed to the benchmark's batch, as 'export --batch-size N' does for a deployment
     * with a known batch size (ONNX Runtime then plans memory statically).
     */
    private Timings timeOnnxRuntime(ResNet net, NDArray x, int size) {
        float[] input = x.toFloatArray();
        var exportOptions = new io.resnet4j.onnx.OnnxExporter.Options(true, batchSize,
                io.resnet4j.onnx.OnnxExporter.DEFAULT_OPSET);
        byte[] onnx = int8() ? io.resnet4j.onnx.Int8Quantizer.export(net, null, null, exportOptions,
                java.util.List.of(new io.resnet4j.onnx.Int8Quantizer.Batch(input, batchSize, size, size)),
                io.resnet4j.onnx.Int8Quantizer.Options.defaults(), engine.threads(), io.resnet4j.Versions.resnet4j())
                : io.resnet4j.onnx.OnnxExporter.export(net, null, null, exportOptions, io.resnet4j.Versions.resnet4j());
        try (io.resnet4j.onnx.OnnxRuntimeModel ort = io.resnet4j.onnx.OnnxRuntimeModel.load(onnx, engine.threads())) {
            return new Timings(time(() -> ort.logits(input, batchSize, size), () -> { }), null);
        }
    }

    private Timings timeEager(ResNet net, NDArray x, NDManager manager) throws java.io.IOException {
        ParameterStore ps = new ParameterStore(manager, false);
        double[] times = time(() -> {
            try (NDManager scope = manager.newSubManager()) {
                x.tempAttach(scope);
                net.forward(ps, new NDList(x), false).singletonOrThrow().toFloatArray();
            }
        }, this::startProfile);
        stopProfile();
        return new Timings(times, null);
    }

    private void report(Timings t, Device device, InferenceEngine inferenceEngine)
            throws com.fasterxml.jackson.core.JsonProcessingException {
        PrintWriter out = spec.commandLine().getOut();
        double median = t.median();
        double[] phases = t.phases();
        if (json) {
            ObjectMapper mapper = new ObjectMapper();
            ObjectNode o = mapper.createObjectNode();
            o.put("framework", "resnet4j");
            o.put("version", io.resnet4j.Versions.resnet4j());
            o.put("workload", workload.name());
            o.put("model", model);
            o.put("batch_size", batchSize);
            o.put("threads", engine.threads());
            o.put("device", device.toString());
            o.put("engine", inferenceEngine.label());
            o.put("precision", precision);
            o.put("steps", steps);
            o.put("median_step_s", median);
            o.put("mean_step_s", t.mean());
            o.put("images_per_s", batchSize / median);
            o.put("rss_mb", ResidentMemory.currentMb());
            o.put("cpu", io.resnet4j.CpuFeatures.summary());
            if (phases != null) {
                o.put("forward_s", phases[0]);
                o.put("backward_s", phases[1]);
                o.put("update_s", phases[2]);
            }
            out.println(mapper.writeValueAsString(o));
        } else {
            out.printf(Locale.ROOT, "%s %s, batch %d, %d threads on %s (%s, %s): %.1f images/s (median step %.4f s,"
                    + " mean %.4f s over %d steps)%n", workload, model, batchSize, engine.threads(), device,
                    inferenceEngine.label(), precision, batchSize / median, median, t.mean(), steps);
            if (phases != null) {
                out.printf(Locale.ROOT, "per step: forward+loss %.4f s, backward %.4f s, SGD update %.4f s%n", phases[0],
                        phases[1], phases[2]);
            }
        }
        out.flush();
    }

    /**
     * Why bf16 is refused: a CPU without AVX512_BF16/AMX would only emulate it; on one with them, DJL
     * 0.35's PyTorch binding has no bfloat16 type (creating any bfloat16 tensor aborts the process,
     * while float16 works) and ONNX Runtime's CPU kernels have no bfloat16 convolution.
     */
    static String bf16Unavailable(boolean cpuHasBf16, String cpu) {
        if (!cpuHasBf16) {
            return "--precision bf16 needs a CPU with AVX512_BF16 or AMX, and this one has " + cpu
                    + " (bfloat16 would be emulated, slower than fp32); skipping: use fp32 or int8";
        }
        return "--precision bf16: this CPU computes bfloat16 (" + cpu + "), but DJL 0.35's PyTorch binding has no"
                + " bfloat16 tensors and ONNX Runtime's CPU kernels no bfloat16 convolution (README, 'Inference"
                + " engines', has the details); skipping: use fp32 or int8";
    }

    private boolean bf16() {
        return precision.equals("bf16");
    }

    private boolean int8() {
        return precision.equals("int8");
    }

    private void startProfile() {
        if (profile != null) {
            ai.djl.pytorch.jni.JniUtils.startProfile(false, false, false);
        }
    }

    private void stopProfile() throws java.io.IOException {
        if (profile == null) {
            return;
        }
        java.nio.file.Path file = profile.toAbsolutePath();
        io.resnet4j.files.OutputFolders.create(file.getParent());
        ai.djl.pytorch.jni.JniUtils.stopProfile(file.toString());
        PrintWriter err = spec.commandLine().getErr();
        err.printf(Locale.ROOT, "libtorch profile of %d steps: %s%n", steps, file);
        err.println(OperatorProfile.read(file).table(steps, 15));
        err.flush();
    }

    /** A whole evaluation as {@code eval} runs it (decoding, views, inference), timed from first image to last. */
    private int benchEval() throws Exception {
        if (data == null || weights == null || !io.resnet4j.data.ImageFolder.isImageFolderRoot(data)) {
            throw new UsageException("bench eval needs --weights W and --data ROOT (an image folder with ROOT/val/<class>/...)");
        }
        io.resnet4j.eval.TestProtocols.Protocol p = UsageException.rethrowUnchecked(
                () -> io.resnet4j.eval.TestProtocols.Protocol.parse(protocol));
        Device device = engine.apply();
        InferenceEngine chosen = UsageException.rethrowUnchecked(() -> InferenceEngine.parse(engineName, device));
        io.resnet4j.eval.Evaluator.Result r;
        double seconds;
        try (io.resnet4j.inference.ImageClassifier classifier = UsageException.rethrow(() -> io.resnet4j.inference
                .ImageClassifier.builder(weights).engine(chosen).device(device).threads(engine.threads()).open())) {
            io.resnet4j.data.ImageFolder folder = io.resnet4j.data.ImageFolder.open(data.resolve("val"))
                    .withClasses(classifier.classNames(), io.resnet4j.eval.ClassMapping.byOrder(
                            io.resnet4j.data.ImageFolder.open(data.resolve("val")).classNames(),
                            classifier.classNames().size()));
            long t0 = System.nanoTime();
            r = io.resnet4j.eval.TestProtocols.evaluate(p, classifier.scorer(), folder, classifier.preprocessing(),
                    classifier.config().inputSize(), null, classifier.batchSize(evalBatch()), workers, System.err,
                    done -> {});
            seconds = (System.nanoTime() - t0) / 1e9;
            ObjectNode o = new ObjectMapper().createObjectNode();
            o.put("framework", "resnet4j");
            o.put("version", io.resnet4j.Versions.resnet4j());
            o.put("workload", "eval");
            o.put("model", classifier.config().spec().name());
            o.put("protocol", p.label());
            o.put("engine", chosen.label());
            o.put("batch_size", classifier.batchSize(evalBatch()));
            o.put("workers", workers);
            o.put("threads", engine.threads());
            o.put("images", r.images());
            o.put("seconds", seconds);
            o.put("images_per_s", r.images() / seconds);
            o.put("rss_mb", ResidentMemory.peakMb());
            o.put("top1_error", r.top1Error());
            PrintWriter out = spec.commandLine().getOut();
            out.println(json ? new ObjectMapper().writeValueAsString(o) : String.format(Locale.ROOT,
                    "eval %s, %s protocol on %s: %d images in %.1f s, %.1f images/s, peak resident %d MB",
                    o.get("model").asText(), p.label(), chosen.label(), r.images(), seconds, r.images() / seconds,
                    ResidentMemory.peakMb()));
            out.flush();
        }
        return 0;
    }

    /** eval's own batch (derived from the engine and input size) unless --batch-size was given. */
    private Integer evalBatch() {
        return spec.commandLine().getParseResult().hasMatchedOption("--batch-size") ? batchSize : null;
    }

    /** Detection on decoded images, one at a time as detect runs them, after --warmup untimed ones. */
    private int benchDetect() throws Exception {
        if (data == null || weights == null) {
            throw new UsageException("bench detect needs --weights WEIGHTS (a Faster R-CNN) and --data DIR (images)");
        }
        java.util.List<io.resnet4j.image.RgbImage> images = new java.util.ArrayList<>();
        for (java.nio.file.Path f : io.resnet4j.inference.ImageFiles.expand(java.util.List.of(data)).files()) {
            images.add(io.resnet4j.image.ImageLoader.read(f));
        }
        if (images.isEmpty()) {
            throw new UsageException("bench detect found no JPEG or PNG images in " + data);
        }
        Device device = engine.apply();
        try (io.resnet4j.inference.ImageDetector detector = UsageException.rethrow(
                () -> io.resnet4j.inference.ImageDetector.builder(weights).device(device).open())) {
            if (profile != null) {
                OutputGuard.check(profile, force);
            }
            double[] times = new double[steps];
            for (int i = 0; i < warmup + steps; i++) {
                if (i == warmup) {
                    startProfile();
                }
                long t0 = System.nanoTime();
                detector.detect(images.get(i % images.size()));
                if (i >= warmup) {
                    times[i - warmup] = (System.nanoTime() - t0) / 1e9;
                }
            }
            stopProfile();
            Arrays.sort(times);
            double median = times[steps / 2];
            ObjectNode o = new ObjectMapper().createObjectNode();
            o.put("framework", "resnet4j");
            o.put("workload", "detect");
            o.put("threads", engine.threads());
            o.put("steps", steps);
            o.put("median_step_s", median);
            o.put("images_per_s", 1 / median);
            o.put("rss_mb", ResidentMemory.peakMb());
            o.put("cpu", io.resnet4j.CpuFeatures.summary());
            PrintWriter out = spec.commandLine().getOut();
            out.println(json ? new ObjectMapper().writeValueAsString(o) : String.format(Locale.ROOT,
                    "detect: %.2f images/s (median %.3f s over %d images), peak resident %d MB", 1 / median, median,
                    steps, ResidentMemory.peakMb()));
            out.flush();
        }
        return 0;
    }

    /** The training input pipeline alone: decode/augment/normalise batches as the trainer would receive them. */
    private int benchData() throws Exception {
        if (data == null) {
            throw new UsageException("bench data needs --data DIR (CIFAR-10 binary folder, archive, or image folder)");
        }
        io.resnet4j.train.TrainingData td;
        if (io.resnet4j.data.ImageFolder.isImageFolderRoot(data)) {
            td = new io.resnet4j.train.ImageFolderTrainingData(io.resnet4j.data.ImageFolder.open(data.resolve("train")), null,
                    input == null ? 224 : input, false, workers);
        } else {
            td = new io.resnet4j.train.CifarTrainingData(
                    io.resnet4j.data.Cifar10.load(data, io.resnet4j.data.Split.TRAIN45K), null);
        }
        ResNetConfig model = ResNetConfig.of(td.inputSize() == 32 ? "resnet20" : "resnet18").withInputSize(td.inputSize());
        io.resnet4j.train.TrainConfig cfg = io.resnet4j.train.TrainConfig.builder(io.resnet4j.train.Recipe.cifar())
                .model(model).batchSize(batchSize).workers(workers)
                .augmentation(io.resnet4j.train.Recipe.Augmentation.DATA_DEFAULT).build();
        td.preprocessing(null);
        double[] times = new double[steps];
        long images = 0;
        try (io.resnet4j.data.BatchSource source = td.trainBatches(cfg, 0, 0, 1000)) {
            for (int i = 0; i < warmup + steps; i++) {
                long t0 = System.nanoTime();
                io.resnet4j.data.Batch b = source.next();
                if (i >= warmup) {
                    times[i - warmup] = (System.nanoTime() - t0) / 1e9;
                    images += b.size();
                }
            }
        }
        double total = Arrays.stream(times).sum();
        double[] sorted = times.clone();
        Arrays.sort(sorted);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode o = new ObjectMapper().createObjectNode();
            o.put("framework", "resnet4j");
            o.put("workload", "data");
            o.put("data", data.toString());
            o.put("input_size", td.inputSize());
            o.put("batch_size", batchSize);
            o.put("workers", workers);
            o.put("steps", steps);
            o.put("median_step_s", sorted[sorted.length / 2]);
            o.put("images_per_s", images / total);
            out.println(new ObjectMapper().writeValueAsString(o));
        } else {
            out.printf(Locale.ROOT, "data pipeline on %s (%dx%d, batch %d, %d workers): %.0f images/s over %d batches%n",
                    data, td.inputSize(), td.inputSize(), batchSize, workers, images / total, steps);
        }
        out.flush();
        return 0;
    }
}
