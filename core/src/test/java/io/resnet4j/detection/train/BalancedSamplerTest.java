package io.resnet4j.detection.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** torchvision's balanced sampling: how many of each kind, never an ignored example, reproducible per seed. */
class BalancedSamplerTest {

    /** 300 positives, 5000 negatives and 200 ignored examples, interleaved. */
    static int[] labels() {
        int[] l = new int[5500];
        for (int i = 0; i < l.length; i++) {
            l[i] = i % 11 == 0 && i < 3300 ? 2 : i % 27 == 1 && i < 5400 ? -1 : 0;
        }
        return l;
    }

    @Test
    void takesTheConfiguredShareOfPositivesAndFillsUpWithNegatives() {
        int[] labels = labels();
        BalancedSampler.Sample rpn = new BalancedSampler(256, 0.5f).sample(labels, new SplittableRandom(1));
        assertThat(rpn.positives()).hasSize(128);
        assertThat(rpn.negatives()).hasSize(128);
        BalancedSampler.Sample head = new BalancedSampler(512, 0.25f).sample(labels, new SplittableRandom(1));
        assertThat(head.positives()).hasSize(128);
        assertThat(head.negatives()).hasSize(384);
        assertThat(Arrays.stream(head.positives()).map(i -> labels[i])).containsOnly(2);
        assertThat(Arrays.stream(head.negatives()).map(i -> labels[i])).containsOnly(0);
        assertThat(head.positives()).isSorted().doesNotHaveDuplicates();
        assertThat(head.negatives()).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void fewPositivesLeaveTheirPlacesToNegativesAndFewOfBothShrinkTheBatch() {
        int[] labels = new int[100];
        labels[3] = 1;
        labels[50] = 1;
        labels[7] = -1;
        BalancedSampler.Sample s = new BalancedSampler(64, 0.5f).sample(labels, new SplittableRandom(2));
        assertThat(s.positives()).containsExactly(3, 50);
        assertThat(s.negatives()).hasSize(62).doesNotContain(7, 3, 50);
        BalancedSampler.Sample all = new BalancedSampler(512, 0.25f).sample(labels, new SplittableRandom(2));
        assertThat(all.size()).isEqualTo(99);
    }

    @Test
    void theChoiceIsUniformAndFollowsTheSeed() {
        int[] labels = labels();
        BalancedSampler sampler = new BalancedSampler(256, 0.5f);
        assertThat(sampler.sample(labels, new SplittableRandom(9)).negatives())
                .containsExactly(sampler.sample(labels, new SplittableRandom(9)).negatives());
        assertThat(sampler.sample(labels, new SplittableRandom(9)).negatives())
                .isNotEqualTo(sampler.sample(labels, new SplittableRandom(10)).negatives());
        // Over many draws each positive is chosen about 128/300 of the time, the first as often as the last.
        int[] chosen = new int[labels.length];
        int draws = 600;
        for (int d = 0; d < draws; d++) {
            for (int i : sampler.sample(labels, new SplittableRandom(d)).positives()) {
                chosen[i]++;
            }
        }
        double expected = draws * 128.0 / 300;
        int firstHalf = 0;
        int secondHalf = 0;
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] == 2) {
                if (i < 1650) {
                    firstHalf += chosen[i];
                } else {
                    secondHalf += chosen[i];
                }
            }
        }
        assertThat(firstHalf + secondHalf).isEqualTo(draws * 128);
        assertThat((double) firstHalf / secondHalf).isBetween(0.93, 1.07);
        assertThat(Arrays.stream(chosen).filter(n -> n > 0).count()).isEqualTo(300);
        assertThat(Arrays.stream(chosen).max().getAsInt()).isLessThan((int) (2 * expected));
    }

    @Test
    void refusesAnEmptyBatchOrAFractionOutsideZeroToOne() {
        assertThatThrownBy(() -> new BalancedSampler(0, 0.5f)).hasMessageContaining("at least one example");
        assertThatThrownBy(() -> new BalancedSampler(8, 1.5f)).hasMessageContaining("[0, 1]");
    }
}
