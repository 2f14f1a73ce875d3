package io.resnet4j.detection.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.resnet4j.detection.DetectionDataset;
import io.resnet4j.detection.model.DetectorNames;
import io.resnet4j.train.RunJson;
import java.nio.file.Path;

/**
 * run.json of a detector run, through the classification runs' {@link RunJson}: the configuration
 * (which {@code --resume} reads back), seed, data set (path, splits, image counts, classes),
 * environment, timings and the final losses and mAP@0.5.
 */
public final class DetectionRunJson implements DetectionTrainingListener {

    private final RunJson json;

    /**
     * @param val the held-out split, or null
     */
    public DetectionRunJson(Path runDir, DetectionTrainConfig config, String dataPath, String trainSplit,
            DetectionDataset train, String valSplit, DetectionDataset val) {
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        data.put("path", dataPath);
        data.put("train_split", trainSplit);
        data.put("train_images", train.images().size());
        if (val != null) {
            data.put("val_split", valSplit);
            data.put("val_images", val.images().size());
        }
        data.put("classes", train.numClasses() - 1);
        var names = data.putArray("class_names");
        train.classNames().forEach(names::add);
        json = new RunJson(runDir, DetectorNames.of(config.model()), config.toJson(), config.seed(), data);
    }

    /** Keeps the history of an earlier run.json (start time, resumptions) when a run is resumed. */
    public DetectionRunJson mergePrevious(JsonNode previous) {
        json.mergePrevious(previous);
        return this;
    }

    /** The run.json itself: for session settings, the resume command and a forced stop's record. */
    public RunJson record() {
        return json;
    }

    @Override
    public void onStart(DetectionTrainConfig config, long startIteration, int batchesPerEpoch) {
        json.started(startIteration, batchesPerEpoch);
    }

    @Override
    public void onCheckpoint(Path weights, long iteration) {
        json.onCheckpoint(weights, iteration);
    }

    @Override
    public void onEnd(DetectorTrainer.Outcome o) {
        ObjectNode fin = JsonNodeFactory.instance.objectNode();
        DetectorTrainStep.Losses l = o.lastLosses();
        if (l != null) {
            fin.put("loss", l.total());
            fin.put("loss_objectness", l.objectness());
            fin.put("loss_rpn_box_reg", l.rpnBoxRegression());
            fin.put("loss_classifier", l.classifier());
            fin.put("loss_box_reg", l.boxRegression());
        }
        RunJson.putNumber(fin, "val_map50", o.lastMap50());
        json.ended(new RunJson.End(o.completed(), o.iteration(), o.trained(), o.seconds(), o.imagesPerSecond(), fin,
                o.lastCheckpoint(), o.stopReason()));
    }
}
