package io.resnet4j.detection.train;

import io.resnet4j.io.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * curves.png of a detector run, redrawn after every evaluation and at the end: the training loss (the
 * sum of the four, left axis) and the held-out mAP@0.5 in percent (right axis), against the step.
 */
public final class DetectionCurves implements DetectionTrainingListener {

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private final Path metricsCsv;
    private final Path png;
    private final String title;

    public DetectionCurves(Path metricsCsv, Path png, String title) {
        this.metricsCsv = metricsCsv;
        this.png = png;
        this.title = title;
    }

    @Override
    public void onMetrics(Metrics m) {
        if (!Double.isNaN(m.map50())) {
            draw();
        }
    }

    @Override
    public void onEnd(DetectorTrainer.Outcome outcome) {
        draw();
    }

    private void draw() {
        try {
            writePng(metricsCsv, png, title);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot draw " + png, e);
        }
    }

    /** The loss and mAP columns of a metrics.csv: (step, value) pairs where the cell is not empty. */
    record Curves(double[][] loss, double[][] map50) {}

    static Curves read(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        if (lines.isEmpty()) {
            throw new IOException(csv + " is empty; expected the header " + DetectionMetricsCsv.HEADER);
        }
        List<String> header = Arrays.asList(lines.get(0).split(",", -1));
        int loss = header.indexOf("loss");
        int map = header.indexOf("val_map50");
        if (loss < 0 || map < 0) {
            throw new IOException(csv + " is not a detector run's metrics.csv: its header is " + lines.get(0));
        }
        List<double[]> losses = new ArrayList<>();
        List<double[]> maps = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",", -1);
            if (cells.length != header.size()) {
                continue; // a row cut short by a crash
            }
            double step = Double.parseDouble(cells[0]);
            if (!cells[loss].isEmpty()) {
                losses.add(new double[] {step, Double.parseDouble(cells[loss])});
            }
            if (!cells[map].isEmpty()) {
                maps.add(new double[] {step, 100 * Double.parseDouble(cells[map])});
            }
        }
        return new Curves(losses.toArray(double[][]::new), maps.toArray(double[][]::new));
    }

    /** Draws the curves of a metrics.csv into a PNG, written atomically. */
    public static void writePng(Path metricsCsv, Path png, String title) throws IOException {
        Curves c = read(metricsCsv);
        if (c.loss().length == 0 && c.map50().length == 0) {
            return;
        }
        XYChart chart = new XYChartBuilder().width(900).height(560).title(title).xAxisTitle("iter.").build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE).setPlotBackgroundColor(Color.WHITE).setAntiAlias(true);
        chart.getStyler().setPlotGridLinesColor(new Color(225, 225, 225)).setXAxisMin(0.0);
        chart.setYAxisGroupTitle(0, "training loss");
        chart.setYAxisGroupTitle(1, "mAP@0.5 (%)");
        add(chart, "training loss", c.loss(), 0, new Color(0x1f77b4), 1.2f);
        add(chart, "held-out mAP@0.5", c.map50(), 1, new Color(0xd62728), 2.5f);
        AtomicFiles.write(png, out -> BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG));
    }

    private static void add(XYChart chart, String name, double[][] points, int axis, Color colour, float width) {
        if (points.length == 0) {
            return;
        }
        double[] x = Arrays.stream(points).mapToDouble(p -> p[0]).toArray();
        double[] y = Arrays.stream(points).mapToDouble(p -> p[1]).toArray();
        XYSeries s = chart.addSeries(name, x, y);
        s.setYAxisGroup(axis);
        s.setLineColor(colour);
        s.setLineWidth(width);
        s.setLineStyle(new BasicStroke(width));
        s.setMarker(points.length <= 30 ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
        s.setMarkerColor(colour);
    }
}
