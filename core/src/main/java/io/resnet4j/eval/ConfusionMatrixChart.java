package io.resnet4j.eval;

import io.resnet4j.io.AtomicFiles;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * A {@link ConfusionMatrix} as a heat map (XChart). Colour is the <em>row-normalised</em>
 * percentage (share of each actual class predicted as each class), so rare and common classes are
 * comparable; for up to 20 classes each cell is also labelled with that percentage. Actual classes
 * run top to bottom in label order, as in the text table.
 */
final class ConfusionMatrixChart {

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private ConfusionMatrixChart() {}

    /** Writes the heat map as a PNG, atomically. */
    static void writePng(ConfusionMatrix m, Path file, int width, int height) throws IOException {
        HeatMapChart chart = build(m, width, height);
        AtomicFiles.write(file, out -> BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG));
    }

    static HeatMapChart build(ConfusionMatrix m, int width, int height) {
        long[][] counts = m.matrix();
        int k = counts.length;
        HeatMapChart chart = new HeatMapChartBuilder()
                .width(width)
                .height(height)
                .title(String.format(Locale.ROOT, "confusion matrix (%% of actual class), top-1 error %s",
                        ConfusionMatrix.percent(m.top1Error())))
                .xAxisTitle("predicted")
                .yAxisTitle("actual")
                .build();
        chart.getStyler()
                .setShowValue(k <= 20)
                .setHeatMapValueDecimalPattern("0.#")
                .setMin(0)
                .setMax(100)
                // XChart has one value colour for all cells, so the scale stops at a medium blue on
                // which black digits stay legible (a navy end made the diagonal unreadable).
                .setRangeColors(new Color[] {
                    new Color(0xf7fbff), new Color(0xc6dbef), new Color(0x6baed6), new Color(0x4292c6)
                })
                .setValueFontColor(Color.BLACK)
                .setValueFont(new Font(Font.SANS_SERIF, Font.PLAIN, k <= 10 ? 12 : 9))
                .setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setChartBackgroundColor(Color.WHITE).setAntiAlias(true);
        chart.getStyler().setXAxisLabelRotation(k > 5 ? 45 : 0);

        List<String> xs = new ArrayList<>(m.classes());
        // Heat-map rows are drawn bottom-up; reverse so actual class 0 is at the top like the table.
        List<String> ys = new ArrayList<>(m.classes());
        Collections.reverse(ys);
        List<Number[]> cells = new ArrayList<>();
        for (int a = 0; a < k; a++) {
            long row = 0;
            for (long c : counts[a]) {
                row += c;
            }
            for (int p = 0; p < k; p++) {
                double pct = row == 0 ? 0.0 : 100.0 * counts[a][p] / row;
                cells.add(new Number[] {p, k - 1 - a, pct});
            }
        }
        chart.addSeries("% of actual class", xs, ys, cells);
        return chart;
    }
}
