package io.resnet4j.serve;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The server's Prometheus metrics: requests by endpoint and status, request latency and batch
 * size histograms, queue depth, images per second, and the JVM's own.
 */
public final class ServerMetrics {

    /** The Prometheus text exposition format that {@link #scrape()} writes. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private static final Duration[] LATENCY_BUCKETS = durations(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000,
            5000, 10000, 30000);
    private static final double[] BATCH_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128, 256};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    public ServerMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /** Counts a finished request and its latency under its route (a template, so label values stay few). */
    public void request(String endpoint, int status, long nanos) {
        Counter.builder("resnet4j.requests").description("HTTP requests by endpoint and status")
                .tag("endpoint", endpoint).tag("status", String.valueOf(status)).register(registry).increment();
        Timer.builder("resnet4j.request.latency").description("Time from request to response")
                .tag("endpoint", endpoint).serviceLevelObjectives(LATENCY_BUCKETS).register(registry)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Registers a model's batch metrics and returns the listener its batcher reports to. */
    public DynamicBatcher.BatchListener model(String name, Supplier<Number> queueDepth) {
        Gauge.builder("resnet4j.queue.depth", queueDepth).description("Requests waiting for a batch")
                .tag("model", name).register(registry);
        ThroughputWindow window = new ThroughputWindow(10, System::currentTimeMillis);
        Gauge.builder("resnet4j.images.per.second", window::perSecond)
                .description("Images run through the model per second over the last 10 s").tag("model", name)
                .register(registry);
        DistributionSummary batchSize = DistributionSummary.builder("resnet4j.batch.size")
                .description("Images per forward pass").tag("model", name).serviceLevelObjectives(BATCH_BUCKETS)
                .register(registry);
        Counter images = Counter.builder("resnet4j.images").description("Images run through the model")
                .tag("model", name).register(registry);
        Timer inference = Timer.builder("resnet4j.inference.latency").description("Time of one forward pass")
                .tag("model", name).serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
        return (n, nanos) -> {
            batchSize.record(n);
            images.increment(n);
            window.add(n);
            inference.record(nanos, TimeUnit.NANOSECONDS);
        };
    }

    /** Every metric in the Prometheus text format. */
    public String scrape() {
        return registry.scrape();
    }

    private static Duration[] durations(long... millis) {
        Duration[] out = new Duration[millis.length];
        for (int i = 0; i < millis.length; i++) {
            out[i] = Duration.ofMillis(millis[i]);
        }
        return out;
    }
}
