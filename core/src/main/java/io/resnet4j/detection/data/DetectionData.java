package io.resnet4j.detection.data;

import io.resnet4j.data.DatasetException;
import io.resnet4j.detection.DetectionDataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Opens a detection data set by its layout, for the commands that take {@code --data ROOT}. */
public final class DetectionData {

    /** The split read when none is named: VOC's validation list. */
    public static final String DEFAULT_VOC_SPLIT = "val";

    private DetectionData() {}

    /**
     * @param split VOC: a list of {@code ImageSets/Main} (default val); COCO: X of {@code instances_X.json}
     *     (default: the only one)
     * @param labels how COCO category ids become labels (unused for VOC)
     * @throws DatasetException when the root has neither layout, or the split is missing or ambiguous
     */
    public static DetectionDataset open(Path root, String split, CocoDataset.Labels labels) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new DatasetException(root + " is not a folder; expected a Pascal VOC or COCO data set root");
        }
        if (VocDataset.isVocRoot(root)) {
            return VocDataset.read(root, split == null ? DEFAULT_VOC_SPLIT : split);
        }
        List<String> splits = CocoDataset.splits(root);
        if (splits.isEmpty()) {
            throw new DatasetException(root + " is neither a Pascal VOC root (Annotations/, ImageSets/Main/,"
                    + " JPEGImages/) nor a COCO root (annotations/instances_SPLIT.json)");
        }
        if (split == null && splits.size() > 1) {
            throw new DatasetException(root + " has the COCO splits " + splits + "; choose one with --split");
        }
        return CocoDataset.read(root, split == null ? splits.get(0) : split, labels);
    }
}
