package io.resnet4j.spark;

import io.resnet4j.image.ImageLoader;
import io.resnet4j.image.ImageTransform;
import io.resnet4j.inference.ImageBatches;
import io.resnet4j.inference.ImageClassifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * A partition's rows, {@code batchSize} at a time: each row's image bytes are decoded and
 * transformed, the decodable ones go through the network in one batch, and every row comes back
 * with two columns added, the head's value and an error message. A row whose image cannot be
 * decoded gets a null value and the reason, so one bad file never fails the job.
 */
final class BatchedInference implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;

    private final ModelSource model;
    private final int inputIndex;
    private final String inputCol;
    private final int batchSize;
    private final ImageHead head;

    BatchedInference(ModelSource model, int inputIndex, String inputCol, int batchSize, ImageHead head) {
        this.model = model;
        this.inputIndex = inputIndex;
        this.inputCol = inputCol;
        this.batchSize = batchSize;
        this.head = head;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        ImageClassifier classifier = ModelCache.get(model, threadsPerTask());
        ImageTransform transform = head.transform(classifier);
        return new Iterator<>() {
            private final ArrayDeque<Row> ready = new ArrayDeque<>();

            @Override
            public boolean hasNext() {
                if (ready.isEmpty() && rows.hasNext()) {
                    ready.addAll(batch(classifier, transform, take(rows)));
                }
                return !ready.isEmpty();
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return ready.poll();
            }
        };
    }

    /** The task's cores ({@code spark.task.cpus}): ONNX Runtime's intra-op threads for this task's batches. */
    private static int threadsPerTask() {
        TaskContext task = TaskContext.get();
        return task == null ? 1 : Math.max(1, task.cpus());
    }

    private List<Row> take(Iterator<Row> rows) {
        List<Row> batch = new ArrayList<>(batchSize);
        while (batch.size() < batchSize && rows.hasNext()) {
            batch.add(rows.next());
        }
        return batch;
    }

    private List<Row> batch(ImageClassifier classifier, ImageTransform transform, List<Row> rows) {
        String[] errors = new String[rows.size()];
        List<Row> decoded = new ArrayList<>();
        List<float[]> inputs = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            try {
                inputs.add(transform.apply(ImageLoader.decode(image(rows.get(i)), "this row's " + inputCol)));
                decoded.add(rows.get(i));
            } catch (Exception e) {
                errors[i] = e.getMessage() == null ? e.toString() : e.getMessage();
            }
        }
        Object[] values = decoded.isEmpty() ? new Object[0]
                : head.compute(classifier, ImageBatches.concat(inputs, transform.crop()), transform.crop(), decoded);
        List<Row> out = new ArrayList<>(rows.size());
        int next = 0;
        for (int i = 0; i < rows.size(); i++) {
            out.add(withColumns(rows.get(i), errors[i] == null ? values[next++] : null, errors[i]));
        }
        return out;
    }

    private byte[] image(Row row) {
        if (row.isNullAt(inputIndex)) {
            throw new IllegalArgumentException("this row's " + inputCol + " is null (no image)");
        }
        return (byte[]) row.get(inputIndex);
    }

    private static Row withColumns(Row row, Object value, String error) {
        Object[] values = new Object[row.length() + 2];
        for (int i = 0; i < row.length(); i++) {
            values[i] = row.get(i);
        }
        values[row.length()] = value;
        values[row.length() + 1] = error;
        return RowFactory.create(values);
    }
}
