package io.resnet4j.cli;

import io.resnet4j.io.JvmLimits;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Entry point of {@code bin/resnet4j}: git-style subcommands, exit 0 on success, 2 on bad
 * usage, 1 on failure; one-line errors, stack traces only with {@code --verbose}.
 */
@Command(
        name = "resnet4j",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        description = "Deep Residual Learning for Image Recognition (He et al., 2015) on the JVM.",
        subcommands = {DemoCommand.class, ModelsCommand.class, SummaryCommand.class, TrainCommand.class, EvalCommand.class,
            PredictCommand.class, FeaturesCommand.class, ConvertCommand.class, ExportCommand.class, ExperimentCommand.class,
            BenchCommand.class, ServeCommand.class, SampleCommand.class, VersionCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Run 'resnet4j COMMAND --help' for a command's options."})
public final class Main implements Callable<Integer> {

    /** Exit code for bad usage (unknown option, invalid value), as picocli and the house style define it. */
    public static final int EXIT_USAGE = 2;
    /** Exit code for a failure while doing the work. */
    public static final int EXIT_FAILURE = 1;

    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "Print stack traces of errors.")
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
        return configure(new CommandLine(new Main()));
    }

    /** Installs the one-line error handling on a command line (any command, so tests can make one fail). */
    static CommandLine configure(CommandLine cl) {
        return OneLineErrors.install(cl, "resnet4j", Main::describe, OptionRanges::check);
    }

    /**
     * One line for the failures users meet: the message, which names the file and the fix. The
     * JDK's runtime exceptions carry bare values (NegativeArraySizeException's "-16", a
     * NumberFormatException's 'For input string'), which say nothing alone, so their type goes with them.
     */
    public static String describe(Throwable ex) {
        if (ex instanceof OutOfMemoryError || ex instanceof StackOverflowError) {
            return JvmLimits.describe((VirtualMachineError) ex);
        }
        if (ex instanceof java.nio.file.NoSuchFileException) {
            return "no such file: " + ex.getMessage();
        }
        if (ex instanceof java.nio.file.AccessDeniedException) {
            return "permission denied: " + ex.getMessage();
        }
        if (ex instanceof java.nio.file.FileSystemException fse && fse.getReason() == null) {
            return ex.getClass().getSimpleName() + ": " + fse.getFile();
        }
        String msg = ex.getMessage();
        if (msg == null || msg.isBlank()) {
            return ex.getClass().getSimpleName();
        }
        if (ex instanceof NumberFormatException) {
            return "not a number: " + msg.replace("For input string: ", "");
        }
        // The JDK's own runtime exceptions (NegativeArraySize, IndexOutOfBounds...) mean a check is missing here.
        boolean jdkBug = ex instanceof RuntimeException && ex.getClass().getName().startsWith("java.")
                && ex.getClass() != IllegalArgumentException.class && ex.getClass() != IllegalStateException.class
                && !(ex instanceof java.io.UncheckedIOException);
        return jdkBug ? ex.getClass().getSimpleName() + ": " + msg + " (an internal error; --verbose shows where)" : msg;
    }
}
