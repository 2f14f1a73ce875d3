package io.resnet4j.cli;

/**
 * How a user runs this program again, for the commands printed to continue a stopped run. The
 * launcher script passes its absolute path, so the printed command works from any folder; run
 * another way (a test, an IDE, java -jar) it is the project-relative {@code bin/resnet4j}.
 */
final class Launcher {
    static final String PROPERTY = "resnet4j.launcher";

    private Launcher() {}

    static String command() {
        String launcher = System.getProperty(PROPERTY);
        return launcher == null || launcher.isBlank() ? "bin/resnet4j" : launcher;
    }
}
