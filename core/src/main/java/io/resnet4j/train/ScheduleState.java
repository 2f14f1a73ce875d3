package io.resnet4j.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What decides a run's learning rate besides its configuration: the iteration, whether the
 * warm-up is over (and the recent training errors that end it), and how often the plateau rule
 * has divided the rate. Saved with every checkpoint, so a resumed run takes the rates an
 * uninterrupted one would have taken.
 */
final class ScheduleState {

    /** Steps whose mean training error must be below the threshold to end the warm-up: one noisy batch is not enough. */
    static final int WARMUP_WINDOW = 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final LearningRateSchedule schedule;
    private final Plateau plateau;
    private final Deque<Double> recentErrors = new ArrayDeque<>();
    private long iteration;
    private boolean warmedUp;
    private double lrScale = 1;

    ScheduleState(TrainConfig config) {
        this.schedule = config.schedule();
        this.plateau = new Plateau(config.plateauPatience());
        this.warmedUp = !schedule.hasWarmup();
    }

    /** Steps taken so far. */
    long iteration() {
        return iteration;
    }

    /** The rate of the next step. */
    float rate() {
        return (float) (schedule.rate(iteration, warmedUp) * lrScale);
    }

    /** Counts a step and lets its training error end the warm-up. */
    void stepped(double batchError) {
        iteration++;
        if (warmedUp) {
            return;
        }
        recentErrors.addLast(batchError);
        if (recentErrors.size() > WARMUP_WINDOW) {
            recentErrors.removeFirst();
        }
        double mean = recentErrors.stream().mapToDouble(Double::doubleValue).average().orElse(1);
        warmedUp = recentErrors.size() == WARMUP_WINDOW && mean < schedule.warmupUntilErrorBelow();
    }

    /** Lets a validation error drive the plateau rule. */
    void validated(double valError) {
        if (plateau.observe(valError)) {
            lrScale *= schedule.factor();
        }
    }

    /** The checkpoint metadata (string values, as safetensors stores them). */
    Map<String, String> toMetadata() {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("iteration", String.valueOf(iteration));
        meta.put("warmed_up", String.valueOf(warmedUp));
        meta.put("recent_errors", JSON.valueToTree(new ArrayList<>(recentErrors)).toString());
        meta.put("lr_scale", String.valueOf(lrScale));
        meta.put("plateau", plateau.toJson());
        return meta;
    }

    /** Restores what {@link #toMetadata} saved; checkpoints of runs without a plateau rule lack its keys. */
    void restore(Map<String, String> meta) throws IOException {
        iteration = Long.parseLong(meta.get("iteration"));
        warmedUp = Boolean.parseBoolean(meta.get("warmed_up"));
        recentErrors.clear();
        for (var n : JSON.readTree(meta.get("recent_errors"))) {
            recentErrors.add(n.asDouble());
        }
        lrScale = Double.parseDouble(meta.getOrDefault("lr_scale", "1"));
        plateau.restore(meta.get("plateau"));
    }

    /**
     * The paper's ImageNet rule: the rate drops when the validation error has not improved for
     * {@code patience} passes (0: never).
     */
    static final class Plateau {
        private final int patience;
        private double best = Double.POSITIVE_INFINITY;
        private int since;

        Plateau(int patience) {
            this.patience = patience;
        }

        /** @return whether the rate should drop now */
        boolean observe(double valError) {
            if (patience == 0 || Double.isNaN(valError)) {
                return false;
            }
            if (valError < best) {
                best = valError;
                since = 0;
                return false;
            }
            if (++since >= patience) {
                since = 0;
                return true;
            }
            return false;
        }

        String toJson() {
            return "{\"best\":" + (Double.isInfinite(best) ? "null" : best) + ",\"since\":" + since + "}";
        }

        void restore(String json) throws IOException {
            if (json == null) {
                return;
            }
            var o = JSON.readTree(json);
            best = o.get("best").isNull() ? Double.POSITIVE_INFINITY : o.get("best").asDouble();
            since = o.get("since").asInt();
        }
    }
}
