package io.resnet4j.train;

import io.resnet4j.eval.TrainingCurves;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/** Redraws curves.png (training error dashed, validation solid, as Figure 6) after every validation pass. */
public final class CurvesListener implements TrainingListener {

    private final Path metricsCsv;
    private final Path png;
    private final String label;

    public CurvesListener(Path metricsCsv, Path png, String label) {
        this.metricsCsv = metricsCsv;
        this.png = png;
        this.label = label;
    }

    @Override
    public void onMetrics(Metrics m) {
        if (!Double.isNaN(m.valError())) {
            draw();
        }
    }

    @Override
    public void onEnd(Trainer.Outcome outcome) {
        draw();
    }

    private void draw() {
        try {
            TrainingCurves.Series s = TrainingCurves.readMetricsCsv(metricsCsv, label);
            if (s.iterations().length > 0) {
                TrainingCurves.writePng(png, label, List.of(s), 900, 560);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot draw " + png, e);
        }
    }
}
