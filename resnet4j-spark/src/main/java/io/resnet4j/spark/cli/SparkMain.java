package io.resnet4j.spark.cli;

import io.resnet4j.cli.Main;
import io.resnet4j.cli.OneLineErrors;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Entry point of {@code resnet4j spark} and of {@code spark-submit --class io.resnet4j.spark.cli.SparkMain}:
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


    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT, description = "Print stack traces of errors.")
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return Main.EXIT_USAGE;
    }

    public static void main(String[] args) {
        System.exit(newCommandLine().execute(args));
    }

    /** The configured command line; tests run it in-process. */
    public static CommandLine newCommandLine() {
        return OneLineErrors.install(new CommandLine(new SparkMain()), "resnet4j spark", SparkMain::describe,
                parsed -> { });
    }

    /**
     * One line: the root cause, described as the core command line describes failures (Spark wraps
     * a task's failure in several layers and appends its plan or a stack trace to the message).
     */
    static String describe(Throwable ex) {
        Throwable cause = ex;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        if (cause instanceof OutOfMemoryError) {
            return "out of memory: lower --batch-size or give executors more memory (--executor-memory)";
        }
        String line = Main.describe(cause);
        return line.lines().findFirst().orElse(line).strip();
    }
}
