package io.resnet4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Self time from nested trace events: what bench --profile prints. */
class OperatorProfileTest {

    @Test
    void selfTimeSubtractsDirectChildrenOnTheSameThreadOnly(@TempDir Path dir) throws Exception {
        // Thread 1: conv2d [0,100) contains convolution [10,90) which contains mkldnn [20,80);
        // then relu [100,110). Thread 2: an add of 50 that overlaps in time but is not nested.
        Path trace = dir.resolve("trace.json");
        Files.writeString(trace, """
                {"traceEvents": [
                  {"ph": "X", "name": "aten::conv2d", "pid": 1, "tid": 1, "ts": 0, "dur": 100},
                  {"ph": "X", "name": "aten::convolution", "pid": 1, "tid": 1, "ts": 10, "dur": 80},
                  {"ph": "X", "name": "aten::mkldnn_convolution", "pid": 1, "tid": 1, "ts": 20, "dur": 60},
                  {"ph": "X", "name": "aten::relu", "pid": 1, "tid": 1, "ts": 100, "dur": 10},
                  {"ph": "X", "name": "aten::add", "pid": 1, "tid": 2, "ts": 30, "dur": 50},
                  {"ph": "i", "name": "marker", "pid": 1, "tid": 1, "ts": 5}
                ]}""");
        OperatorProfile p = OperatorProfile.read(trace);
        assertThat(p.ops()).extracting(OperatorProfile.Op::name).containsExactly("aten::mkldnn_convolution",
                "aten::add", "aten::conv2d", "aten::convolution", "aten::relu");
        assertThat(p.ops()).extracting(OperatorProfile.Op::selfUs).containsExactly(60.0, 50.0, 20.0, 20.0, 10.0);
        assertThat(p.totalSelfUs()).isEqualTo(160.0);
        String table = p.table(2, 2);
        assertThat(table.lines().toList()).hasSize(4);
        assertThat(table).contains("aten::mkldnn_convolution").contains("0.03").contains("37.5%").contains("0.5");
    }

    @Test
    void repeatedCallsAccumulate() {
        List<OperatorProfile.Event> t = new ArrayList<>(List.of(new OperatorProfile.Event("a", 0, 5),
                new OperatorProfile.Event("a", 10, 7)));
        OperatorProfile p = OperatorProfile.fromEvents(List.of(t));
        assertThat(p.ops()).containsExactly(new OperatorProfile.Op("a", 2, 12.0));
    }
}
