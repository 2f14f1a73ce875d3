package io.resnet4j.experiment;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.resnet4j.data.Batch;
import io.resnet4j.data.Batcher;
import io.resnet4j.data.CifarData;
import io.resnet4j.data.Normalization;
import io.resnet4j.io.Checkpoint;
import io.resnet4j.image.Preprocessing;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Figure 7: measures {@link ResponseStatistics} of trained nets on evaluation images and draws
 * the std per layer, in network order and sorted by magnitude (descending, as the paper's bottom
 * panel), writing responses.csv next to the figures.
 */
public final class ResponseAnalysis {

    /** One model's layer statistics. @param label legend name, e.g. "plain-20" */
    public record ModelResponses(String model, String label, List<ResponseStatistics.Layer> layers) {

        /** Mean over layers of the per-layer std, a one-number summary for the console and the note. */
        public double meanStd() {
            return layers.stream().mapToDouble(ResponseStatistics.Layer::std).average().orElse(Double.NaN);
        }
    }

    static final Color[] PALETTE = {
        new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e),
        new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x17becf),
        new Color(0xbcbd22), new Color(0x7f7f7f)
    };

    private ResponseAnalysis() {}

    /**
     * Runs the checkpoint's network in inference mode (BN with its running statistics, as at test
     * time) over {@code data}, preprocessed as the checkpoint says, and returns every 3x3 layer's std.
     */
    public static List<ResponseStatistics.Layer> measure(Path checkpoint, CifarData data, int batchSize,
            NDManager manager) throws IOException {
        try (NDManager scope = manager.newSubManager()) {
            Checkpoint.Loaded loaded = Checkpoint.load(checkpoint, scope);
            Preprocessing p = loaded.info().preprocessing();
            if (p.meanImage() == null) {
                throw new IOException(checkpoint + " was not trained with the CIFAR per-pixel-mean preprocessing ("
                        + p.kind() + "); the response analysis takes CIFAR checkpoints");
            }
            Normalization norm = Normalization.of(p.meanImage(), p.channelStd());
            ResponseStatistics stats = new ResponseStatistics();
            loaded.net().setResponseProbe(stats);
            ParameterStore ps = new ParameterStore(scope, false);
            try (Batcher batcher = Batcher.builder(data, norm).evaluation().batchSize(batchSize).build()) {
                while (batcher.hasNext()) {
                    Batch batch = batcher.next();
                    int n = batch.size();
                    try (NDManager batchScope = scope.newSubManager()) {
                        NDArray x = batchScope.create(java.nio.FloatBuffer.wrap(batch.images(), 0, n * 3 * 32 * 32),
                                new Shape(n, 3, 32, 32));
                        loaded.net().forward(ps, new NDList(x), false);
                    }
                }
            } finally {
                loaded.net().setResponseProbe(null);
            }
            return stats.layers();
        }
    }

    /** responses.csv: {@code model,layer_index,layer_name,std}. */
    public static void writeCsv(Path file, List<ModelResponses> models) throws IOException {
        StringBuilder sb = new StringBuilder("model,layer_index,layer_name,std\n");
        for (ModelResponses m : models) {
            for (ResponseStatistics.Layer l : m.layers()) {
                sb.append(String.format(Locale.ROOT, "%s,%d,%s,%.6g%n", m.model(), l.index(), l.name(), l.std()));
            }
        }
        Outputs.write(file, sb.toString());
    }

    /** Writes fig7_original and fig7_sorted as PNG and SVG into {@code dir}; returns the files. */
    public static List<Path> writeFigures(Path dir, List<ModelResponses> models) throws IOException {
        List<Path> files = new ArrayList<>();
        for (boolean sorted : new boolean[] {false, true}) {
            String base = sorted ? "fig7_sorted" : "fig7_original";
            XYChart chart = chart(models, sorted);
            Path png = dir.resolve(base + ".png");
            Path svg = dir.resolve(base + ".svg");
            Outputs.png(png, chart);
            Outputs.svg(svg, chart);
            files.add(png);
            files.add(svg);
        }
        return files;
    }

    static XYChart chart(List<ModelResponses> models, boolean sorted) {
        if (models.isEmpty()) {
            throw new IllegalArgumentException("no models to plot");
        }
        XYChart chart = new XYChartBuilder().width(900).height(420)
                .title(sorted ? "Std of 3x3 layer responses, sorted by magnitude (Figure 7, bottom)"
                        : "Std of 3x3 layer responses, in network order (Figure 7, top)")
                .xAxisTitle(sorted ? "layer index (sorted by magnitude)" : "layer index (original)")
                .yAxisTitle("std").build();
        chart.getStyler()
                .setLegendPosition(Styler.LegendPosition.InsideNE)
                .setChartBackgroundColor(Color.WHITE)
                .setPlotBackgroundColor(Color.WHITE)
                .setLegendBorderColor(Color.GRAY)
                .setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13))
                .setChartTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14))
                .setAntiAlias(true);
        // XYStyler's own setters return XYStyler, Styler's return Styler: two chains, as in TrainingCurves.
        chart.getStyler()
                .setPlotGridLinesColor(new Color(225, 225, 225))
                .setXAxisMin(0.0)
                .setYAxisMin(0.0)
                .setXAxisDecimalPattern("0")
                .setYAxisDecimalPattern("0.0#");
        for (int i = 0; i < models.size(); i++) {
            ModelResponses m = models.get(i);
            List<ResponseStatistics.Layer> layers = new ArrayList<>(m.layers());
            if (layers.isEmpty()) {
                throw new IllegalArgumentException(m.model() + " has no 3x3 layer responses");
            }
            if (sorted) {
                layers.sort(Comparator.comparingDouble(ResponseStatistics.Layer::std).reversed());
            }
            double[] x = new double[layers.size()];
            double[] y = new double[layers.size()];
            for (int k = 0; k < layers.size(); k++) {
                x[k] = k + 1;
                y[k] = layers.get(k).std();
            }
            XYSeries s = chart.addSeries(m.label(), x, y);
            Color c = PALETTE[i % PALETTE.length];
            s.setLineColor(c);
            s.setMarker(SeriesMarkers.NONE);
            // Plain nets dashed, ResNets solid: the figure's point is the contrast between the two kinds.
            boolean plain = m.model().startsWith("plain");
            s.setLineStyle(plain
                    ? new BasicStroke(1.8f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f)
                    : new BasicStroke(1.8f));
        }
        return chart;
    }
}
