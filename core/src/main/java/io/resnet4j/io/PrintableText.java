package io.resnet4j.io;

/**
 * Text from files (class names, file names, metadata) reaches the terminal through this one
 * helper: an ANSI escape in a class name could rewrite the screen, and a newline could forge a
 * result line, so every control and format character (bidi overrides included) becomes '?'.
 * JSON output needs none of this; Jackson escapes it.
 */
public final class PrintableText {

    private PrintableText() {}

    /** The text with every control or invisible format character replaced by '?'; "null" for null. */
    public static String of(Object text) {
        String s = String.valueOf(text);
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT) {
                if (out == null) {
                    out = new StringBuilder(s.length()).append(s, 0, i);
                }
                out.append('?');
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? s : out.toString();
    }
}
