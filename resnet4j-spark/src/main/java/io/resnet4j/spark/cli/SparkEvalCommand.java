package io.resnet4j.spark.cli;

import io.resnet4j.cli.UsageException;
import io.resnet4j.eval.Evaluator;
import io.resnet4j.spark.ImageFolderEvaluation;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code resnet4j spark eval}: top-1 and top-5 error of weights on an image folder, as {@code resnet4j eval} counts them. */
@Command(name = "eval", mixinStandardHelpOptions = true, versionProvider = SparkVersionProvider.class,
        sortOptions = false,
        description = {"Evaluate weights on labelled images over Spark: each image's label is its parent folder's"
                + " name (e.g. --input ROOT/val for ROOT/val/<class>/*.jpg), mapped by name to the weights' classes."
                + " Centre view (resnet4j eval --protocol center); top-1 and top-5 error, confusion matrix.",
            "Columns of OUT: path, label, label_index, predicted_index, correct, in_top_k, prediction, error."})
public final class SparkEvalCommand extends SparkJobCommand {

    /** Wider than this, the confusion matrix is left to OUT rather than printed. */
    private static final int PRINTED_CLASSES = 20;

    @Option(names = "--json", description = "Print a JSON object (top1_error, top5_error, images, confusion) instead of text.")
    boolean json;

    private ImageFolderEvaluation evaluation;

    @Override
    String name() {
        return "eval";
    }

    @Override
    Dataset<Row> results(SparkSession spark, Dataset<Row> images) {
        evaluation = ImageFolderEvaluation.of(spark, model(spark));
        List<String> unknown = evaluation.unknownFolders(images);
        if (!unknown.isEmpty()) {
            List<String> names = evaluation.classNames();
            throw new UsageException("folders " + unknown + " are not classes of " + weights + " (labels are the images'"
                    + " parent folders, matched by name to its " + names.size() + " classes: "
                    + String.join(", ", names.subList(0, Math.min(10, names.size())))
                    + (names.size() > 10 ? ", ..." : "") + ")");
        }
        return evaluation.score(images, batchSize);
    }

    @Override
    void report(Dataset<Row> written, PrintWriter out) {
        Evaluator.Result r = evaluation.tally(written);
        if (json) {
            com.fasterxml.jackson.databind.node.ObjectNode o = new com.fasterxml.jackson.databind.ObjectMapper()
                    .createObjectNode();
            o.put("model", evaluation.modelName());
            o.put("weights", weights);
            o.put("protocol", "center");
            o.put("images", r.images());
            o.put("top1_error", r.top1Error());
            o.put("top5_error", r.top5Error());
            o.setAll(r.confusion().toJson());
            out.println(o.toPrettyString());
            return;
        }
        out.printf(Locale.ROOT, "%s on %s (%,d images), center protocol: top-1 error %.2f%%, top-%d error %.2f%%%n%n",
                evaluation.modelName(), String.join(", ", inputs), r.images(), 100 * r.top1Error(), evaluation.k(),
                100 * r.top5Error());
        if (evaluation.classNames().size() <= PRINTED_CLASSES) {
            out.println(r.confusion().toText());
        }
    }
}
