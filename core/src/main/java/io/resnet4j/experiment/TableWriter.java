package io.resnet4j.experiment;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Result tables as markdown (for notes and READMEs) and CSV (for spreadsheets and scripts), built
 * the way the paper's tables read: Table 6 (depth, parameters, error of plain and residual nets
 * next to the paper's) and Table 3 (shortcut options). Errors are given in percent with two
 * decimals; a member that has not finished shows "-" rather than a misleading number.
 */
public final class TableWriter {

    /** CIFAR-10 test error (%) of the paper's ResNets, Table 6, by depth. */
    public static final Map<Integer, Double> PAPER_RESNET_TEST_ERROR = Map.of(
            20, 8.75, 32, 7.51, 44, 7.17, 56, 6.97, 110, 6.43);

    /** The paper gives the plain nets' errors only as curves. */
    public static final String PAPER_PLAIN = "n/a (Fig. 6 only)";

    /** ImageNet ResNet-34 10-crop top-1 error (%) by shortcut option, Table 3 (the paper has no CIFAR numbers). */
    public static final Map<String, Double> PAPER_SHORTCUT_TOP1 = Map.of("A", 25.03, "B", 24.52, "C", 24.19);

    /** A finished (or not yet finished) training: NaN errors mean "not available". */
    public record Result(long params, double trainError, double valError) {
        public static Result missing(long params) {
            return new Result(params, Double.NaN, Double.NaN);
        }
    }

    /**
     * One depth of the degradation study. A net left out of the run (null) has the other's parameter
     * count (option A adds none) and "-" for its errors.
     */
    public record DepthRow(int depth, Result plain, Result resnet) {
        public DepthRow {
            if (plain == null && resnet == null) {
                throw new IllegalArgumentException("depth " + depth + " has neither a plain nor a residual result");
            }
            plain = plain != null ? plain : Result.missing(resnet.params());
            resnet = resnet != null ? resnet : Result.missing(plain.params());
        }
    }

    /** One shortcut option. */
    public record ShortcutRow(String option, String model, Result result) {}

    /** A table: a header and rows of cells. */
    public record Table(List<String> header, List<List<String>> rows) {
        public Table {
            header = List.copyOf(header);
            rows = rows.stream().map(List::copyOf).toList();
            for (List<String> r : rows) {
                if (r.size() != header.size()) {
                    throw new IllegalArgumentException("row " + r + " has " + r.size() + " cells, header has "
                            + header.size());
                }
            }
        }

        /** GitHub-flavoured markdown; numbers right-aligned. */
        public String markdown() {
            StringBuilder sb = new StringBuilder();
            sb.append("| ").append(String.join(" | ", header.stream().map(TableWriter::escapeMarkdown).toList()))
                    .append(" |\n|");
            for (int i = 0; i < header.size(); i++) {
                sb.append(i == 0 ? "---|" : "---:|");
            }
            sb.append('\n');
            for (List<String> r : rows) {
                sb.append("| ").append(String.join(" | ", r.stream().map(TableWriter::escapeMarkdown).toList()))
                        .append(" |\n");
            }
            return sb.toString();
        }

        /** RFC 4180 CSV: cells with commas, quotes or line breaks are quoted. */
        public String csv() {
            StringBuilder sb = new StringBuilder();
            sb.append(String.join(",", header.stream().map(TableWriter::escapeCsv).toList())).append('\n');
            for (List<String> r : rows) {
                sb.append(String.join(",", r.stream().map(TableWriter::escapeCsv).toList())).append('\n');
            }
            return sb.toString();
        }
    }

    private TableWriter() {}

    /**
     * Table 6 layout. Plain and residual nets of one depth have the same parameters with option A
     * (identity shortcuts add none), so one column holds both unless they differ.
     */
    public static Table degradation(List<DepthRow> rows) {
        List<String> header = List.of("depth", "params", "plain train err (%)", "plain val err (%)",
                "ResNet train err (%)", "ResNet val err (%)", "paper plain test err (%)", "paper ResNet test err (%)");
        List<List<String>> cells = new ArrayList<>();
        for (DepthRow r : rows) {
            String params = r.plain().params() == r.resnet().params() ? count(r.plain().params())
                    : count(r.plain().params()) + " / " + count(r.resnet().params());
            Double paper = PAPER_RESNET_TEST_ERROR.get(r.depth());
            cells.add(List.of(String.valueOf(r.depth()), params, percent(r.plain().trainError()),
                    percent(r.plain().valError()), percent(r.resnet().trainError()), percent(r.resnet().valError()),
                    PAPER_PLAIN, paper == null ? "n/a" : String.format(Locale.ROOT, "%.2f", paper)));
        }
        return new Table(header, cells);
    }

    /** Table 3 layout, run on CIFAR; the paper's column is its ImageNet ResNet-34 result, for the ordering only. */
    public static Table shortcuts(List<ShortcutRow> rows) {
        List<String> header = List.of("option", "model", "params", "train err (%)", "val err (%)",
                "paper ImageNet ResNet-34 top-1 err (%)");
        List<List<String>> cells = new ArrayList<>();
        for (ShortcutRow r : rows) {
            Double paper = PAPER_SHORTCUT_TOP1.get(r.option());
            cells.add(List.of(r.option(), r.model(), count(r.result().params()), percent(r.result().trainError()),
                    percent(r.result().valError()), paper == null ? "n/a" : String.format(Locale.ROOT, "%.2f", paper)));
        }
        return new Table(header, cells);
    }

    /** An error fraction as percent with two decimals, or "-" when not available. */
    static String percent(double fraction) {
        return Double.isNaN(fraction) ? "-" : String.format(Locale.ROOT, "%.2f", 100 * fraction);
    }

    /** Plain digits: a thousands separator would force CSV quoting and differ by locale. */
    static String count(long n) {
        return String.valueOf(n);
    }

    static String escapeMarkdown(String cell) {
        return Objects.requireNonNull(cell).replace("|", "\\|").replace("\n", " ");
    }

    static String escapeCsv(String cell) {
        if (cell.contains(",") || cell.contains("\"") || cell.contains("\n")) {
            return '"' + cell.replace("\"", "\"\"") + '"';
        }
        return cell;
    }
}
