/**
 * Detection metrics as the reference tools compute them, and the evaluator that runs a detector
 * over a data set: {@link io.resnet4j.detection.eval.VocMetric} (py-faster-rcnn's voc_eval.py: VOC2007
 * 11-point and VOC2010+ area AP at IoU 0.5, difficult objects ignored),
 * {@link io.resnet4j.detection.eval.CocoMetric} (pycocotools' COCOeval for boxes: AP over IoU 0.5:0.95,
 * AP50, AP75, per area, AR at 1/10/100 detections, crowd regions), and
 * {@link io.resnet4j.detection.eval.DetectionEvaluator}. Results are {@link io.resnet4j.detection.eval.DetectionScores}
 * records that Jackson writes as JSON.
 */
package io.resnet4j.detection.eval;
