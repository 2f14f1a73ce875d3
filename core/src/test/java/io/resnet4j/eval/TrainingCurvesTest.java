package io.resnet4j.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

/** Figure-6-style curves: styling contract, rendering to real files, metrics.csv parsing. */
class TrainingCurvesTest {

    /** A synthetic run shaped like a CIFAR curve: decaying error with LR drops at 32k and 48k. */
    static TrainingCurves.Series synthetic(String label, double floor) {
        int n = 64;
        double[] it = new double[n];
        double[] train = new double[n];
        for (int i = 0; i < n; i++) {
            it[i] = (i + 1) * 1000.0;
            double drop = it[i] > 48000 ? 0.3 : it[i] > 32000 ? 0.5 : 1.0;
            train[i] = floor * 0.3 + (18 * Math.exp(-i / 8.0) + 6) * drop + (i % 3) * 0.4;
        }
        int m = 16;
        double[] evalIt = new double[m];
        double[] eval = new double[m];
        for (int j = 0; j < m; j++) {
            evalIt[j] = (j + 1) * 4000.0;
            double drop = evalIt[j] > 48000 ? 0.85 : evalIt[j] > 32000 ? 0.9 : 1.0;
            eval[j] = floor + 14 * Math.exp(-j / 3.0) * drop + 4 * drop;
        }
        return new TrainingCurves.Series(label, it, train, evalIt, eval);
    }

    @Test
    void trainAndEvalOfOneRunShareAColourAndOnlyTrainIsDashed() {
        List<TrainingCurves.Series> runs = List.of(synthetic("ResNet-20", 8), synthetic("plain-20", 9));
        XYChart chart = TrainingCurves.buildChart("CIFAR-10", runs, 800, 500, TrainingCurves.Options.DEFAULTS);

        assertThat(chart.getSeriesMap()).containsOnlyKeys(
                "ResNet-20", "ResNet-20 (train)", "plain-20", "plain-20 (train)");
        for (String label : List.of("ResNet-20", "plain-20")) {
            XYSeries eval = chart.getSeriesMap().get(label);
            XYSeries train = chart.getSeriesMap().get(label + TrainingCurves.TRAIN_SUFFIX);
            assertThat(train.getLineColor()).isEqualTo(eval.getLineColor());
            assertThat(train.getLineStyle().getDashArray()).isNotNull().isNotEmpty();
            assertThat(eval.getLineStyle().getDashArray()).isNull();
            assertThat(eval.getLineStyle().getLineWidth()).isGreaterThan(train.getLineStyle().getLineWidth());
            assertThat(eval.isShowInLegend()).isTrue();
            assertThat(train.isShowInLegend()).isFalse();
        }
        assertThat(chart.getSeriesMap().get("ResNet-20").getLineColor())
                .isNotEqualTo(chart.getSeriesMap().get("plain-20").getLineColor());
        // 64k iterations are shown in units of 1e4, as in the paper.
        assertThat(chart.getXAxisTitle()).isEqualTo("iter. (1e4)");
        assertThat(chart.getYAxisTitle()).isEqualTo("error (%)");
        assertThat(chart.getSeriesMap().get("ResNet-20").getXData()[0]).isEqualTo(0.4);
        assertThat(chart.getStyler().getYAxisMin()).isEqualTo(0.0);
        // Max error here is below 30: the axis is rounded up to a multiple of 5, not stretched to 100.
        assertThat(chart.getStyler().getYAxisMax()).isBetween(20.0, 30.0);
    }

    @Test
    void optionsFixTheYRangeAndAddAReferenceLine() {
        TrainingCurves.Options opts = TrainingCurves.Options.DEFAULTS
                .withYMax(20)
                .withReference(8.75, "paper ResNet-20")
                .withLegendOutside(true);
        XYChart chart = TrainingCurves.buildChart("t", List.of(synthetic("ResNet-20", 8)), 600, 400, opts);
        assertThat(chart.getStyler().getYAxisMax()).isEqualTo(20.0);
        XYSeries ref = chart.getSeriesMap().get("paper ResNet-20");
        assertThat(ref).isNotNull();
        assertThat(ref.getYData()).containsExactly(8.75, 8.75);
        assertThat(ref.isShowInLegend()).isTrue();
        assertThatThrownBy(() -> TrainingCurves.Options.DEFAULTS.withYMax(150))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void autoYMaxRoundsUpAndCapsAt100() {
        assertThat(TrainingCurves.autoYMax(8.2)).isEqualTo(10.0);
        assertThat(TrainingCurves.autoYMax(20.0)).isEqualTo(20.0);
        assertThat(TrainingCurves.autoYMax(63)).isEqualTo(70.0);
        assertThat(TrainingCurves.autoYMax(99.5)).isEqualTo(100.0);
        assertThat(TrainingCurves.autoYMax(0)).isEqualTo(5.0);
    }

    @Test
    void pngHasTheRequestedSizeAndNoTemporaryFileRemains(@TempDir Path dir) throws IOException {
        Path png = dir.resolve("fig6.png");
        List<TrainingCurves.Series> runs = List.of(
                synthetic("plain-20", 9.5), synthetic("plain-56", 13), synthetic("ResNet-20", 8.5),
                synthetic("ResNet-56", 7));
        TrainingCurves.writePng(png, "CIFAR-10", runs, 640, 420,
                TrainingCurves.Options.DEFAULTS.withYMax(20).withReference(6.97, "paper ResNet-56"));

        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image).isNotNull();
        assertThat(image.getWidth()).isEqualTo(640);
        assertThat(image.getHeight()).isEqualTo(420);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("fig6.png");
        }
        // Not left owner-only like the temporary file it was written through.
        if (Files.getFileStore(png).supportsFileAttributeView("posix")) {
            assertThat(Files.getPosixFilePermissions(png))
                    .contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ);
        }
        // Overwriting an existing figure works (the rename replaces it).
        TrainingCurves.writePng(png, "CIFAR-10", runs.subList(0, 1), 300, 200);
        assertThat(ImageIO.read(png.toFile()).getWidth()).isEqualTo(300);
    }

    @Test
    void svgIsWrittenUnderTheExactName(@TempDir Path dir) throws IOException {
        Path svg = dir.resolve("curves.svg");
        TrainingCurves.writeSvg(svg, "CIFAR-10", List.of(synthetic("ResNet-20", 8)), 640, 420);
        String text = Files.readString(svg, StandardCharsets.UTF_8);
        assertThat(text).contains("<svg").contains("</svg>");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("curves.svg");
        }
    }

    @Test
    void failedRenderLeavesNoFileBehind(@TempDir Path dir) throws IOException {
        Path png = dir.resolve("bad.png");
        assertThatThrownBy(() -> TrainingCurves.writePng(png, "t", List.of(), 640, 420))
                .isInstanceOf(IllegalArgumentException.class);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void readsMetricsCsvWithEmptyValidationCells(@TempDir Path dir) throws IOException {
        Path csv = dir.resolve("metrics.csv");
        Files.writeString(csv, String.join("\n",
                "iteration,epoch,lr,train_loss,train_error,val_error,images_per_s",
                "100,0,0.1,2.1,0.80,,1500.5",
                "200,0,0.1,1.8,0.65,,1510.0",
                "391,1,0.1,1.5,0.50,0.4525,1498.2",
                "",
                "500,1,0.1,1.4,0.45,,1502.0",
                "782,2,0.1,1.2,0.40,0.3810,1499.9",
                ""), StandardCharsets.UTF_8);

        TrainingCurves.Series s = TrainingCurves.readMetricsCsv(csv, "ResNet-20");
        assertThat(s.label()).isEqualTo("ResNet-20");
        assertThat(s.iterations()).containsExactly(100, 200, 391, 500, 782);
        assertThat(s.trainErrorPercent()).containsExactly(
                new double[] {80, 65, 50, 45, 40}, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(s.evalIterations()).containsExactly(391, 782);
        assertThat(s.evalErrorPercent()).containsExactly(
                new double[] {45.25, 38.10}, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void rejectsErrorsThatAreNotFractions(@TempDir Path dir) throws IOException {
        Path csv = dir.resolve("metrics.csv");
        Files.writeString(csv, "iteration,epoch,lr,train_loss,train_error,val_error,images_per_s\n"
                + "100,0,0.1,2.1,80.0,,1500\n");
        assertThatThrownBy(() -> TrainingCurves.readMetricsCsv(csv, "x"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(":2:")
                .hasMessageContaining("train_error");
    }

    @Test
    void aRunWithoutEvaluationStillAppearsInTheLegend() {
        TrainingCurves.Series s = new TrainingCurves.Series(
                "plain-20", new double[] {1, 2, 3}, new double[] {50, 40, 30}, new double[0], new double[0]);
        XYChart chart = TrainingCurves.buildChart("t", List.of(s), 400, 300, TrainingCurves.Options.DEFAULTS);
        assertThat(chart.getSeriesMap()).containsOnlyKeys("plain-20 (train)");
        assertThat(chart.getSeriesMap().get("plain-20 (train)").isShowInLegend()).isTrue();
        assertThat(chart.getXAxisTitle()).isEqualTo("iter.");
    }
}
