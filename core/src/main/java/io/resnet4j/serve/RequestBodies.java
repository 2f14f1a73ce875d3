package io.resnet4j.serve;

import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads request bodies within the size limit: the declared length is checked before reading, and
 * reading stops one byte past the limit whatever the client declared (chunked bodies declare
 * nothing).
 */
final class RequestBodies {

    /** More files than this in one multipart request are refused: each one takes a place in the queue. */
    static final int MAX_FILES = 64;

    /** An uploaded image: its file name (null for a raw body) and bytes. */
    record Upload(String file, byte[] bytes) {}

    private final long maxBytes;

    RequestBodies(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    long maxBytes() {
        return maxBytes;
    }

    /**
     * The images of a request: the raw body (image/jpeg, image/png, any image/*, or
     * application/octet-stream), or every file of a multipart/form-data body.
     */
    List<Upload> images(Context ctx) throws IOException {
        checkDeclaredLength(ctx);
        String type = mediaType(ctx);
        if (type.equals("multipart/form-data")) {
            return multipart(ctx);
        }
        if (type.isEmpty() || type.startsWith("image/") || type.equals("application/octet-stream")) {
            List<Upload> one = new ArrayList<>();
            one.add(new Upload(null, bounded(ctx.bodyInputStream())));
            return one;
        }
        throw ApiException.unsupportedMediaType("Content-Type " + type + " is not an image: send the JPEG or PNG"
                + " bytes as image/jpeg, image/png or application/octet-stream, or files as multipart/form-data");
    }

    /** A JSON body (the Open Inference Protocol's requests). */
    byte[] json(Context ctx) throws IOException {
        checkDeclaredLength(ctx);
        String type = mediaType(ctx);
        if (!type.isEmpty() && !type.equals("application/json")) {
            throw ApiException.unsupportedMediaType("Content-Type " + type + " is not JSON: send application/json");
        }
        return bounded(ctx.bodyInputStream());
    }

    private List<Upload> multipart(Context ctx) throws IOException {
        List<UploadedFile> files;
        try {
            files = ctx.uploadedFiles();
        } catch (RuntimeException e) {
            // Jetty's parser stops at the configured size limit, or on a malformed body.
            if (String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT).contains("max")) {
                throw tooLarge();
            }
            throw ApiException.badRequest("the multipart/form-data body is malformed");
        }
        if (files.isEmpty()) {
            throw ApiException.badRequest("the multipart/form-data body has no file parts");
        }
        if (files.size() > MAX_FILES) {
            throw ApiException.tooLarge(files.size() + " files in one request; send at most " + MAX_FILES);
        }
        List<Upload> out = new ArrayList<>();
        for (UploadedFile f : files) {
            try (InputStream in = f.content()) {
                out.add(new Upload(f.filename(), bounded(in)));
            }
        }
        return out;
    }

    private void checkDeclaredLength(Context ctx) {
        long declared = ctx.req().getContentLengthLong();
        if (declared > maxBytes) {
            throw tooLarge();
        }
    }

    private byte[] bounded(InputStream in) throws IOException {
        byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
        if (bytes.length > maxBytes) {
            throw tooLarge();
        }
        return bytes;
    }

    private ApiException tooLarge() {
        return ApiException.tooLarge("the request body is larger than this server's limit of " + maxBytes
                + " bytes");
    }

    private static String mediaType(Context ctx) {
        String type = ctx.contentType();
        if (type == null) {
            return "";
        }
        int semicolon = type.indexOf(';');
        return (semicolon >= 0 ? type.substring(0, semicolon) : type).strip().toLowerCase(Locale.ROOT);
    }
}
