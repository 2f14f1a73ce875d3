package io.resnet4j.detection.eval;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * The twelve numbers pycocotools' {@code COCOeval.summarize()} prints, in its order, each null
 * where it prints -1 (no class has an object in that range): AP over IoU 0.5:0.95, at 0.5, at 0.75,
 * for small, medium and large objects (at most 100 detections per image and class), then average
 * recall with at most 1, 10 and 100 detections, and for small, medium and large objects.
 */
@JsonPropertyOrder({"ap", "ap50", "ap75", "ap_small", "ap_medium", "ap_large", "ar1", "ar10", "ar100", "ar_small",
    "ar_medium", "ar_large"})
public record CocoSummary(Double ap, Double ap50, Double ap75,
        @JsonProperty("ap_small") Double apSmall, @JsonProperty("ap_medium") Double apMedium,
        @JsonProperty("ap_large") Double apLarge, Double ar1, Double ar10, Double ar100,
        @JsonProperty("ar_small") Double arSmall, @JsonProperty("ar_medium") Double arMedium,
        @JsonProperty("ar_large") Double arLarge) {

    /** In {@code COCOeval.stats} order. */
    public Double[] toArray() {
        return new Double[] {ap, ap50, ap75, apSmall, apMedium, apLarge, ar1, ar10, ar100, arSmall, arMedium, arLarge};
    }
}
