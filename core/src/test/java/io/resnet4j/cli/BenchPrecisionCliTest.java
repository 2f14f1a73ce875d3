package io.resnet4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.resnet4j.CpuFeatures;
import org.junit.jupiter.api.Test;

/** bf16 is refused before anything runs, with the reason that holds on this CPU. */
class BenchPrecisionCliTest {

    @Test
    void bf16IsRefusedWithTheReasonForThisCpu() {
        CliTest.Result r = CliTest.run("bench", "infer", "--precision", "bf16", "--steps", "1");
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).contains(BenchCommand.bf16Unavailable(CpuFeatures.hasBf16(), CpuFeatures.summary()));
        assertThat(r.out()).isEmpty();
    }

    @Test
    void theReasonSaysWhetherTheCpuOrTheLibrariesAreMissing() {
        assertThat(BenchCommand.bf16Unavailable(false, "avx2")).startsWith("--precision bf16 needs a CPU with"
                + " AVX512_BF16 or AMX, and this one has avx2");
        assertThat(BenchCommand.bf16Unavailable(true, "avx512_bf16")).contains("DJL 0.35's PyTorch binding has no"
                + " bfloat16 tensors").endsWith("skipping: use fp32 or int8");
    }

    @Test
    void anUnknownPrecisionNamesTheChoices() {
        CliTest.Result r = CliTest.run("bench", "infer", "--precision", "fp8");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("unknown --precision 'fp8': use fp32, int8 or bf16");
    }
}
