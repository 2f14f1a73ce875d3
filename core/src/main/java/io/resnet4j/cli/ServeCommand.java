package io.resnet4j.cli;

import ai.djl.Device;
import io.resnet4j.inference.ImageClassifier;
import io.resnet4j.io.WeightsLoader;
import io.resnet4j.serve.AccessPolicy;
import io.resnet4j.serve.ImageDecoder;
import io.resnet4j.serve.InferenceServer;
import io.resnet4j.serve.ServedModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/** {@code resnet4j serve --weights W [--name N]...}: the HTTP inference server until SIGINT or SIGTERM. */
@Command(name = "serve", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, sortOptions = false,
        description = {"Serve models over HTTP: image and tensor (Open Inference Protocol v2) endpoints with dynamic"
                + " batching, Prometheus /metrics, a web page at / and, with --runs, a live training dashboard at /runs.",
                "Stops gracefully on Ctrl-C or SIGTERM: no new requests, those in flight finish."})
public final class ServeCommand implements Callable<Integer> {

    /** One served model: its weights and, optionally, its name and architecture overrides. */
    static final class ModelArgs {
        @Option(names = "--weights", required = true, paramLabel = "WEIGHTS",
                description = "Weights to serve (any form 'predict' takes, or a .onnx export); repeat to serve several.")
        String weights;

        @Option(names = "--name", paramLabel = "NAME",
                description = "Name of the preceding --weights in URLs (default: the architecture, e.g. resnet50, or"
                        + " the file name when two would clash).")
        String name;

        @Option(names = "--model", paramLabel = "MODEL", description = "Architecture of the preceding --weights when the file has no resnet4j metadata.")
        String model;

        @Option(names = "--stride-on", paramLabel = "1x1|3x3", description = "Bottleneck stride placement of the preceding --weights without metadata.")
        String strideOn;
    }

    @ArgGroup(exclusive = false, multiplicity = "1..*")
    List<ModelArgs> served;

    @Option(names = "--host", paramLabel = "HOST", defaultValue = "127.0.0.1", description = "Address to bind (default: ${DEFAULT-VALUE};"
            + " any other needs --auth-token-file or --insecure).")
    String host;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080", description = "Port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--engine", defaultValue = "auto", paramLabel = "auto|onnxruntime|pytorch",
            description = "Engine for every model (default: ${DEFAULT-VALUE}: onnxruntime on CPU, pytorch on GPU).")
    String engineName;

    @Option(names = "--max-batch", defaultValue = "16", paramLabel = "N", description = "Most images per forward pass (default: ${DEFAULT-VALUE}).")
    int maxBatch;

    @Option(names = "--max-delay-ms", defaultValue = "5", paramLabel = "MS", description = "Longest a request waits for others to share its batch (default: ${DEFAULT-VALUE}).")
    long maxDelayMs;

    @Option(names = "--queue", defaultValue = "256", paramLabel = "N", description = "Requests that may wait per model; more get 503 (default: ${DEFAULT-VALUE}).")
    int queue;

    @Option(names = "--max-body", defaultValue = "20MB", paramLabel = "SIZE", description = "Largest request body, e.g. 512KB, 20MB (binary units; default: ${DEFAULT-VALUE}); larger get 413.")
    String maxBody;

    @Option(names = "--max-pixels", paramLabel = "N", description = "Largest image in pixels, checked before decoding (default: 89478485, as PIL); larger get 413.")
    long maxPixels = ImageDecoder.DEFAULT_MAX_PIXELS;

    @Option(names = "--deadline-ms", defaultValue = "30000", paramLabel = "MS", description = "Longest a request may wait for its result; later ones get 503 (default: ${DEFAULT-VALUE}).")
    long deadlineMs;

    @Option(names = "--auth-token-file", paramLabel = "FILE", description = "Require 'Authorization: Bearer TOKEN' on the API, TOKEN being this file's content (at least 16 characters).")
    Path authTokenFile;

    @Option(names = "--insecure", description = "Allow a non-loopback --host without --auth-token-file.")
    boolean insecure;

    @Option(names = "--runs", paramLabel = "DIR", description = "Folder of training runs to show at /runs (run.json and metrics.csv of each run below it).")
    Path runs;

    @Option(names = "--cache-dir", paramLabel = "DIR", description = "Cache for torchvision downloads (default: $RESNET4J_CACHE or ~/.cache/resnet4j/weights).")
    Path cacheDir;

    @Mixin
    EngineOptions engine;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Counted down by SIGINT or SIGTERM (and by tests) to stop the server. */
    final CountDownLatch stopRequested = new CountDownLatch(1);

    @Override
    public Integer call() throws Exception {
        long bodyBytes = parseSize(maxBody);
        AccessPolicy access = authTokenFile == null ? AccessPolicy.open()
                : UsageException.rethrow(() -> AccessPolicy.bearerFromFile(authTokenFile));
        UsageException.rethrow(() -> {
            AccessPolicy.checkBinding(host, access, insecure);
            return null;
        });
        Device device = engine.apply();
        PrintWriter out = spec.commandLine().getOut();
        List<ImageClassifier> classifiers = new ArrayList<>();
        try {
            for (ModelArgs m : served) {
                classifiers.add(open(m, device));
            }
            List<String> names = names(served, classifiers);
            InferenceServer.Builder builder = InferenceServer.builder().host(host).port(port).maxBatch(maxBatch)
                    .maxDelay(Duration.ofMillis(maxDelayMs)).queue(queue).maxBodyBytes(bodyBytes).maxPixels(maxPixels)
                    .deadline(Duration.ofMillis(deadlineMs)).access(access).insecure(insecure).runs(runs);
            for (int i = 0; i < classifiers.size(); i++) {
                builder.model(names.get(i), classifiers.get(i));
            }
            return serve(UsageException.rethrow(builder::start), out);
        } finally {
            classifiers.forEach(ImageClassifier::close);
        }
    }

    private int serve(InferenceServer server, PrintWriter out) throws InterruptedException {
        try (server) {
            for (ServedModel m : server.models().values()) {
                out.printf(Locale.ROOT, "model %s: %s, %d classes, %dx%d input, %s, POST %sv1/models/%s/predict%n",
                        m.name(), m.classifier().config().spec().name(), m.classNames().size(), m.inputSide(),
                        m.inputSide(), m.classifier().engine().label(), server.url(), m.name());
            }
            out.println("serving " + server.url() + (runs != null ? " (runs dashboard: " + server.url() + "runs)" : "")
                    + "; Ctrl-C or SIGTERM stops");
            out.flush();
            awaitSignal();
            out.println("stopping: finishing requests in flight");
            out.flush();
        }
        return 0;
    }

    private void awaitSignal() throws InterruptedException {
        Signal term = new Signal("TERM");
        Signal interrupt = new Signal("INT");
        var previousTerm = Signal.handle(term, s -> stopRequested.countDown());
        var previousInt = Signal.handle(interrupt, s -> stopRequested.countDown());
        try {
            stopRequested.await();
        } finally {
            Signal.handle(term, previousTerm);
            Signal.handle(interrupt, previousInt);
        }
    }

    private ImageClassifier open(ModelArgs m, Device device) throws IOException {
        ImageClassifier.Builder b = ImageClassifier.builder(m.weights)
                .weightsOptions(new WeightsLoader.Options(m.model, m.strideOn, cacheDir)).device(device)
                .threads(engine.threads());
        return UsageException.rethrow(() -> b.engine(engineName).open());
    }

    /** Given names, else architecture names, else file stems where architectures clash; all must differ. */
    static List<String> names(List<ModelArgs> served, List<ImageClassifier> classifiers) {
        List<String> first = new ArrayList<>();
        for (int i = 0; i < served.size(); i++) {
            String given = served.get(i).name;
            first.add(given != null ? given : classifiers.get(i).config().spec().name());
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < served.size(); i++) {
            String name = first.get(i);
            boolean clash = first.stream().filter(name::equals).count() > 1;
            names.add(served.get(i).name == null && clash ? stem(served.get(i).weights) : name);
        }
        Set<String> seen = new HashSet<>();
        for (String n : names) {
            if (!seen.add(n)) {
                throw new UsageException("two models would be served as '" + n + "': give each --weights its own --name");
            }
            try {
                ServedModel.checkName(n);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
        }
        return names;
    }

    private static String stem(String weights) {
        String file = weights.replaceFirst("^torchvision:", "");
        file = file.substring(file.lastIndexOf('/') + 1);
        int dot = file.indexOf('.');
        return dot > 0 ? file.substring(0, dot) : file;
    }

    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([KMG]i?B?|B)?", Pattern.CASE_INSENSITIVE);

    /** "20MB", "512KB", "1GB" (binary multiples, as Javalin and Jetty count) or plain bytes. */
    static long parseSize(String text) {
        Matcher m = SIZE.matcher(text.strip());
        if (!m.matches()) {
            throw new UsageException("--max-body must be a size like 20MB, 512KB or 1048576, got '" + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT);
        int shift = switch (unit.charAt(0)) {
            case 'K' -> 10;
            case 'M' -> 20;
            case 'G' -> 30;
            default -> 0;
        };
        if (n < 1 || n > (Long.MAX_VALUE >> shift)) {
            throw new UsageException("--max-body must be at least 1 byte, got '" + text + "'");
        }
        return n << shift;
    }
}
