package io.resnet4j.eval;

import io.resnet4j.io.AtomicFiles;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Training curves drawn the way the paper's Figure 6 draws them: iterations on the x axis, error in
 * percent on the y axis, one colour per run, the training error as a thin dashed line and the
 * validation/test error of the same run as a thicker solid line in the same colour. Keeping the
 * paper's visual grammar lets a reader put our figure next to the paper's and compare at a glance
 * (for example that plain-56 trains worse than plain-20 while ResNet-56 trains better than ResNet-20).
 *
 * <p>Rendering is headless (no display needed on a training server). Files are written atomically.
 * SVG output uses XChart's VectorGraphicsEncoder, whose VectorGraphics2D dependency comes
 * transitively with XChart 3.8.8.
 */
public final class TrainingCurves {

    static {
        // XChart renders through java.awt; without a display AWT must be told to stay headless
        // before the toolkit loads, or the first chart throws HeadlessException on a server.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /** Suffix of the (legend-hidden) training-error series name; the evaluation series carries the bare label. */
    public static final String TRAIN_SUFFIX = " (train)";

    /** Series name of the optional horizontal reference line when no label is given. */
    public static final String DEFAULT_REFERENCE_LABEL = "reference";

    /** Stroke of the training error: thin and dashed, as in the paper. */
    static final float TRAIN_WIDTH = 1.0f;

    /** Stroke of the evaluation error: thicker and solid, as in the paper's "bold lines". */
    static final float EVAL_WIDTH = 2.5f;

    /**
     * Colours for successive runs: well separated hues (the Tableau-10 palette), in the order the
     * runs are given, so the shallowest/first run keeps the same colour across figures.
     */
    static final Color[] PALETTE = {
        new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e),
        new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x17becf),
        new Color(0xbcbd22), new Color(0x7f7f7f)
    };

    private static final String[] CSV_HEADER = {
        "iteration", "epoch", "lr", "train_loss", "train_error", "val_error", "images_per_s"
    };

    /**
     * One run's curves. Training and evaluation error are sampled at different iterations (training
     * every few iterations, evaluation every epoch or so), so each has its own x values.
     *
     * @param label the run's name, used as legend entry and series name, e.g. "ResNet-20"
     * @param iterations iterations at which the training error was recorded
     * @param trainErrorPercent training error in percent, same length as {@code iterations}
     * @param evalIterations iterations at which the validation/test error was measured (may be empty)
     * @param evalErrorPercent validation/test error in percent, same length as {@code evalIterations}
     */
    public record Series(
            String label,
            double[] iterations,
            double[] trainErrorPercent,
            double[] evalIterations,
            double[] evalErrorPercent) {

        /** Validates lengths up front so a mismatch fails here, naming the run, not deep inside XChart. */
        public Series {
            Objects.requireNonNull(label, "label");
            Objects.requireNonNull(iterations, "iterations");
            Objects.requireNonNull(trainErrorPercent, "trainErrorPercent");
            Objects.requireNonNull(evalIterations, "evalIterations");
            Objects.requireNonNull(evalErrorPercent, "evalErrorPercent");
            if (iterations.length != trainErrorPercent.length) {
                throw new IllegalArgumentException(label + ": " + iterations.length + " iterations but "
                        + trainErrorPercent.length + " training errors");
            }
            if (evalIterations.length != evalErrorPercent.length) {
                throw new IllegalArgumentException(label + ": " + evalIterations.length + " eval iterations but "
                        + evalErrorPercent.length + " eval errors");
            }
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Series s
                    && label.equals(s.label)
                    && Arrays.equals(iterations, s.iterations)
                    && Arrays.equals(trainErrorPercent, s.trainErrorPercent)
                    && Arrays.equals(evalIterations, s.evalIterations)
                    && Arrays.equals(evalErrorPercent, s.evalErrorPercent);
        }

        @Override
        public int hashCode() {
            return Objects.hash(label, Arrays.hashCode(iterations), Arrays.hashCode(trainErrorPercent),
                    Arrays.hashCode(evalIterations), Arrays.hashCode(evalErrorPercent));
        }

        @Override
        public String toString() {
            return "Series[" + label + ", " + iterations.length + " train points, "
                    + evalIterations.length + " eval points]";
        }
    }

    /**
     * Figure options. All optional; {@link #DEFAULTS} reproduces the paper's look with an automatic
     * y range.
     *
     * @param yMaxPercent top of the y axis in percent, or null for automatic (max error rounded up, capped at 100);
     *     the paper's CIFAR panels use 20
     * @param referencePercent height of a horizontal reference line in percent (e.g. a PyTorch yardstick), or null
     * @param referenceLabel legend entry of the reference line; null means {@value #DEFAULT_REFERENCE_LABEL}
     * @param legendOutside put the legend right of the plot instead of inside the top-right corner
     *     (useful with many runs, where an inside legend would cover curves)
     */
    public record Options(Double yMaxPercent, Double referencePercent, String referenceLabel, boolean legendOutside) {

        /** Automatic y range, no reference line, legend inside the top-right corner. */
        public static final Options DEFAULTS = new Options(null, null, null, false);

        /** Checks the numbers are usable percentages. */
        public Options {
            if (yMaxPercent != null && !(yMaxPercent > 0 && yMaxPercent <= 100)) {
                throw new IllegalArgumentException("yMaxPercent must be in (0, 100], got " + yMaxPercent);
            }
            if (referencePercent != null && !(referencePercent >= 0 && referencePercent <= 100)) {
                throw new IllegalArgumentException("referencePercent must be in [0, 100], got " + referencePercent);
            }
        }

        /** The same options with a fixed y maximum. */
        public Options withYMax(double percent) {
            return new Options(percent, referencePercent, referenceLabel, legendOutside);
        }

        /** The same options with a horizontal reference line at {@code percent}. */
        public Options withReference(double percent, String label) {
            return new Options(yMaxPercent, percent, label, legendOutside);
        }

        /** The same options with the legend outside (true) or inside (false) the plot. */
        public Options withLegendOutside(boolean outside) {
            return new Options(yMaxPercent, referencePercent, referenceLabel, outside);
        }
    }

    private TrainingCurves() {}

    /** {@link #writePng(Path, String, List, int, int, Options)} with {@link Options#DEFAULTS}. */
    public static void writePng(Path file, String title, List<Series> runs, int width, int height) throws IOException {
        writePng(file, title, runs, width, height, Options.DEFAULTS);
    }

    /** Renders the figure to a PNG of exactly {@code width} x {@code height} pixels, written atomically. */
    public static void writePng(Path file, String title, List<Series> runs, int width, int height, Options options)
            throws IOException {
        XYChart chart = buildChart(title, runs, width, height, options);
        AtomicFiles.write(file, out -> BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG));
    }

    /** {@link #writeSvg(Path, String, List, int, int, Options)} with {@link Options#DEFAULTS}. */
    public static void writeSvg(Path file, String title, List<Series> runs, int width, int height) throws IOException {
        writeSvg(file, title, runs, width, height, Options.DEFAULTS);
    }

    /**
     * Renders the figure as SVG (scalable, for papers and reports), written atomically. Unlike
     * XChart's file-name overload, the file name is used exactly as given (no extension appended).
     */
    public static void writeSvg(Path file, String title, List<Series> runs, int width, int height, Options options)
            throws IOException {
        XYChart chart = buildChart(title, runs, width, height, options);
        AtomicFiles.write(file, out ->
                VectorGraphicsEncoder.saveVectorGraphic(chart, out, VectorGraphicsEncoder.VectorGraphicsFormat.SVG));
    }

    /**
     * Builds the chart without rendering it, so tests and callers can inspect or restyle the series.
     *
     * <p>Per run, the evaluation series is named by the run label (and appears in the legend); the
     * training series is named label + {@value #TRAIN_SUFFIX}, shares the colour, and is hidden from
     * the legend, as in the paper, whose caption rather than legend explains dashed versus bold. The
     * chart title therefore gets the note "dashed: training, solid: test" appended.
     *
     * <p>Iterations of 10<sup>4</sup> and more are shown in units of 10<sup>k</sup> with the axis
     * titled "iter. (1ek)", like the paper's "iter. (1e4)".
     */
    public static XYChart buildChart(String title, List<Series> runs, int width, int height, Options options) {
        Objects.requireNonNull(options, "options");
        checkFigure(runs, width, height);
        double maxIter = 0;
        double maxError = options.referencePercent() != null ? options.referencePercent() : 0;
        for (Series run : runs) {
            maxIter = Math.max(maxIter, Math.max(finiteMax(run.iterations()), finiteMax(run.evalIterations())));
            maxError = Math.max(maxError, Math.max(finiteMax(run.trainErrorPercent()), finiteMax(run.evalErrorPercent())));
        }
        int exponent = maxIter >= 1e4 ? (int) Math.floor(Math.log10(maxIter)) : 0;
        double scale = Math.pow(10, exponent);
        XYChart chart = emptyChart(title, width, height, exponent,
                options.yMaxPercent() != null ? options.yMaxPercent() : autoYMax(maxError), options.legendOutside());
        // Evaluation first so the legend (which lists only these) follows the order of the runs.
        for (int i = 0; i < runs.size(); i++) {
            addEvaluation(chart, runs.get(i), PALETTE[i % PALETTE.length], scale);
        }
        for (int i = 0; i < runs.size(); i++) {
            addTraining(chart, runs.get(i), PALETTE[i % PALETTE.length], scale);
        }
        if (options.referencePercent() != null) {
            addReference(chart, options, Math.max(maxIter, 1) / scale);
        }
        return chart;
    }

    private static void checkFigure(List<Series> runs, int width, int height) {
        Objects.requireNonNull(runs, "runs");
        if (width < 50 || height < 50) {
            throw new IllegalArgumentException("figure too small: " + width + "x" + height);
        }
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("no runs to plot");
        }
        Set<String> labels = new HashSet<>();
        for (Series run : runs) {
            if (!labels.add(run.label())) {
                throw new IllegalArgumentException("duplicate run label: " + run.label());
            }
        }
    }

    /** Axes, title and style as the paper's figures: iterations (scaled by 10^exponent) against error. */
    private static XYChart emptyChart(String title, int width, int height, int exponent, double yMax,
            boolean legendOutside) {
        String fullTitle = (title == null || title.isBlank() ? "" : title + "  ") + "(dashed: training, solid: test)";
        XYChart chart = new XYChartBuilder()
                .width(width)
                .height(height)
                .title(fullTitle)
                .xAxisTitle(exponent == 0 ? "iter." : "iter. (1e" + exponent + ")")
                .yAxisTitle("error (%)")
                .build();
        chart.getStyler()
                .setLegendPosition(legendOutside ? Styler.LegendPosition.OutsideE : Styler.LegendPosition.InsideNE)
                .setChartBackgroundColor(Color.WHITE)
                .setPlotBackgroundColor(Color.WHITE)
                .setLegendBackgroundColor(new Color(255, 255, 255, 220))
                .setLegendBorderColor(Color.GRAY)
                .setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13))
                .setLegendSeriesLineLength(28)
                .setChartTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14))
                .setAntiAlias(true);
        chart.getStyler()
                .setPlotGridLinesColor(new Color(225, 225, 225))
                .setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12))
                .setYAxisMin(0.0)
                .setYAxisMax(yMax)
                .setXAxisMin(0.0)
                .setXAxisDecimalPattern(exponent == 0 ? "#,##0" : "0.#")
                .setYAxisDecimalPattern("0.#");
        return chart;
    }

    /** The solid evaluation curve, which names the run in the legend. */
    private static void addEvaluation(XYChart chart, Series run, Color colour, double scale) {
        if (run.evalIterations().length == 0) {
            return;
        }
        XYSeries eval = chart.addSeries(run.label(), scaled(run.evalIterations(), scale), run.evalErrorPercent());
        eval.setMarker(SeriesMarkers.NONE);
        eval.setLineColor(colour);
        eval.setLineWidth(EVAL_WIDTH);
        eval.setLineStyle(new BasicStroke(EVAL_WIDTH, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
    }

    /** The dashed training curve, in the legend only for a run without evaluation points. */
    private static void addTraining(XYChart chart, Series run, Color colour, double scale) {
        if (run.iterations().length == 0) {
            return;
        }
        XYSeries train = chart.addSeries(run.label() + TRAIN_SUFFIX, scaled(run.iterations(), scale),
                run.trainErrorPercent());
        train.setMarker(SeriesMarkers.NONE);
        train.setLineColor(colour);
        train.setLineWidth(TRAIN_WIDTH);
        train.setLineStyle(new BasicStroke(
                TRAIN_WIDTH, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
        train.setShowInLegend(run.evalIterations().length == 0);
    }

    private static void addReference(XYChart chart, Options options, double xMax) {
        double r = options.referencePercent();
        String name = options.referenceLabel() == null ? DEFAULT_REFERENCE_LABEL : options.referenceLabel();
        XYSeries ref = chart.addSeries(name, new double[] {0, xMax}, new double[] {r, r});
        ref.setMarker(SeriesMarkers.NONE);
        ref.setLineColor(Color.BLACK);
        ref.setLineWidth(1.0f);
        ref.setLineStyle(new BasicStroke(1.0f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                new float[] {1.5f, 3f}, 0f));
    }

    /**
     * Reads a training log {@code metrics.csv} (header
     * {@code iteration,epoch,lr,train_loss,train_error,val_error,images_per_s}; columns are located
     * by name, so their order may change) into one run. Errors are fractions in [0, 1] in the file
     * and become percent here. Rows whose {@code val_error} (or {@code train_error}) cell is empty
     * contribute only to the other curve, because evaluation runs far less often than logging.
     *
     * @throws IOException if the file cannot be read, or a row is malformed (with its line number)
     */
    public static Series readMetricsCsv(Path csv, String label) throws IOException {
        List<double[]> train = new ArrayList<>();
        List<double[]> eval = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
            String header = in.readLine();
            if (header == null) {
                throw new IOException(csv + ": empty file, expected header " + String.join(",", CSV_HEADER));
            }
            Map<String, Integer> columns = new HashMap<>();
            String[] names = header.replace("\uFEFF", "").split(",", -1);
            for (int i = 0; i < names.length; i++) {
                columns.put(names[i].trim().toLowerCase(Locale.ROOT), i);
            }
            for (String required : new String[] {"iteration", "train_error", "val_error"}) {
                if (!columns.containsKey(required)) {
                    throw new IOException(csv + ": header lacks column '" + required + "': " + header);
                }
            }
            int iterCol = columns.get("iteration");
            int trainCol = columns.get("train_error");
            int valCol = columns.get("val_error");
            String line;
            int lineNo = 1;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String[] cells = line.split(",", -1);
                if (cells.length != names.length) {
                    throw new IOException(csv + ":" + lineNo + ": " + cells.length + " cells, header has " + names.length);
                }
                double iteration = parse(cells[iterCol], csv, lineNo, "iteration");
                if (Double.isNaN(iteration)) {
                    throw new IOException(csv + ":" + lineNo + ": empty iteration");
                }
                double trainError = parse(cells[trainCol], csv, lineNo, "train_error");
                double valError = parse(cells[valCol], csv, lineNo, "val_error");
                if (!Double.isNaN(trainError)) {
                    train.add(new double[] {iteration, 100.0 * checkFraction(trainError, csv, lineNo, "train_error")});
                }
                if (!Double.isNaN(valError)) {
                    eval.add(new double[] {iteration, 100.0 * checkFraction(valError, csv, lineNo, "val_error")});
                }
            }
        }
        return new Series(label, column(train, 0), column(train, 1), column(eval, 0), column(eval, 1));
    }

    /** Max error rounded up to the next multiple of 5 (10 above 50), never above 100 and at least 5. */
    static double autoYMax(double maxError) {
        if (!(maxError > 0)) {
            return 5;
        }
        double step = maxError > 50 ? 10 : 5;
        double rounded = Math.ceil(maxError / step) * step;
        return Math.min(100, Math.max(5, rounded));
    }

    private static double finiteMax(double[] values) {
        double max = 0;
        for (double v : values) {
            if (Double.isFinite(v) && v > max) {
                max = v;
            }
        }
        return max;
    }

    private static double[] scaled(double[] values, double scale) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i] / scale;
        }
        return out;
    }

    /** Parses a cell; an empty cell (or "nan", as Python loggers write it) is NaN meaning "not measured". */
    private static double parse(String cell, Path csv, int lineNo, String column) throws IOException {
        String s = cell.trim();
        if (s.isEmpty() || s.equalsIgnoreCase("nan")) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new IOException(csv + ":" + lineNo + ": " + column + " is not a number: '" + s + "'", e);
        }
    }

    private static double checkFraction(double v, Path csv, int lineNo, String column) throws IOException {
        if (!(v >= 0 && v <= 1)) {
            throw new IOException(csv + ":" + lineNo + ": " + column + " must be a fraction in [0, 1], got " + v);
        }
        return v;
    }

    private static double[] column(List<double[]> rows, int index) {
        double[] out = new double[rows.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = rows.get(i)[index];
        }
        return out;
    }
}
