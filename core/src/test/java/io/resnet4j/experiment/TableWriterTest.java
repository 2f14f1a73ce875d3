package io.resnet4j.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Table 6 and Table 3 layouts, in markdown and CSV, with the paper's figures alongside. */
class TableWriterTest {

    @Test
    void degradationTableHasThePapersResNetErrorsAndNoPlainNumbers() {
        TableWriter.Table t = TableWriter.degradation(List.of(
                new TableWriter.DepthRow(20, new TableWriter.Result(269_722, 0.0512, 0.0903),
                        new TableWriter.Result(269_722, 0.0415, 0.0855)),
                new TableWriter.DepthRow(56, new TableWriter.Result(853_018, 0.0876, 0.1201),
                        TableWriter.Result.missing(853_018)),
                new TableWriter.DepthRow(110, new TableWriter.Result(1, 0.5, 0.5), new TableWriter.Result(2, 0.01, 0.02))));

        assertThat(t.markdown()).isEqualTo("""
                | depth | params | plain train err (%) | plain val err (%) | ResNet train err (%) | ResNet val err (%) | paper plain test err (%) | paper ResNet test err (%) |
                |---|---:|---:|---:|---:|---:|---:|---:|
                | 20 | 269722 | 5.12 | 9.03 | 4.15 | 8.55 | n/a (Fig. 6 only) | 8.75 |
                | 56 | 853018 | 8.76 | 12.01 | - | - | n/a (Fig. 6 only) | 6.97 |
                | 110 | 1 / 2 | 50.00 | 50.00 | 1.00 | 2.00 | n/a (Fig. 6 only) | 6.43 |
                """);
        assertThat(t.csv()).isEqualTo("""
                depth,params,plain train err (%),plain val err (%),ResNet train err (%),ResNet val err (%),paper plain test err (%),paper ResNet test err (%)
                20,269722,5.12,9.03,4.15,8.55,n/a (Fig. 6 only),8.75
                56,853018,8.76,12.01,-,-,n/a (Fig. 6 only),6.97
                110,1 / 2,50.00,50.00,1.00,2.00,n/a (Fig. 6 only),6.43
                """);
    }

    @Test
    void aNetLeftOutOfTheRunReadsAsDashesWithTheOthersParameters() {
        TableWriter.Table t = TableWriter.degradation(List.of(
                new TableWriter.DepthRow(20, null, new TableWriter.Result(269_722, 0.0415, 0.0855))));
        assertThat(t.csv().lines().toList()).containsExactly(t.csv().lines().findFirst().orElseThrow(),
                "20,269722,-,-,4.15,8.55,n/a (Fig. 6 only),8.75");
        assertThatThrownBy(() -> new TableWriter.DepthRow(20, null, null)).hasMessageContaining("neither");
    }

    @Test
    void everyPaperDepthHasItsFigure() {
        assertThat(TableWriter.PAPER_RESNET_TEST_ERROR).containsEntry(20, 8.75).containsEntry(32, 7.51)
                .containsEntry(44, 7.17).containsEntry(56, 6.97).containsEntry(110, 6.43);
    }

    @Test
    void shortcutTableAndEscaping() {
        TableWriter.Table t = TableWriter.shortcuts(List.of(
                new TableWriter.ShortcutRow("A", "resnet20", new TableWriter.Result(269_722, 0.1, 0.2)),
                new TableWriter.ShortcutRow("B", "resnet20", new TableWriter.Result(272_474, 0.095, 0.19))));
        assertThat(t.csv().lines().toList()).containsExactly(
                "option,model,params,train err (%),val err (%),paper ImageNet ResNet-34 top-1 err (%)",
                "A,resnet20,269722,10.00,20.00,25.03",
                "B,resnet20,272474,9.50,19.00,24.52");
        assertThat(t.markdown()).contains("| B | resnet20 | 272474 | 9.50 | 19.00 | 24.52 |");

        TableWriter.Table odd = new TableWriter.Table(List.of("a", "b"), List.of(List.of("x,y", "p|q \"r\"")));
        assertThat(odd.csv()).isEqualTo("a,b\n\"x,y\",\"p|q \"\"r\"\"\"\n");
        assertThat(odd.markdown()).contains("| x,y | p\\|q \"r\" |");
        assertThatThrownBy(() -> new TableWriter.Table(List.of("a"), List.of(List.of("1", "2"))))
                .hasMessageContaining("has 2 cells");
    }
}
