package io.resnet4j.data;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;

/**
 * Any bytes as a cifar-10-binary.tar.gz: the reader returns a split or throws its own
 * {@link DatasetException} with one line naming the archive; anything else is a finding.
 */
class Cifar10FuzzTest {

    @FuzzTest(maxDuration = "60s")
    void tarGz(byte[] data) throws Exception {
        try {
            CifarData d = Cifar10.loadTarGz(new ByteArrayInputStream(data), "fuzz.tar.gz", Split.TRAIN);
            assertThat(d.size()).isPositive();
        } catch (DatasetException e) {
            assertThat(e.getMessage()).contains("fuzz.tar.gz").doesNotContain("\n");
        }
    }
}
