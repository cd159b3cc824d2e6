package dev.aicost.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Read-only copies of the maps and lists a config file holds, for the records' constructors. They
 * keep the file's order (problems are listed as the file reads) and its empty entries ({@code - ~}
 * or {@code deployment:} with nothing after it), so that the validator reports those by path
 * instead of the record failing with a NullPointerException; {@code Map.copyOf} / {@code
 * List.copyOf} keep neither. Empty when the file gave nothing.
 */
public final class ConfigCopies {
  private ConfigCopies() {}

  public static <V> Map<String, V> map(Map<String, V> map) {
    return map == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(map));
  }

  public static <T> List<T> list(List<T> list) {
    return list == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(list));
  }
}
