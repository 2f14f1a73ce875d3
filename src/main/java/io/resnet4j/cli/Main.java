package io.resnet4j.cli;

import java.io.PrintWriter;
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
        subcommands = {DemoCommand.class, ModelsCommand.class, SummaryCommand.class, TrainCommand.class, EvalCommand.class, PredictCommand.class, FeaturesCommand.class, ConvertCommand.class, ExportCommand.class, ExperimentCommand.class, BenchCommand.class, ServeCommand.class, CommandLine.HelpCommand.class},
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
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler(Main::handleExecutionException);
        cl.setParameterExceptionHandler(Main::handleParameterException);
        return cl;
    }

    private static int handleParameterException(CommandLine.ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        PrintWriter err = cl.getErr();
        err.println(cl.getColorScheme().errorText("resnet4j: " + ex.getMessage()));
        CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
        err.println("Try '" + cl.getCommandSpec().qualifiedName() + " --help' for usage.");
        if (isVerbose(cl)) {
            ex.printStackTrace(err);
        }
        err.flush();
        return EXIT_USAGE;
    }

    private static int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        if (ex instanceof UsageException) {
            err.println("resnet4j: " + ex.getMessage());
            err.println("Try '" + cl.getCommandSpec().qualifiedName() + " --help' for usage.");
            err.flush();
            return EXIT_USAGE;
        }
        err.println("resnet4j: error: " + describe(ex));
        if (isVerbose(cl)) {
            ex.printStackTrace(err);
        } else {
            err.println("(run with --verbose for details)");
        }
        err.flush();
        return EXIT_FAILURE;
    }

    /** One line for the failures users meet: the message, or the type when there is none. */
    static String describe(Throwable ex) {
        if (ex instanceof OutOfMemoryError) {
            return "out of memory: lower --batch-size or raise the heap (RESNET4J_JAVA_OPTS=-Xmx8g)";
        }
        if (ex instanceof java.nio.file.NoSuchFileException) {
            return "no such file: " + ex.getMessage();
        }
        String msg = ex.getMessage();
        return msg == null || msg.isBlank() ? ex.getClass().getSimpleName() : msg;
    }

    private static boolean isVerbose(CommandLine cl) {
        CommandLine root = cl;
        while (root.getParent() != null) {
            root = root.getParent();
        }
        return ((Main) root.getCommand()).verbose;
    }
}
