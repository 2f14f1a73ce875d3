package io.resnet4j.cli;

import ai.djl.Device;
import io.resnet4j.data.CifarData;
import io.resnet4j.data.CifarSample;
import io.resnet4j.data.Split;
import io.resnet4j.eval.TrainingCurves;
import io.resnet4j.files.OutputFolders;
import io.resnet4j.model.ResNetConfig;
import io.resnet4j.train.MetricsCsv;
import io.resnet4j.train.ProgressReporter;
import io.resnet4j.train.Recipe;
import io.resnet4j.train.RunJson;
import io.resnet4j.train.TrainConfig;
import io.resnet4j.train.Trainer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code resnet4j demo}: the paper's central comparison in a few minutes on the embedded sample
 * (no download, no data set beside the project): ResNet-20 and its plain counterpart trained with the same
 * compressed recipe, their errors side by side and one Figure-6-style plot.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, sortOptions = false,
        description = {"Train ResNet-20 and plain-20 side by side on the small CIFAR-format sample shipped inside resnet4j"
                + " (5,000 training and 1,000 test images of ten shape classes), print their errors and draw the curves.",
            "Needs no download and no data of yours; for real CIFAR-10 use 'resnet4j train --data DIR'."})
final class DemoCommand implements Callable<Integer> {

    /** The demo's default budget: long enough for the curves to separate, short enough for a laptop. */
    static final int DEFAULT_EPOCHS = 8;

    @Option(names = "--epochs", paramLabel = "N", description = "Epochs per network, the paper's CIFAR schedule compressed (default: "
            + DEFAULT_EPOCHS + ").")
    Integer epochs;

    @Option(names = "--iterations", paramLabel = "N", description = "Iterations per network instead of epochs, for a quick look.")
    Long iterations;

    @Option(names = "--models", paramLabel = "MODEL", split = ",", defaultValue = "resnet20,plain20",
            description = "CIFAR models to compare (default: ${DEFAULT-VALUE}).")
    List<String> models;

    @Option(names = "--output", paramLabel = "DIR", description = "Folder for the runs and the plot (default: runs/demo-TIMESTAMP).")
    Path output;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = TrainConfig.DEFAULT_SEED + "", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Mixin
    EngineOptions engine;

    @Mixin
    DetectionDemo detection;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    record Row(String model, long params, double trainError, double testError, double seconds) {}

    @Override
    public Integer call() throws Exception {
        if (detection.requested()) {
            return detection.run(this);
        }
        if (epochs != null && iterations != null) {
            throw new UsageException("give --epochs or --iterations, not both");
        }
        List<ResNetConfig> configs = cifarModels();
        Path dir = output != null ? output : Path.of("runs", "demo-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT)));
        OutputFolders.create(dir);
        Map<Split, CifarData> data = CifarSample.load(EnumSet.of(Split.TRAIN, Split.TEST));
        CifarData train = data.get(Split.TRAIN);
        CifarData test = data.get(Split.TEST);
        Device device = engine.apply();
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "resnet4j demo: %s on the embedded sample (%,d training / %,d test images, classes: %s),"
                        + " %s each, %d threads on %s -> %s%n", String.join(" vs ", models), train.size(), test.size(),
                String.join(", ", train.classNames()), budget(), engine.threads(), device, dir);
        out.flush();
        List<Row> rows = new ArrayList<>();
        List<TrainingCurves.Series> curves = new ArrayList<>();
        for (int i = 0; i < configs.size(); i++) {
            ResNetConfig c = configs.get(i);
            String name = c.spec().name();
            Path runDir = dir.resolve(name);
            OutputFolders.create(runDir);
            TrainConfig config = config(c, train.size());
            long laterNets = (long) (configs.size() - 1 - i) * config.iterations();
            Trainer trainer = new Trainer(config, train, test, device).runFolder(runDir);
            RunJson record = new RunJson(runDir, config, CifarSample.RESOURCE, train, test);
            trainer.addListener(record)
                    .addListener(new MetricsCsv(runDir.resolve("metrics.csv")))
                    .addListener(new ProgressReporter(System.err, System.console() != null, name)
                            .followedBy(laterNets, "demo"));
            StoppableTraining.Result r = StoppableTraining.run(trainer, record, false,
                    StoppableTraining.DEFAULT_GRACE_SECONDS);
            Trainer.Outcome o = r.outcome();
            rows.add(new Row(name, c.plan().params(), o.lastTrainError(), o.lastValError(), o.seconds()));
            curves.add(TrainingCurves.readMetricsCsv(runDir.resolve("metrics.csv"), label(name)));
            if (!o.completed()) {
                out.println("interrupted; partial results in " + dir);
                out.flush();
                return Math.max(r.exitCode(), Main.EXIT_FAILURE);
            }
        }
        Path png = dir.resolve("curves.png");
        TrainingCurves.writePng(png, "CIFAR-format sample: " + String.join(" vs ", models), curves, 900, 560);
        printTable(out, rows);
        out.printf(Locale.ROOT, "%ncurves (training dashed, test solid): %s%nruns: %s%n", png, dir);
        out.flush();
        return 0;
    }

    private List<ResNetConfig> cifarModels() {
        List<ResNetConfig> configs = new ArrayList<>();
        for (String m : models) {
            try {
                ResNetConfig c = ResNetConfig.of(m);
                if (c.spec().stem() != io.resnet4j.model.Stem.CIFAR) {
                    throw new UsageException(m + " is not a CIFAR model; the demo compares CIFAR nets such as resnet20,plain20");
                }
                configs.add(c);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
        }
        return configs;
    }

    private static void printTable(PrintWriter out, List<Row> rows) {
        out.println();
        out.printf(Locale.ROOT, "%-10s %10s %14s %12s %9s%n", "MODEL", "PARAMS", "TRAIN ERROR", "TEST ERROR", "TIME");
        for (Row r : rows) {
            out.printf(Locale.ROOT, "%-10s %10s %13.2f%% %11.2f%% %9s%n", r.model(), Format.count(r.params()),
                    100 * r.trainError(), 100 * r.testError(), ProgressReporter.duration((long) r.seconds()));
        }
    }

    /** The CIFAR recipe on the budget asked for, with dense curves and one checkpoint, at the end. */
    private TrainConfig config(ResNetConfig model, int trainImages) {
        TrainConfig.Builder b = TrainConfig.builder(Recipe.cifar()).model(model).trainImages(trainImages).seed(seed)
                .checkpointEvery(Integer.MAX_VALUE).logEvery(10);
        try {
            return (iterations != null ? b.iterations(iterations) : b.epochs(epochs())).build();
        } catch (io.resnet4j.train.InvalidConfigException e) {
            throw TrainCommand.usage(e);
        }
    }

    private int epochs() {
        return epochs != null ? epochs : DEFAULT_EPOCHS;
    }

    private String budget() {
        return iterations != null ? String.format(Locale.ROOT, "%,d iterations", iterations) : epochs() + " epochs";
    }

    /** The paper's spelling: "ResNet-20", "plain-20". */
    static String label(String model) {
        return model.startsWith("plain") ? "plain-" + model.substring(5)
                : model.startsWith("resnet") ? "ResNet-" + model.substring(6) : model;
    }
}
