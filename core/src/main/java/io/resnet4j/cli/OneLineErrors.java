package io.resnet4j.cli;

import io.resnet4j.data.DataChoiceException;
import io.resnet4j.files.OutputFolders;
import io.resnet4j.io.JvmLimits;
import io.resnet4j.io.PrintableText;
import java.io.PrintWriter;
import java.util.function.Consumer;
import java.util.function.Function;
import picocli.CommandLine;

/**
 * The error rules of every resnet4j command line: a usage error is one line and exit 2, a failure
 * one line and exit 1, a stack trace only with {@code --verbose}; out of memory and stack overflow,
 * which picocli lets through, get the same treatment.
 */
public final class OneLineErrors {

    private final String program;
    private final Function<Throwable, String> describe;

    private OneLineErrors(String program, Function<Throwable, String> describe) {
        this.program = program;
        this.describe = describe;
    }

    /**
     * @param program the name that starts every error line
     * @param describe one line for a failure
     * @param check runs on the parsed command line before the command (a {@link CommandLine.ParameterException}
     *     there is a usage error)
     */
    public static CommandLine install(CommandLine cl, String program, Function<Throwable, String> describe,
            Consumer<CommandLine.ParseResult> check) {
        OneLineErrors errors = new OneLineErrors(program, describe);
        cl.setExecutionExceptionHandler(errors::failure);
        cl.setParameterExceptionHandler(errors::usage);
        cl.setExecutionStrategy(parsed -> errors.execute(parsed, check));
        return cl;
    }

    private int execute(CommandLine.ParseResult parsed, Consumer<CommandLine.ParseResult> check) {
        check.accept(parsed);
        try {
            return new CommandLine.RunLast().execute(parsed);
        } catch (OutOfMemoryError | StackOverflowError e) {
            CommandLine cl = parsed.subcommands().isEmpty() ? parsed.commandSpec().commandLine()
                    : parsed.subcommands().get(parsed.subcommands().size() - 1).commandSpec().commandLine();
            return failure(new JvmErrorException(e), cl, parsed);
        }
    }

    /** Carries a JVM error to the exception handler. */
    private static final class JvmErrorException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        JvmErrorException(VirtualMachineError error) {
            super(JvmLimits.describe(error), error);
        }
    }

    private int usage(CommandLine.ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        PrintWriter err = cl.getErr();
        err.println(cl.getColorScheme().errorText(program + ": " + PrintableText.of(Suggestions.message(ex))));
        err.println("Try '" + cl.getCommandSpec().qualifiedName() + " --help' for usage.");
        if (isVerbose(cl)) {
            ex.printStackTrace(err);
        }
        err.flush();
        return Main.EXIT_USAGE;
    }

    private int failure(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        if (isUsage(ex)) {
            err.println(program + ": " + PrintableText.of(describe.apply(ex)));
            err.println("Try '" + cl.getCommandSpec().qualifiedName() + " --help' for usage.");
            err.flush();
            return Main.EXIT_USAGE;
        }
        err.println(program + ": error: " + PrintableText.of(describe.apply(ex)));
        if (isVerbose(cl)) {
            ex.printStackTrace(err);
        } else {
            err.println("(run with --verbose for details)");
        }
        err.flush();
        return Main.EXIT_FAILURE;
    }

    /**
     * Errors the user fixes by changing the command line (exit 2): bad values, a named file that does
     * not exist, data that is not what the command was told, an output folder that cannot be made
     * where it was asked for, a file named as weights that holds none.
     */
    static boolean isUsage(Throwable ex) {
        return ex instanceof UsageException || ex instanceof java.nio.file.NoSuchFileException
                || ex instanceof DataChoiceException || ex instanceof OutputFolders.CannotCreateException
                || ex instanceof io.resnet4j.io.NotWeightsException;
    }

    /** The root command's {@code --verbose} flag, whichever command defines it. */
    private static boolean isVerbose(CommandLine cl) {
        CommandLine root = cl;
        while (root.getParent() != null) {
            root = root.getParent();
        }
        CommandLine.Model.OptionSpec verbose = root.getCommandSpec().findOption("--verbose");
        return verbose != null && Boolean.TRUE.equals(verbose.getValue());
    }
}
