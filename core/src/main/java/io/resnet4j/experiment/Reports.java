package io.resnet4j.experiment;

import io.resnet4j.eval.TrainingCurves;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The figures and tables of finished experiments, drawn from the members' metrics.csv and
 * run.json, so they can be redrawn at any time from the folder alone.
 */
public final class Reports {

    static final int WIDTH = 900;
    static final int HEIGHT = 560;

    private Reports() {}

    /**
     * Figure 6 (left: plain, middle: ResNet; one colour per depth, the same in both panels),
     * Figure 1 (plain-20 vs plain-56, or the shallowest vs the deepest plain net given), and the
     * Table 6-style table. Members not finished are left out of the figures and shown as "-".
     *
     * @param results the degradation members, named plainN and resnetN
     * @param dataset name of the data for the titles, e.g. "CIFAR-10"
     * @param depths the depths in the order given
     */
    public static List<Path> degradation(Path dir, String dataset, List<ExperimentRunner.MemberResult> results,
            List<Integer> depths) throws IOException {
        Map<String, ExperimentRunner.MemberResult> byName = results.stream()
                .collect(Collectors.toMap(r -> r.member().name(), Function.identity()));
        List<Path> files = new ArrayList<>();
        List<TrainingCurves.Series> plain = curves(depths, byName, "plain");
        List<TrainingCurves.Series> resnet = curves(depths, byName, "resnet");
        // One y scale for both panels so plain and residual nets compare at a glance, as in the paper.
        Double yMax = sharedYMax(plain, resnet);
        files.addAll(figure(dir, "fig6_plain", dataset + ", plain nets (Figure 6 left)", plain, yMax));
        files.addAll(figure(dir, "fig6_resnet", dataset + ", ResNets (Figure 6 middle)", resnet, yMax));
        List<Integer> plainDepths = depths.stream()
                .filter(d -> byName.containsKey("plain" + d) && byName.get("plain" + d).completed()).toList();
        if (plainDepths.size() >= 2) {
            int a = plainDepths.contains(20) ? 20 : plainDepths.stream().min(Integer::compare).orElseThrow();
            int b = plainDepths.contains(56) ? 56 : plainDepths.stream().max(Integer::compare).orElseThrow();
            if (a != b) {
                List<TrainingCurves.Series> pair = curves(List.of(a, b), byName, "plain");
                files.addAll(figure(dir, "fig1", "plain-" + a + " vs plain-" + b + " on " + dataset + " (Figure 1)", pair, yMax));
            }
        }
        List<TableWriter.DepthRow> rows = new ArrayList<>();
        for (int d : depths) {
            rows.add(new TableWriter.DepthRow(d, resultOrNull(byName.get("plain" + d)),
                    resultOrNull(byName.get("resnet" + d))));
        }
        files.addAll(table(dir, "table6", TableWriter.degradation(rows)));
        return files;
    }

    /** A member left out of the experiment (e.g. {@code --nets resnet}) has no result: its cells read "n/a". */
    private static TableWriter.Result resultOrNull(ExperimentRunner.MemberResult r) {
        return r == null ? null : r.result();
    }

    /** Curves of all options in one panel and the Table 3-style table. */
    public static List<Path> shortcuts(Path dir, String dataset, List<ExperimentRunner.MemberResult> results)
            throws IOException {
        List<TrainingCurves.Series> curves = new ArrayList<>();
        List<TableWriter.ShortcutRow> rows = new ArrayList<>();
        for (ExperimentRunner.MemberResult r : results) {
            if (r.completed()) {
                curves.add(r.curves());
            }
            rows.add(new TableWriter.ShortcutRow(r.member().model().shortcutLabel(), r.member().model().spec().name(),
                    r.result()));
        }
        List<Path> files = new ArrayList<>(figure(dir, "shortcuts", dataset + ", shortcut options A/B/C (Table 3)",
                curves, sharedYMax(curves, List.of())));
        files.addAll(table(dir, "table3", TableWriter.shortcuts(rows)));
        return files;
    }

    private static List<TrainingCurves.Series> curves(List<Integer> depths,
            Map<String, ExperimentRunner.MemberResult> byName, String kind) throws IOException {
        List<TrainingCurves.Series> out = new ArrayList<>();
        for (int d : depths) {
            ExperimentRunner.MemberResult r = byName.get(kind + d);
            if (r != null && r.completed()) {
                out.add(r.curves());
            }
        }
        return out;
    }

    private static Double sharedYMax(List<TrainingCurves.Series> a, List<TrainingCurves.Series> b) {
        double max = 0;
        for (List<TrainingCurves.Series> list : List.of(a, b)) {
            for (TrainingCurves.Series s : list) {
                for (double v : s.trainErrorPercent()) {
                    max = Math.max(max, Double.isFinite(v) ? v : 0);
                }
                for (double v : s.evalErrorPercent()) {
                    max = Math.max(max, Double.isFinite(v) ? v : 0);
                }
            }
        }
        if (max <= 0) {
            return null;
        }
        // The paper's panels run to 20%; short budgets end higher, so round the top up to a multiple of 5.
        return Math.min(100.0, Math.max(20.0, Math.ceil(max / 5) * 5));
    }

    private static List<Path> figure(Path dir, String base, String title, List<TrainingCurves.Series> series,
            Double yMax) throws IOException {
        if (series.isEmpty()) {
            return List.of();
        }
        TrainingCurves.Options options = TrainingCurves.Options.DEFAULTS;
        if (yMax != null) {
            options = options.withYMax(yMax);
        }
        Path png = dir.resolve(base + ".png");
        Path svg = dir.resolve(base + ".svg");
        TrainingCurves.writePng(png, title, series, WIDTH, HEIGHT, options);
        TrainingCurves.writeSvg(svg, title, series, WIDTH, HEIGHT, options);
        return List.of(png, svg);
    }

    private static List<Path> table(Path dir, String base, TableWriter.Table table) throws IOException {
        Files.createDirectories(dir);
        Path md = dir.resolve(base + ".md");
        Path csv = dir.resolve(base + ".csv");
        Outputs.write(md, table.markdown());
        Outputs.write(csv, table.csv());
        return List.of(md, csv);
    }
}
