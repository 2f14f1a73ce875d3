package io.resnet4j.cli;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;

/**
 * One line for a mistyped command or option, with the names it was probably meant to be. Picocli's
 * own suggestions rank by shared characters, so "trian" also suggests "experiment" and "versoin"
 * "serve"; a typing distance (swapped, missing, extra or wrong letters) finds what people mistype.
 */
final class Suggestions {

    private Suggestions() {}

    /** The message for a usage error: mistyped names get the closest valid ones, other errors keep theirs. */
    static String message(CommandLine.ParameterException ex) {
        if (!(ex instanceof CommandLine.UnmatchedArgumentException u) || u.getUnmatched().isEmpty()) {
            return ex.getMessage();
        }
        CommandLine cl = ex.getCommandLine();
        String typed = u.getUnmatched().get(0);
        if (typed.startsWith("-")) {
            String name = typed.contains("=") ? typed.substring(0, typed.indexOf('=')) : typed;
            List<String> options = new ArrayList<>();
            cl.getCommandSpec().options().forEach(o -> options.addAll(List.of(o.names())));
            return "unknown option '" + name + "'" + hint(closest(name, options));
        }
        if (cl.getSubcommands().isEmpty()) {
            return ex.getMessage();
        }
        List<String> near = closest(typed, cl.getSubcommands().keySet());
        return "unknown command '" + typed + "'" + (near.isEmpty()
                ? "; the commands are " + String.join(", ", new LinkedHashSet<>(cl.getSubcommands().keySet()))
                : hint(near));
    }

    private static String hint(List<String> near) {
        return near.isEmpty() ? "" : "; did you mean " + String.join(" or ", near) + "?";
    }

    /**
     * The nearest candidates (at most three, all at the same distance) within a few typing mistakes of
     * {@code typed}: "--bach-size" is one letter from --batch-size, so --max-size, three away, is no help.
     */
    static List<String> closest(String typed, Collection<String> candidates) {
        String t = typed.toLowerCase(Locale.ROOT);
        int allowed = Math.max(1, t.replaceFirst("^-+", "").length() / 3);
        int nearest = candidates.stream().mapToInt(c -> distance(t, c.toLowerCase(Locale.ROOT))).min().orElse(0);
        return candidates.stream().distinct()
                .filter(c -> distance(t, c.toLowerCase(Locale.ROOT)) == nearest && nearest <= allowed)
                .limit(3).toList();
    }

    /** Edits (insert, delete, replace, swap two neighbours) from a to b: the optimal string alignment distance. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
