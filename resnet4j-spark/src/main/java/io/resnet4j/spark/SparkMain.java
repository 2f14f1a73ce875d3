package io.resnet4j.spark;

import io.resnet4j.cli.UsageException;
import io.resnet4j.spark.cli.SparkEvalCommand;
import io.resnet4j.spark.cli.SparkFeaturesCommand;
import io.resnet4j.spark.cli.SparkPredictCommand;
import io.resnet4j.spark.cli.SparkVersionProvider;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Entry point of {@code resnet4j spark} and of {@code spark-submit --class io.resnet4j.spark.SparkMain}:
 * predict, features and eval over a Spark cluster (or local threads). Exit 0 on success, 2 on bad
 * usage, 1 on failure; one-line errors, stack traces only with {@code --verbose}.
 */
@Command(name = "resnet4j spark", mixinStandardHelpOptions = true, versionProvider = SparkVersionProvider.class,
        sortOptions = false,
        description = "Classify, embed or evaluate images with a ResNet over a Spark cluster (or local threads).",
        subcommands = {SparkPredictCommand.class, SparkFeaturesCommand.class, SparkEvalCommand.class,
            CommandLine.HelpCommand.class},
        footer = {"", "Run 'resnet4j spark COMMAND --help' for a command's options."})
public final class SparkMain implements Callable<Integer> {

    static final int EXIT_USAGE = 2;
    static final int EXIT_FAILURE = 1;

    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT, description = "Print stack traces of errors.")
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return EXIT_USAGE;
    }

    public static void main(String[] args) {
        System.exit(newCommandLine().execute(args));
    }

    /** The configured command line; tests run it in-process. */
    public static CommandLine newCommandLine() {
        CommandLine cl = new CommandLine(new SparkMain());
        cl.setExecutionExceptionHandler(SparkMain::handleExecutionException);
        cl.setParameterExceptionHandler(SparkMain::handleParameterException);
        return cl;
    }

    private static int handleParameterException(CommandLine.ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        PrintWriter err = cl.getErr();
        err.println("resnet4j spark: " + ex.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
        err.println("Try '" + cl.getCommandSpec().qualifiedName() + " --help' for usage.");
        err.flush();
        return EXIT_USAGE;
    }

    private static int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        if (ex instanceof UsageException) {
            err.println("resnet4j spark: " + ex.getMessage());
            err.println("Try '" + cl.getCommandSpec().qualifiedName() + " --help' for usage.");
            err.flush();
            return EXIT_USAGE;
        }
        err.println("resnet4j spark: error: " + describe(ex));
        if (((SparkMain) root(cl).getCommand()).verbose) {
            ex.printStackTrace(err);
        } else {
            err.println("(run with --verbose for details)");
        }
        err.flush();
        return EXIT_FAILURE;
    }

    /**
     * One line: the root cause's message (Spark wraps a task's failure in several layers and
     * appends its plan or a stack trace to the message).
     */
    static String describe(Throwable ex) {
        Throwable cause = ex;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        if (cause instanceof OutOfMemoryError) {
            return "out of memory: lower --batch-size or give executors more memory (--executor-memory)";
        }
        String msg = cause.getMessage();
        if (msg == null || msg.isBlank()) {
            return cause.getClass().getSimpleName();
        }
        return msg.lines().findFirst().orElse(msg).strip();
    }

    private static CommandLine root(CommandLine cl) {
        CommandLine root = cl;
        while (root.getParent() != null) {
            root = root.getParent();
        }
        return root;
    }
}
