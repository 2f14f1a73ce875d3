package io.resnet4j.detection.eval;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * The result of a detection metric, ready for Jackson: {@code map} is the headline number (VOC:
 * mAP at IoU 0.5; COCO: mAP averaged over IoU 0.5:0.95), null when no class has an object;
 * {@code coco} holds COCO's other eleven numbers and is absent for VOC.
 *
 * @param metric {@code voc07}, {@code voc} or {@code coco}
 * @param images images scored
 */
@JsonPropertyOrder({"metric", "images", "map", "per_class", "coco"})
public record DetectionScores(String metric, int images, Double map,
        @JsonProperty("per_class") List<ClassScore> perClass,
        @JsonInclude(JsonInclude.Include.NON_NULL) CocoSummary coco) {

    public DetectionScores {
        perClass = List.copyOf(perClass);
    }
}
