package dev.aicost.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * config/example.yml shows every key the configuration records accept (it is the reference
 * operators copy).
 */
class ExampleConfigTest {
  @Test
  void exampleListsEveryKey() throws Exception {
    Set<String> accepted = new TreeSet<>();
    keys(ExporterConfig.class, "", accepted);
    Set<String> shown = new TreeSet<>();
    shown(
        new ObjectMapper(new YAMLFactory()).readTree(Path.of("config/example.yml").toFile()),
        "",
        shown);
    Set<String> missing = new TreeSet<>(accepted);
    missing.removeAll(shown);
    assertEquals(Set.of(), missing, "keys missing from config/example.yml");
    new ConfigLoader().load(Path.of("config/example.yml")); // and it is valid
  }

  /**
   * Key paths of a record type, in the loader's snake_case; list elements as []; maps are
   * free-form.
   */
  private static void keys(Class<?> type, String prefix, Set<String> out) {
    for (RecordComponent c : type.getRecordComponents()) {
      String key =
          prefix + PropertyNamingStrategies.SnakeCaseStrategy.INSTANCE.translate(c.getName());
      out.add(key);
      Type g = c.getGenericType();
      if (c.getType().isRecord() && c.getType() != DataSize.class)
        keys(c.getType(), key + ".", out);
      else if (List.class.isAssignableFrom(c.getType())
          && g instanceof ParameterizedType p
          && p.getActualTypeArguments()[0] instanceof Class<?> e
          && e.isRecord()) keys(e, key + "[].", out);
    }
  }

  private static void shown(JsonNode n, String prefix, Set<String> out) {
    if (n.isObject()) {
      List<String> names = new ArrayList<>();
      n.fieldNames().forEachRemaining(names::add);
      for (String f : names) {
        out.add(prefix + f);
        shown(n.get(f), prefix + f + ".", out);
      }
    } else if (n.isArray()) {
      String p = prefix.substring(0, prefix.length() - 1) + "[].";
      for (JsonNode e : n) shown(e, p, out);
    }
  }
}
