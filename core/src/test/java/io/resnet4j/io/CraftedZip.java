package io.resnet4j.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * A zip writer that lies where told to: declared sizes that differ from the data, and directory
 * records that share one entry's bytes. java.util.zip's writer refuses both, which is why hostile
 * archives are written byte by byte here.
 */
public final class CraftedZip {

    /**
     * One entry.
     *
     * @param payload the bytes stored in the archive (deflated already for DEFLATED)
     * @param declaredSize the uncompressed size written into the headers
     */
    public record Item(String name, int method, byte[] payload, long declaredSize, long crc) {
        public static Item stored(String name, byte[] data) {
            CRC32 crc = new CRC32();
            crc.update(data);
            return new Item(name, 0, data, data.length, crc.getValue());
        }

        /** A raw-deflate payload whose headers claim {@code declaredSize} uncompressed bytes. */
        public static Item deflated(String name, byte[] payload, long declaredSize) {
            return new Item(name, 8, payload, declaredSize, 0);
        }
    }

    private final List<Item> items = new ArrayList<>();
    /** Directory records that reuse the local entry of another name. */
    private final Map<String, String> aliases = new LinkedHashMap<>();

    public CraftedZip add(Item item) {
        items.add(item);
        return this;
    }

    public CraftedZip stored(String name, byte[] data) {
        return add(Item.stored(name, data));
    }

    /** A directory record named {@code name} pointing at the bytes of {@code target}. */
    public CraftedZip alias(String name, String target) {
        aliases.put(name, target);
        return this;
    }

    public Path write(Path file) throws IOException {
        ByteArrayOutputStream central = new ByteArrayOutputStream();
        Map<String, Long> offsets = new LinkedHashMap<>();
        Map<String, Item> byName = new LinkedHashMap<>();
        int records = 0;
        try (OutputStream out = Files.newOutputStream(file)) {
            long offset = 0;
            for (Item it : items) {
                byte[] local = header(0x04034b50, it, it.name(), -1);
                out.write(local);
                out.write(it.payload());
                offsets.put(it.name(), offset);
                byName.put(it.name(), it);
                offset += local.length + it.payload().length;
                central.write(header(0x02014b50, it, it.name(), offsets.get(it.name())));
                records++;
            }
            for (Map.Entry<String, String> a : aliases.entrySet()) {
                central.write(header(0x02014b50, byName.get(a.getValue()), a.getKey(), offsets.get(a.getValue())));
                records++;
            }
            out.write(central.toByteArray());
            ByteBuffer end = le(22).putInt(0x06054b50).putShort((short) 0).putShort((short) 0)
                    .putShort((short) records).putShort((short) records).putInt(central.size()).putInt((int) offset)
                    .putShort((short) 0);
            out.write(end.array());
        }
        return file;
    }

    /** A local (offset -1) or central directory header. */
    private static byte[] header(int signature, Item it, String name, long offset) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        boolean central = offset >= 0;
        ByteBuffer b = le((central ? 46 : 30) + n.length).putInt(signature);
        if (central) {
            b.putShort((short) 20);
        }
        b.putShort((short) 20).putShort((short) 0).putShort((short) it.method()).putShort((short) 0).putShort((short) 0x21)
                .putInt((int) it.crc()).putInt(it.payload().length).putInt((int) it.declaredSize())
                .putShort((short) n.length).putShort((short) 0);
        if (central) {
            b.putShort((short) 0).putShort((short) 0).putShort((short) 0).putInt(0).putInt((int) offset);
        }
        return b.put(n).array();
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * A raw deflate stream inflating to {@code copies} x {@code chunk} copies of one byte, built
     * from one compressed chunk: flushed to a byte boundary, a chunk of a constant byte is valid
     * after any number of copies of itself, so gigabytes cost one small compression.
     */
    public static byte[] repeatedDeflate(byte value, int chunk, int copies) {
        byte[] data = new byte[chunk];
        java.util.Arrays.fill(data, value);
        Deflater d = new Deflater(Deflater.BEST_COMPRESSION, true);
        d.setInput(data);
        ByteArrayOutputStream one = new ByteArrayOutputStream();
        byte[] buf = new byte[1 << 16];
        int n;
        while ((n = d.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH)) > 0) {
            one.write(buf, 0, n);
        }
        d.end();
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int i = 0; i < copies; i++) {
            all.writeBytes(one.toByteArray());
        }
        all.writeBytes(new byte[] {0x03, 0x00}); // a final, empty block of fixed codes
        return all.toByteArray();
    }

    /** zlib-wrapped deflate (PNG's IDAT). */
    public static byte[] zlib(byte[] data) {
        Deflater d = new Deflater();
        d.setInput(data);
        d.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[1 << 16];
        while (!d.finished()) {
            out.write(buf, 0, d.deflate(buf));
        }
        d.end();
        return out.toByteArray();
    }
}
