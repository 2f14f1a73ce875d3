package io.resnet4j.io;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;

/**
 * Jackson's own messages span several lines and quote the source; users see one line naming the
 * file, so callers add the file and take the fault and its position from here.
 */
public final class JsonErrors {

    private JsonErrors() {}

    /** "Unexpected character ('x' (code 120)) at line 1, column 5", on one line. */
    public static String describe(JsonProcessingException e) {
        String what = PrintableText.of(e.getOriginalMessage() == null ? e.getClass().getSimpleName()
                : e.getOriginalMessage());
        JsonLocation at = e.getLocation();
        return at == null || at.getLineNr() < 1 ? what : what + " at line " + at.getLineNr() + ", column " + at.getColumnNr();
    }
}
