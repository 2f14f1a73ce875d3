package io.resnet4j.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.resnet4j.experiment.Budget;
import io.resnet4j.files.OutputFolders;
import io.resnet4j.experiment.ExperimentData;
import io.resnet4j.experiment.ExperimentException;
import io.resnet4j.experiment.ExperimentRunner;
import io.resnet4j.experiment.Reports;
import io.resnet4j.experiment.ResponseAnalysis;
import io.resnet4j.experiment.ResponseStatistics;
import io.resnet4j.model.ResNetConfig;
import io.resnet4j.model.Shortcut;
import io.resnet4j.train.Recipe;
import io.resnet4j.train.RunInfo;
import io.resnet4j.train.RunJson;
import io.resnet4j.train.TrainConfig;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code resnet4j experiment}: the paper's CIFAR-10 experiments with one command each.
 * Every experiment is a folder of member runs plus a run.json; re-running the same command
 * skips finished members, and {@code --resume} continues an interrupted one.
 */
@Command(name = "experiment", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        resourceBundle = "io.resnet4j.cli.RecipeHelp",
        description = {"Reproduce the paper's CIFAR-10 experiments: degradation (Figures 1 and 6, Table 6),"
                + " layer responses (Figure 7) and shortcut options (Table 3).",
            "Without --data they run on the small sample embedded in resnet4j, so they work anywhere."},
        subcommands = {ExperimentCommand.Degradation.class, ExperimentCommand.Responses.class,
            ExperimentCommand.Shortcuts.class})
public final class ExperimentCommand implements Callable<Integer> {

    /** Depths of the paper's CIFAR nets (6n+2) for which resnetN and plainN both exist. */
    static final Set<Integer> DEPTHS = Set.of(20, 32, 44, 56, 110);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        throw new UsageException("name an experiment: degradation, responses or shortcuts");
    }

    /** Options every training experiment shares. */
    static final class TrainingOptions {
        @Option(names = "--data", paramLabel = "DIR",
                description = "CIFAR-10 binary folder or archive; trains on train45k, validates on val5k"
                        + " (default: the embedded sample, its train and test splits).")
        Path data;

        @Option(names = "--output", paramLabel = "RUN_DIR",
                description = "Experiment folder (default: runs/experiment-NAME-TIMESTAMP). Re-use it to skip"
                        + " finished members.")
        Path output;

        @Option(names = "--epochs", paramLabel = "N", description = "Budget: N epochs per member, the paper's schedule compressed"
                + " (lr /10 at 50%% and 75%%).")
        Integer epochs;

        @Option(names = "--iterations", paramLabel = "N", description = "Budget: N iterations per member, same proportions.")
        Long iterations;

        @Option(names = "--full", description = "Budget: the paper's whole CIFAR schedule (${bundle:cifar}).")
        boolean full;

        @Option(names = "--resume", arity = "0..1", fallbackValue = "", paramLabel = "RUN_DIR",
                description = "Continue the interrupted experiment in RUN_DIR, each member from its newest checkpoint"
                        + " (give the same budget options); '--resume --output RUN_DIR' means the same.")
        String resume;

        @Option(names = "--grace-seconds", paramLabel = "SECONDS", description = "After SIGTERM, SIGINT or SIGHUP, the time"
                + " to finish the step and write a checkpoint before exiting at once (default: "
                + StoppableTraining.DEFAULT_GRACE_SECONDS + ").")
        Integer graceSeconds;

        @Option(names = "--train-subset", paramLabel = "N",
                description = "Train on the first N training images only (small CPU budgets; recorded in run.json).")
        Integer trainSubset;

        @Option(names = "--val-subset", paramLabel = "N",
                description = "Validate on the first N validation images only (recorded in run.json).")
        Integer valSubset;

        @Option(names = "--batch-size", paramLabel = "N", description = "Mini-batch size (default: the CIFAR recipe's).")
        Integer batchSize;

        @Option(names = "--seed", paramLabel = "SEED", defaultValue = TrainConfig.DEFAULT_SEED + "",
                description = "Seed of every member (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--workers", paramLabel = "N", defaultValue = TrainConfig.DEFAULT_WORKERS + "",
                description = "Data-preparation threads (default: ${DEFAULT-VALUE}).")
        int workers;

        @Option(names = "--warmup-lr", paramLabel = "LR",
                description = "Train every member at LR until its training error is below 80%%, then at 0.1, as the"
                        + " paper does for ResNet-110 (default: the paper's rule, warm-up only from 110 layers;"
                        + " 0 disables it everywhere).")
        Float warmupLr;

        Budget budget() {
            int batch = batchSize != null ? batchSize : Recipe.cifar().batchSize();
            return new Budget(epochs, iterations, full, batch, seed, workers, warmupLr);
        }

        boolean resuming() {
            return resume != null;
        }

        /** The experiment folder: --resume's or --output's (which must then agree), or a new one. */
        Path outputOr(String experiment) {
            if (resume != null && !resume.isEmpty()) {
                Path dir = Path.of(resume);
                if (output != null && !output.toAbsolutePath().normalize().equals(dir.toAbsolutePath().normalize())) {
                    throw new UsageException("--resume " + resume + " and --output " + output + " name different"
                            + " folders; give the experiment folder once, as --resume RUN_DIR");
                }
                return dir;
            }
            if (resume != null && output == null) {
                throw new UsageException("--resume needs the experiment folder: --resume RUN_DIR");
            }
            return output != null ? output : Path.of("runs", "experiment-" + experiment + "-"
                    + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT)));
        }
    }

    /** Runs members under stop signals, then draws the reports; shared by degradation and shortcuts. */
    abstract static class TrainingExperiment implements Callable<Integer> {
        @Mixin
        TrainingOptions options = new TrainingOptions();

        @Mixin
        EngineOptions engine;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        private int signalExit;

        abstract String name();

        /** For figure titles: runs on the embedded sample must not be mistaken for CIFAR-10 results. */
        String datasetName() {
            return options.data == null ? "embedded CIFAR-format sample" : "CIFAR-10";
        }

        abstract List<ExperimentRunner.Member> members();

        abstract List<Path> report(Path dir, List<ExperimentRunner.MemberResult> results) throws Exception;

        @Override
        public Integer call() throws Exception {
            try {
                Budget budget = options.budget();
                List<ExperimentRunner.Member> members = members();
                ExperimentData data = ExperimentData.load(options.data, options.trainSubset, options.valSubset);
                Device device = engine.apply();
                Path dir = options.outputOr(name());
                PrintWriter out = spec.commandLine().getOut();
                out.printf(Locale.ROOT, "experiment %s: %d members (%s) on %s (%,d training / %,d validation images),"
                                + " %d threads on %s -> %s%n", name(), members.size(),
                        String.join(", ", members.stream().map(ExperimentRunner.Member::name).toList()), data.path(),
                        data.train().size(), data.val().size(), engine.threads(), device, dir);
                out.flush();
                ExperimentRunner runner = runner(dir, data, budget, device, out);
                List<ExperimentRunner.MemberResult> results;
                try (io.resnet4j.files.RunLock lock = io.resnet4j.files.RunLock.acquire(dir)) {
                    results = runner.run(members, options.resuming());
                } catch (io.resnet4j.files.RunLock.LockedException e) {
                    throw new UsageException(e.getMessage());
                }
                List<Path> files = report(dir, results);
                runner.recordOutputs(files);
                boolean done = results.stream().allMatch(ExperimentRunner.MemberResult::completed);
                out.printf(Locale.ROOT, "%s in %s: %s%n", done ? "results" : "partial results", dir,
                        String.join(", ", files.stream().map(f -> f.getFileName().toString()).toList()));
                if (!done) {
                    out.printf(Locale.ROOT, "interrupted; continue with the same options and --resume %s%n", dir);
                }
                out.flush();
                return done ? 0 : Math.max(signalExit, Main.EXIT_FAILURE);
            } catch (ExperimentException | IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
        }

        /** Members train under stop signals; the exit code of a stopped one is kept for the command's. */
        private ExperimentRunner runner(Path dir, ExperimentData data, Budget budget, Device device, PrintWriter out)
                throws java.io.IOException {
            int grace = options.graceSeconds != null ? options.graceSeconds : StoppableTraining.DEFAULT_GRACE_SECONDS;
            return new ExperimentRunner(name(), dir, data, budget, device, out)
                    .invoker((trainer, record, resume) -> {
                        StoppableTraining.Result r = StoppableTraining.run(trainer, record, resume, grace);
                        signalExit = r.exitCode();
                        return r.outcome();
                    })
                    .resumeCommand(resumeCommand(spec, options, dir.toAbsolutePath()))
                    .progress(true, System.console() != null);
        }
    }

    /** The command line as given, with --resume RUN_DIR added where missing. */
    static String resumeCommand(CommandLine.Model.CommandSpec spec, TrainingOptions options, Path dir) {
        return Launcher.command() + " " + String.join(" ", spec.commandLine().getParseResult().originalArgs())
                + (options.resuming() ? "" : " --resume " + dir);
    }

    @Command(name = "degradation", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
            sortOptions = false,
            description = {"Train plain-N and ResNet-N for each depth with the paper's recipe and draw Figure 6"
                    + " (fig6_plain, fig6_resnet), Figure 1 (fig1: plain-20 vs plain-56) as PNG and SVG, and a"
                    + " Table 6-style table (table6.md, table6.csv) next to the paper's errors."})
    static final class Degradation extends TrainingExperiment {
        @Option(names = "--depths", paramLabel = "DEPTH", split = ",", defaultValue = "20,32,44,56",
                description = "Depths 6n+2 to compare: 20, 32, 44, 56, 110 (default: ${DEFAULT-VALUE}).")
        List<Integer> depths;

        @Option(names = "--nets", split = ",", defaultValue = "plain,resnet", paramLabel = "plain|resnet",
                description = "Which nets to train at each depth (default: ${DEFAULT-VALUE}); 'resnet' alone compares"
                        + " depths of ResNets (Figure 6 middle) at half the cost.")
        List<String> nets;

        @Override
        String name() {
            return "degradation";
        }

        @Override
        List<ExperimentRunner.Member> members() {
            Set<String> kinds = new LinkedHashSet<>();
            for (String n : nets) {
                String k = n.trim().toLowerCase(Locale.ROOT);
                if (!k.equals("plain") && !k.equals("resnet")) {
                    throw new UsageException("--nets takes plain, resnet or both (plain,resnet), got '" + n + "'");
                }
                kinds.add(k);
            }
            List<ExperimentRunner.Member> out = new ArrayList<>();
            for (int d : distinctDepths(depths)) {
                if (kinds.contains("plain")) {
                    out.add(new ExperimentRunner.Member("plain" + d, "plain-" + d, ResNetConfig.of("plain" + d)));
                }
                if (kinds.contains("resnet")) {
                    out.add(new ExperimentRunner.Member("resnet" + d, "ResNet-" + d, ResNetConfig.of("resnet" + d)));
                }
            }
            return out;
        }

        @Override
        List<Path> report(Path dir, List<ExperimentRunner.MemberResult> results) throws Exception {
            return Reports.degradation(dir, datasetName(), results, distinctDepths(depths));
        }
    }

    @Command(name = "shortcuts", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
            sortOptions = false,
            description = {"Train one CIFAR ResNet with shortcut options A (identity, zero-padded), B (projection where"
                    + " dimensions change) and C (projection everywhere), as the paper's Table 3 on ImageNet; B and C"
                    + " add projection parameters. Writes shortcuts.png/.svg and table3.md/.csv."})
    static final class Shortcuts extends TrainingExperiment {
        @Option(names = "--depth", paramLabel = "DEPTH", defaultValue = "20", description = "Depth of the ResNet (default: ${DEFAULT-VALUE}).")
        int depth;

        @Option(names = "--options", split = ",", defaultValue = "A,B,C", paramLabel = "A|B|C",
                description = "Shortcut options to compare (default: ${DEFAULT-VALUE}).")
        List<String> shortcutOptions;

        @Override
        String name() {
            return "shortcuts";
        }

        @Override
        List<ExperimentRunner.Member> members() {
            int d = distinctDepths(List.of(depth)).get(0);
            Set<Shortcut> chosen = new LinkedHashSet<>();
            for (String s : shortcutOptions) {
                chosen.add(Shortcut.parse(s));
            }
            List<ExperimentRunner.Member> out = new ArrayList<>();
            for (Shortcut s : chosen) {
                out.add(new ExperimentRunner.Member("resnet" + d + "-" + s.name(), "ResNet-" + d + " (" + s.name() + ")",
                        ResNetConfig.of("resnet" + d).withShortcut(s)));
            }
            return out;
        }

        @Override
        List<Path> report(Path dir, List<ExperimentRunner.MemberResult> results) throws Exception {
            return Reports.shortcuts(dir, datasetName(), results);
        }
    }

    static List<Integer> distinctDepths(List<Integer> depths) {
        List<Integer> out = new ArrayList<>(new LinkedHashSet<>(depths));
        for (int d : out) {
            if (!DEPTHS.contains(d)) {
                throw new UsageException("depth " + d + " is not one of the paper's CIFAR depths 20, 32, 44, 56, 110");
            }
        }
        if (out.isEmpty()) {
            throw new UsageException("give at least one depth");
        }
        return out;
    }

    @Command(name = "responses", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
            sortOptions = false,
            description = {"Figure 7: the std of every 3x3 layer's response (its BN output, before the addition and"
                    + " ReLU) over the validation images, for each trained net of a degradation folder.",
                "Per layer: the population std over all elements (images x channels x positions) of the BN output,"
                    + " accumulated over batches in float64 with a pairwise mean/variance update; inference mode.",
                "Writes responses.csv (model,layer_index,layer_name,std) and fig7_original/fig7_sorted .png/.svg."})
    static final class Responses implements Callable<Integer> {
        private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

        @Option(names = "--from", required = true, paramLabel = "RUN_DIR", description = "A degradation experiment folder.")
        Path from;

        @Option(names = "--data", paramLabel = "DIR",
                description = "CIFAR-10 folder; measures on val5k (default: the embedded sample's test split). Use"
                        + " the data the experiment was trained on.")
        Path data;

        @Option(names = "--output", paramLabel = "RUN_DIR", description = "Where to write (default: the --from folder).")
        Path output;

        @Option(names = "--val-subset", paramLabel = "N", description = "Measure on the first N images only.")
        Integer valSubset;

        @Option(names = "--batch-size", paramLabel = "N", defaultValue = "250", description = "Images per forward pass (default: ${DEFAULT-VALUE}).")
        int batchSize;

        @Mixin
        EngineOptions engine;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            try {
                return measure();
            } catch (ExperimentException | IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
        }

        private Integer measure() throws Exception {
            JsonNode manifest;
            try {
                manifest = RunJson.read(from);
            } catch (java.io.IOException e) {
                throw new UsageException(e.getMessage());
            }
            if (!"degradation".equals(manifest.path("experiment").asText())) {
                throw new UsageException(from + " is not a degradation experiment folder (its run.json has no"
                        + " \"experiment\": \"degradation\"); run 'experiment degradation' first");
            }
            List<JsonNode> members = new ArrayList<>();
            manifest.path("members").forEach(m -> {
                if (Files.exists(from.resolve(m.get("dir").asText()).resolve(ExperimentRunner.MODEL_FILE))) {
                    members.add(m);
                }
            });
            if (members.isEmpty()) {
                throw new UsageException(from + " has no finished member (no model.safetensors); let the degradation"
                        + " experiment finish first");
            }
            // Paper's Figure 7 order: plain nets, then ResNets, each by depth.
            members.sort(Comparator.comparing((JsonNode m) -> m.get("model").asText().startsWith("plain") ? 0 : 1)
                    .thenComparingInt(m -> m.get("depth").asInt()));
            ExperimentData d = ExperimentData.load(data, 1, valSubset);
            Device device = engine.apply();
            Path dir = output != null ? output : from;
            OutputFolders.create(dir);
            PrintWriter out = spec.commandLine().getOut();
            out.printf(Locale.ROOT, "responses of %d nets from %s on %,d images of %s (%s), %d threads on %s%n",
                    members.size(), from, d.val().size(), d.path(), d.val().split(), engine.threads(), device);
            out.flush();
            List<ResponseAnalysis.ModelResponses> results = new ArrayList<>();
            try (NDManager manager = NDManager.newBaseManager(device)) {
                for (JsonNode m : members) {
                    Path weights = from.resolve(m.get("dir").asText()).resolve(ExperimentRunner.MODEL_FILE);
                    List<ResponseStatistics.Layer> layers = ResponseAnalysis.measure(weights, d.val(), batchSize, manager);
                    ResponseAnalysis.ModelResponses r = new ResponseAnalysis.ModelResponses(m.get("name").asText(),
                            m.get("label").asText(), layers);
                    results.add(r);
                    out.printf(Locale.ROOT, "  %-10s %3d layers, mean std %.4f, max %.4f%n", r.label(), layers.size(),
                            r.meanStd(), layers.stream().mapToDouble(ResponseStatistics.Layer::std).max().orElse(0));
                    out.flush();
                }
            }
            List<Path> files = new ArrayList<>();
            Path csv = dir.resolve("responses.csv");
            ResponseAnalysis.writeCsv(csv, results);
            files.add(csv);
            files.addAll(ResponseAnalysis.writeFigures(dir, results));
            // The degradation folder's run.json belongs to that experiment; this one records itself beside it.
            Path record = dir.toAbsolutePath().normalize().equals(from.toAbsolutePath().normalize())
                    ? dir.resolve("responses.json") : dir.resolve(RunJson.FILE);
            ObjectNode root = JSON.createObjectNode();
            root.put("experiment", "responses");
            root.put("status", "completed");
            root.put("from", from.toAbsolutePath().toString());
            root.put("definition", "per 3x3 layer: population std over all (N,C,H,W) elements of its BN output"
                    + " (before addition and ReLU), pooled over all images, inference-mode BN");
            ObjectNode dataNode = root.putObject("data");
            dataNode.put("path", d.path());
            dataNode.put("split", d.val().split().toString());
            dataNode.put("images", d.val().size());
            if (valSubset != null) {
                dataNode.put("val_subset", valSubset);
            }
            root.set("environment", RunInfo.collect().toJson());
            var arr = root.putArray("members");
            for (ResponseAnalysis.ModelResponses r : results) {
                ObjectNode o = arr.addObject();
                o.put("name", r.model());
                o.put("label", r.label());
                o.put("layers", r.layers().size());
                o.put("mean_std", r.meanStd());
            }
            var outs = root.putArray("outputs");
            files.forEach(f -> outs.add(f.getFileName().toString()));
            Files.write(record, JSON.writeValueAsBytes(root));
            out.printf(Locale.ROOT, "results in %s: responses.csv, fig7_original.png/.svg, fig7_sorted.png/.svg, %s%n",
                    dir, record.getFileName());
            out.flush();
            return 0;
        }
    }
}
