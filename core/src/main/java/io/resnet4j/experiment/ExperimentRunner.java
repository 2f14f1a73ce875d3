package io.resnet4j.experiment;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.resnet4j.eval.TrainingCurves;
import io.resnet4j.io.JsonErrors;
import io.resnet4j.model.ResNetConfig;
import io.resnet4j.train.CurvesListener;
import io.resnet4j.train.MetricsCsv;
import io.resnet4j.train.ProgressReporter;
import io.resnet4j.train.RunInfo;
import io.resnet4j.train.RunJson;
import io.resnet4j.train.RunState;
import io.resnet4j.train.TrainConfig;
import io.resnet4j.train.Trainer;
import io.resnet4j.train.TrainingCheckpoints;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs an experiment's members one after another, each a normal training run in
 * {@code OUT/<member>/} (metrics.csv, run.json, checkpoints, model.safetensors), and keeps the
 * experiment's own {@code OUT/run.json} up to date: experiment, budget, data, environment and
 * every member with its status and final errors.
 *
 * <p>Re-running is safe and cheap: a member whose model.safetensors exists and whose run.json says
 * "completed" is skipped (after checking it was trained with the same budget, so one table never
 * mixes budgets); a member stopped any other way (a signal, a kill, before or after its first
 * checkpoint) is continued with {@code resume} from where it stopped, with its own recorded
 * configuration, and refused without it, so work is never thrown away silently.
 */
public final class ExperimentRunner {

    /** A member: its folder name, its legend label, and its network. */
    public record Member(String name, String label, ResNetConfig model) {}

    /** Status and final numbers of a member after {@link #run}. */
    public record MemberResult(Member member, String status, TableWriter.Result result, Path dir, boolean skipped) {

        public boolean completed() {
            return "completed".equals(status);
        }

        /** The member's training curves from its metrics.csv. */
        public TrainingCurves.Series curves() throws IOException {
            return TrainingCurves.readMetricsCsv(dir.resolve("metrics.csv"), member.label());
        }
    }

    /** Runs one trainer; the CLI runs it under its stop signals, which record a forced stop in {@code record}. */
    @FunctionalInterface
    public interface TrainerInvoker {
        Trainer.Outcome run(Trainer trainer, RunJson record, boolean resume) throws Exception;
    }

    public static final String MODEL_FILE = TrainingCheckpoints.FINAL_MODEL;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final String experiment;
    private final Path outDir;
    private final ExperimentData data;
    private final Budget budget;
    private final Device device;
    private final PrintWriter out;
    private final ObjectNode root;
    private TrainerInvoker invoker = (trainer, record, resume) -> trainer.run(resume);
    private boolean progress = false;
    private boolean interactive = false;
    private String resumeCommand;

    public ExperimentRunner(String experiment, Path outDir, ExperimentData data, Budget budget, Device device,
            PrintWriter out) throws IOException {
        this.experiment = experiment;
        this.outDir = outDir;
        this.data = data;
        this.budget = budget;
        this.device = device;
        this.out = out;
        Path existing = outDir.resolve(RunJson.FILE);
        JsonNode previous = Files.exists(existing) ? JsonErrors.readFile(JSON, existing) : null;
        if (previous != null && previous.has("experiment") && !experiment.equals(previous.get("experiment").asText())) {
            throw new ExperimentException(outDir + " holds a '" + previous.get("experiment").asText()
                    + "' experiment, not '" + experiment + "'; choose another --output");
        }
        root = JSON.createObjectNode();
        root.put("experiment", experiment);
        root.put("status", "running");
        budget.toJson(root.putObject("budget"));
        data.toJson(root.putObject("data"));
        root.set("environment", RunInfo.collect().toJson());
        ObjectNode timings = root.putObject("timings");
        timings.put("started", previous != null && previous.path("timings").has("started")
                ? previous.get("timings").get("started").asText() : Instant.now().toString());
        root.putArray("members");
        root.putArray("outputs");
    }

    /** Replaces the plain {@code trainer.run(resume)} (the CLI installs its signal handling here). */
    public ExperimentRunner invoker(TrainerInvoker i) {
        this.invoker = i;
        return this;
    }

    /** The command that continues this experiment, recorded in a stopped member's run.json. */
    public ExperimentRunner resumeCommand(String command) {
        this.resumeCommand = command;
        return this;
    }

    /** Shows a per-member progress line on stderr. */
    public ExperimentRunner progress(boolean show, boolean isInteractive) {
        this.progress = show;
        this.interactive = isInteractive;
        return this;
    }

    /**
     * Trains every member not yet finished, in order. Stops at the first member that is interrupted
     * (a signal); its result then has status "interrupted" and later members "pending".
     */
    public List<MemberResult> run(List<Member> members, boolean resume) throws Exception {
        Files.createDirectories(outDir);
        Map<String, MemberResult> results = new LinkedHashMap<>();
        for (Member m : members) {
            results.put(m.name(), new MemberResult(m, "pending", TableWriter.Result.missing(m.model().plan().params()),
                    outDir.resolve(m.name()), false));
        }
        writeManifest(results.values(), "running");
        for (Member m : members) {
            MemberResult r = runMember(m, resume, results);
            results.put(m.name(), r);
            writeManifest(results.values(), "running");
            if (!r.completed()) {
                writeManifest(results.values(), "interrupted");
                return new ArrayList<>(results.values());
            }
        }
        writeManifest(results.values(), "completed");
        return new ArrayList<>(results.values());
    }

    private MemberResult runMember(Member m, boolean resume, Map<String, MemberResult> results) throws Exception {
        Path dir = outDir.resolve(m.name());
        TrainConfig config = budget.config(m.model(), data.train().size());
        if (isFinished(dir)) {
            JsonNode run = RunJson.read(dir);
            long done = run.path("config").path("iterations").asLong(-1);
            int images = run.path("dataset").path("train_images").asInt(-1);
            if (done != config.iterations() || images != data.train().size()) {
                throw new ExperimentException(dir + " was trained for " + done + " iterations on " + images
                        + " images, this experiment asks for " + config.iterations() + " on " + data.train().size()
                        + "; use another --output (or the same budget and data)");
            }
            out.printf(Locale.ROOT, "%s: already finished, skipped%n", m.name());
            out.flush();
            return new MemberResult(m, "completed", finalResult(m, run), dir, true);
        }
        RunState previous = Files.exists(dir.resolve(RunJson.FILE)) ? RunState.read(dir) : null;
        if (previous != null) {
            if (!resume) {
                throw new ExperimentException(dir + " holds a stopped run (" + previous.howItEnded() + "); pass --resume"
                        + " to continue it from " + previous.resumesFrom() + ", or delete that folder to start it again");
            }
            // The member's own stored configuration, so a resumed run continues exactly as it began.
            config = previous.config();
        }
        Files.createDirectories(dir);
        results.put(m.name(), new MemberResult(m, "running", TableWriter.Result.missing(m.model().plan().params()),
                dir, false));
        writeManifest(results.values(), "running");
        out.printf(Locale.ROOT, "%s: %s %s (%,d parameters), %,d iterations of %d on %,d images -> %s%n", m.name(),
                previous != null ? "resuming" : "training", m.label(), m.model().plan().params(), config.iterations(),
                config.batchSize(), data.train().size(), dir);
        if (previous != null) {
            out.printf(Locale.ROOT, "%s: continues from %s; its last session %s%n", m.name(), previous.resumesFrom(),
                    previous.howItEnded());
        }
        out.flush();
        Trainer trainer = new Trainer(config, data.train(), data.val(), device).runFolder(dir);
        RunJson record = new RunJson(dir, config, data.path(), data.train(), data.val())
                .resumeCommand(resumeCommand).mergePrevious(previous == null ? null : previous.json());
        trainer.addListener(record)
                .addListener(new MetricsCsv(dir.resolve("metrics.csv")))
                .addListener(new CurvesListener(dir.resolve("metrics.csv"), dir.resolve("curves.png"), m.label()));
        if (progress) {
            trainer.addListener(new ProgressReporter(System.err, interactive, m.label()));
        }
        Trainer.Outcome o = invoker.run(trainer, record, previous != null);
        TableWriter.Result r = new TableWriter.Result(m.model().plan().params(), o.lastTrainError(), o.lastValError());
        out.printf(Locale.ROOT, "%s: %s at iteration %,d, train error %s%%, val error %s%%, %s%n", m.name(),
                o.completed() ? "finished" : "interrupted", o.iteration(), TableWriter.percent(o.lastTrainError()),
                TableWriter.percent(o.lastValError()), ProgressReporter.duration((long) o.seconds()));
        out.flush();
        if (o.completed()) {
            // The final numbers of the table come from run.json, the same source as for skipped members.
            return new MemberResult(m, "completed", finalResult(m, RunJson.read(dir)), dir, false);
        }
        return new MemberResult(m, "interrupted", r, dir, false);
    }

    /** Finished means the trainer got to copy its final weights and marked its run.json completed. */
    public static boolean isFinished(Path memberDir) throws IOException {
        if (!Files.exists(memberDir.resolve(MODEL_FILE)) || !Files.exists(memberDir.resolve(RunJson.FILE))) {
            return false;
        }
        return "completed".equals(RunJson.read(memberDir).path("status").asText());
    }

    private static TableWriter.Result finalResult(Member m, JsonNode run) {
        JsonNode f = run.path("final");
        return new TableWriter.Result(m.model().plan().params(), number(f.get("train_error")), number(f.get("val_error")));
    }

    private static double number(JsonNode n) {
        return n == null || n.isNull() || !n.isNumber() ? Double.NaN : n.asDouble();
    }

    /** Adds produced files (relative to the experiment folder) to run.json. */
    public void recordOutputs(List<Path> files) throws IOException {
        ArrayNode outputs = (ArrayNode) root.get("outputs");
        outputs.removeAll();
        for (Path f : files) {
            outputs.add(outDir.toAbsolutePath().relativize(f.toAbsolutePath()).toString());
        }
        save();
    }

    private void writeManifest(Iterable<MemberResult> results, String status) throws IOException {
        root.put("status", status);
        ArrayNode members = (ArrayNode) root.get("members");
        members.removeAll();
        for (MemberResult r : results) {
            ObjectNode o = members.addObject();
            o.put("name", r.member().name());
            o.put("label", r.member().label());
            o.put("model", r.member().model().spec().name());
            o.put("shortcut", r.member().model().shortcutLabel());
            o.put("depth", r.member().model().spec().depth());
            o.put("params", r.member().model().plan().params());
            o.put("dir", r.member().name());
            o.put("status", r.status());
            putNumber(o, "train_error", r.result().trainError());
            putNumber(o, "val_error", r.result().valError());
        }
        if (!"running".equals(status)) {
            root.with("timings").put("ended", Instant.now().toString());
        }
        save();
    }

    private void save() throws IOException {
        Outputs.write(outDir.resolve(RunJson.FILE), JSON.writeValueAsBytes(root));
    }

    private static void putNumber(ObjectNode o, String key, double v) {
        if (Double.isNaN(v)) {
            o.putNull(key);
        } else {
            o.put(key, v);
        }
    }

    public Path outDir() {
        return outDir;
    }

    public String experiment() {
        return experiment;
    }
}
