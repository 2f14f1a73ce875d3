package io.resnet4j.spark.cli;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/** The session a command runs in: the one already running in this JVM, or a new one it stops at the end. */
final class SparkSessions {

    private SparkSessions() {}

    /** A session and whether closing the handle stops it. */
    record Handle(SparkSession spark, boolean owned) implements AutoCloseable {
        @Override
        public void close() {
            if (owned) {
                spark.stop();
            }
        }
    }

    /**
     * @param master the --master option, or null: spark-submit's master, else every local core
     */
    static Handle open(String master, String appName) {
        scala.Option<SparkSession> running = SparkSession.getActiveSession().orElse(SparkSession::getDefaultSession);
        if (running.isDefined()) {
            return new Handle(running.get(), false);
        }
        SparkSession.Builder builder = SparkSession.builder().appName(appName);
        if (master != null) {
            builder.master(master);
        } else if (!new SparkConf().contains("spark.master")) {
            builder.master("local[*]");
        }
        return new Handle(builder.getOrCreate(), true);
    }
}
