package io.resnet4j.detection.ops;

/**
 * Faster R-CNN's box parameterisation (Girshick et al., R-CNN, appendix C), as torchvision's
 * {@code BoxCoder}: a target box relative to a reference box is (dx, dy, dw, dh) = (wx (x - xr) / wr,
 * wy (y - yr) / hr, ww log(w / wr), wh log(h / hr)) with centres x, y and sizes w, h. Arithmetic is in
 * float in torchvision's order, so decoded boxes agree with it to the last few bits.
 *
 * @param wx weight of dx: 1 for the RPN, 10 for the box head
 * @param wy weight of dy: 1 for the RPN, 10 for the box head
 * @param ww weight of dw: 1 for the RPN, 5 for the box head
 * @param wh weight of dh: 1 for the RPN, 5 for the box head
 * @param clip the largest dw, dh decoded (exp of more would overflow: torchvision's log(1000 / 16))
 */
public record BoxCoder(float wx, float wy, float ww, float wh, float clip) {

    /** torchvision's {@code bbox_xform_clip}. */
    public static final float DEFAULT_CLIP = (float) Math.log(1000.0 / 16);

    public static BoxCoder rpn() {
        return new BoxCoder(1, 1, 1, 1, DEFAULT_CLIP);
    }

    public static BoxCoder boxHead() {
        return new BoxCoder(10, 10, 5, 5, DEFAULT_CLIP);
    }

    /**
     * Applies {@code k} sets of deltas to each of {@code n} reference boxes.
     *
     * @param deltas n rows of k * 4 values (k = classes for the box head, 1 for the RPN)
     * @param boxes n rows of (x1, y1, x2, y2)
     * @return n * k boxes, reference-major
     */
    public float[] decode(float[] deltas, float[] boxes) {
        int n = boxes.length / 4;
        int k = n == 0 ? 0 : deltas.length / (4 * n);
        if (deltas.length != n * k * 4) {
            throw new IllegalArgumentException(deltas.length + " deltas do not divide into " + n + " boxes");
        }
        float[] out = new float[deltas.length];
        for (int i = 0; i < n; i++) {
            float width = boxes[4 * i + 2] - boxes[4 * i];
            float height = boxes[4 * i + 3] - boxes[4 * i + 1];
            float cx = boxes[4 * i] + 0.5f * width;
            float cy = boxes[4 * i + 1] + 0.5f * height;
            for (int j = 0; j < k; j++) {
                int o = (i * k + j) * 4;
                float dx = deltas[o] / wx;
                float dy = deltas[o + 1] / wy;
                float dw = Math.min(deltas[o + 2] / ww, clip);
                float dh = Math.min(deltas[o + 3] / wh, clip);
                float px = dx * width + cx;
                float py = dy * height + cy;
                float halfW = 0.5f * ((float) Math.exp(dw) * width);
                float halfH = 0.5f * ((float) Math.exp(dh) * height);
                out[o] = px - halfW;
                out[o + 1] = py - halfH;
                out[o + 2] = px + halfW;
                out[o + 3] = py + halfH;
            }
        }
        return out;
    }

    /**
     * The deltas that take each proposal to its matched box: the regression targets of training.
     *
     * @param matched n rows of (x1, y1, x2, y2), the targets
     * @param proposals n rows of reference boxes
     * @return n rows of (dx, dy, dw, dh)
     */
    public float[] encode(float[] matched, float[] proposals) {
        if (matched.length != proposals.length) {
            throw new IllegalArgumentException(matched.length / 4 + " targets for " + proposals.length / 4 + " proposals");
        }
        float[] out = new float[proposals.length];
        for (int o = 0; o < proposals.length; o += 4) {
            float exW = proposals[o + 2] - proposals[o];
            float exH = proposals[o + 3] - proposals[o + 1];
            float exX = proposals[o] + 0.5f * exW;
            float exY = proposals[o + 1] + 0.5f * exH;
            float gtW = matched[o + 2] - matched[o];
            float gtH = matched[o + 3] - matched[o + 1];
            float gtX = matched[o] + 0.5f * gtW;
            float gtY = matched[o + 1] + 0.5f * gtH;
            out[o] = wx * (gtX - exX) / exW;
            out[o + 1] = wy * (gtY - exY) / exH;
            out[o + 2] = ww * (float) Math.log(gtW / exW);
            out[o + 3] = wh * (float) Math.log(gtH / exH);
        }
        return out;
    }
}
