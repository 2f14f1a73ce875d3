package io.resnet4j.cli;

import io.resnet4j.files.OutputFolders;
import io.resnet4j.io.OutputFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The overwrite policy in command-line words: which option to change, or {@code --force}. */
final class OutputGuard {

    private OutputGuard() {}

    /**
     * @param inputs what the command reads; strings that are not paths (torchvision:NAME) are skipped
     */
    static void check(Path target, boolean force, Object... inputs) {
        List<Path> paths = new ArrayList<>();
        for (Object in : inputs) {
            if (in instanceof Path p) {
                paths.add(p);
            } else if (in instanceof String s && !s.contains(":")) {
                paths.add(Path.of(s));
            }
        }
        try {
            OutputFolders.checkParentCreatable(target);
        } catch (OutputFolders.CannotCreateException e) {
            throw new UsageException(e.getMessage());
        }
        try {
            OutputFiles.check(target, force, paths);
        } catch (OutputFiles.RefusedException e) {
            String fix = switch (e.reason()) {
                case EXISTS -> "; choose another output or add --force to overwrite it";
                case NOT_A_REGULAR_FILE -> "; choose a file path for the output";
                case IS_AN_INPUT -> "; choose another output";
            };
            throw new UsageException(e.getMessage() + fix);
        }
    }
}
