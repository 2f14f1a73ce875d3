package io.resnet4j.detection.data;

import java.util.List;

/** COCO 2017's categories as torchvision's detection models number them. */
public final class CocoCategories {

    /** torchvision's name for a category id COCO does not use. */
    public static final String UNUSED = "N/A";

    /**
     * {@code FasterRCNN_ResNet50_FPN_Weights.COCO_V1.meta["categories"]} (torchvision 0.14): index =
     * COCO category id = the model's label; 0 is the background and 11 ids COCO never used are "N/A".
     */
    public static final List<String> TORCHVISION = List.of("__background__", "person", "bicycle", "car", "motorcycle",
            "airplane", "bus", "train", "truck", "boat", "traffic light", "fire hydrant", UNUSED, "stop sign",
            "parking meter", "bench", "bird", "cat", "dog", "horse", "sheep", "cow", "elephant", "bear", "zebra", "giraffe",
            UNUSED, "backpack", "umbrella", UNUSED, UNUSED, "handbag", "tie", "suitcase", "frisbee", "skis", "snowboard",
            "sports ball", "kite", "baseball bat", "baseball glove", "skateboard", "surfboard", "tennis racket", "bottle",
            UNUSED, "wine glass", "cup", "fork", "knife", "spoon", "bowl", "banana", "apple", "sandwich", "orange",
            "broccoli", "carrot", "hot dog", "pizza", "donut", "cake", "chair", "couch", "potted plant", "bed", UNUSED,
            "dining table", UNUSED, UNUSED, "toilet", UNUSED, "tv", "laptop", "mouse", "remote", "keyboard", "cell phone",
            "microwave", "oven", "toaster", "sink", "refrigerator", UNUSED, "book", "clock", "vase", "scissors",
            "teddy bear", "hair drier", "toothbrush");

    private CocoCategories() {}
}
