package io.resnet4j.io;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Jackson's own messages span several lines and quote the source; users see one line naming the
 * file, so callers add the file and take the fault and its position from here.
 */
public final class JsonErrors {

    private JsonErrors() {}

    /**
     * Reads a JSON file, failing with one line that names it (run.json after a crash, say).
     *
     * @throws IOException naming the file and where its JSON breaks
     */
    public static JsonNode readFile(ObjectMapper mapper, Path file) throws IOException {
        try {
            return mapper.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new IOException(file + " is not valid JSON (" + describe(e) + "); the file is corrupt or was cut"
                    + " short", e);
        }
    }

    /** "Unexpected character ('x' (code 120)) at line 1, column 5", on one line. */
    public static String describe(JsonProcessingException e) {
        String what = PrintableText.of(e.getOriginalMessage() == null ? e.getClass().getSimpleName()
                : e.getOriginalMessage());
        JsonLocation at = e.getLocation();
        return at == null || at.getLineNr() < 1 ? what : what + " at line " + at.getLineNr() + ", column " + at.getColumnNr();
    }
}
