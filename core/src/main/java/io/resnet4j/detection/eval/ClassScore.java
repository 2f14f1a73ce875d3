package io.resnet4j.detection.eval;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * One class's result: its label and name, how many objects count for it (VOC: those not difficult;
 * COCO: those not crowd), how many detections were scored, and its AP, null when the class has
 * no object to find (such classes stay out of the mean, as in pycocotools).
 */
@JsonPropertyOrder({"label", "name", "objects", "detections", "ap"})
public record ClassScore(int label, String name, int objects, int detections, Double ap) {

    /** The mean of the APs that exist, or null when none does. */
    static Double mean(List<ClassScore> scores) {
        double sum = 0;
        int n = 0;
        for (ClassScore s : scores) {
            if (s.ap() != null) {
                sum += s.ap();
                n++;
            }
        }
        return n == 0 ? null : sum / n;
    }
}
