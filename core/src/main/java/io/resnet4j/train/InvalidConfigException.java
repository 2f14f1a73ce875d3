package io.resnet4j.train;

/**
 * A training configuration value that cannot work, with the parameter it belongs to (the name of
 * the {@link TrainConfig.Builder} method that sets it), so a front end can point at its own
 * spelling of that parameter: the command line names its flag.
 */
public final class InvalidConfigException extends IllegalArgumentException {

    private final String parameter;

    public InvalidConfigException(String parameter, String message) {
        super(message);
        this.parameter = parameter;
    }

    /** The builder method that sets the value: "batchSize", "iterations", "accumulate", ... */
    public String parameter() {
        return parameter;
    }
}
