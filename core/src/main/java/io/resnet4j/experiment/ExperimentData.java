package io.resnet4j.experiment;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.resnet4j.data.Cifar10;
import io.resnet4j.data.CifarData;
import io.resnet4j.data.CifarSample;
import io.resnet4j.data.Split;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Map;

/**
 * The training and validation images of an experiment: real CIFAR-10 split as the paper tunes
 * (45k train / 5k validation), or, when no folder is given, the sample embedded in resnet4j (its
 * train and test splits) so an experiment runs anywhere. Optional subsets (the first N images)
 * fit small CPU budgets; they are recorded in run.json because they change what the numbers mean.
 *
 * @param path the data folder or archive, or {@link CifarSample#RESOURCE} for the sample
 */
public record ExperimentData(CifarData train, CifarData val, String path, Integer trainSubset, Integer valSubset) {

    /** @param data CIFAR-10 binary folder or archive, or null for the embedded sample */
    public static ExperimentData load(Path data, Integer trainSubset, Integer valSubset) throws IOException {
        CifarData train;
        CifarData val;
        String path;
        if (data == null) {
            Map<Split, CifarData> s = CifarSample.load(EnumSet.of(Split.TRAIN, Split.TEST));
            train = s.get(Split.TRAIN);
            val = s.get(Split.TEST);
            path = CifarSample.RESOURCE;
        } else {
            Map<Split, CifarData> s = Cifar10.load(data, EnumSet.of(Split.TRAIN45K, Split.VAL5K));
            train = s.get(Split.TRAIN45K);
            val = s.get(Split.VAL5K);
            path = data.toAbsolutePath().normalize().toString(); // members' run.json must work from any directory
        }
        return new ExperimentData(first(train, trainSubset, "--train-subset"), first(val, valSubset, "--val-subset"),
                path, trainSubset, valSubset);
    }

    /** The first {@code n} images; the data files are not sorted by class, so a prefix keeps the class mix. */
    static CifarData first(CifarData d, Integer n, String option) {
        if (n == null) {
            return d;
        }
        if (n < 1) {
            throw new ExperimentException(option + " must be at least 1, got " + n);
        }
        if (n >= d.size()) {
            return d;
        }
        return new CifarData(Arrays.copyOf(d.pixels(), n * CifarData.IMAGE_SIZE), Arrays.copyOf(d.labels(), n),
                d.classNames(), d.source(), d.split());
    }

    /** The "data" object of the experiment's run.json. */
    public ObjectNode toJson(ObjectNode o) {
        o.put("path", path);
        o.put("train_split", train.split().toString());
        o.put("train_images", train.size());
        o.put("val_split", val.split().toString());
        o.put("val_images", val.size());
        if (trainSubset != null) {
            o.put("train_subset", trainSubset);
        } else {
            o.putNull("train_subset");
        }
        if (valSubset != null) {
            o.put("val_subset", valSubset);
        } else {
            o.putNull("val_subset");
        }
        return o;
    }
}
