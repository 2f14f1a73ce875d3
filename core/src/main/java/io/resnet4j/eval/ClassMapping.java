package io.resnet4j.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which output of a network each class folder of an evaluation set stands for. By name, so a folder
 * {@code {cat, dog}} is scored against the network's "cat" and "dog" outputs, never against whatever
 * its first two outputs happen to be; a mapping given by the user covers deliberate renames.
 */
public final class ClassMapping {

    private ClassMapping() {}

    /**
     * The network's class index for each folder class, in folder order.
     *
     * @param renames folder class -> network class, for names that differ on purpose (may be empty)
     * @throws IllegalArgumentException listing both class lists when a folder class has no network class
     */
    public static int[] byName(List<String> folderClasses, List<String> networkClasses, Map<String, String> renames) {
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < networkClasses.size(); i++) {
            index.putIfAbsent(networkClasses.get(i), i);
        }
        int[] map = new int[folderClasses.size()];
        List<String> unknown = new ArrayList<>();
        for (int i = 0; i < folderClasses.size(); i++) {
            String name = renames.getOrDefault(folderClasses.get(i), folderClasses.get(i));
            Integer target = index.get(name);
            if (target == null) {
                unknown.add(folderClasses.get(i));
            } else {
                map[i] = target;
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("the folder's classes " + unknown + " are not classes of the network;"
                    + " folder classes: " + folderClasses + "; network classes: " + abbreviate(networkClasses));
        }
        return map;
    }

    /** The folder's classes taken as the network's first outputs, in sorted folder order. */
    public static int[] byOrder(List<String> folderClasses, int networkClasses) {
        if (folderClasses.size() > networkClasses) {
            throw new IllegalArgumentException("the folder has " + folderClasses.size() + " classes but the network only "
                    + networkClasses);
        }
        int[] map = new int[folderClasses.size()];
        for (int i = 0; i < map.length; i++) {
            map[i] = i;
        }
        return map;
    }

    /** {@code folder=network,folder=network} as a map (a user's renames). */
    public static Map<String, String> parseRenames(String spec) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : spec.split(",")) {
            String[] kv = pair.split("=", 2);
            if (kv.length != 2 || kv[0].isBlank() || kv[1].isBlank()) {
                throw new IllegalArgumentException("class map entry '" + pair + "' is not FOLDER_CLASS=NETWORK_CLASS");
            }
            out.put(kv[0].trim(), kv[1].trim());
        }
        return out;
    }

    private static String abbreviate(List<String> names) {
        return names.size() <= 20 ? names.toString() : names.subList(0, 20) + " and " + (names.size() - 20) + " more";
    }
}
