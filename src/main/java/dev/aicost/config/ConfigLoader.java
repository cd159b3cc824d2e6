package dev.aicost.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the YAML file into {@link ExporterConfig}: unknown keys are rejected, every error names its
 * path ({@code sources.vllm[1].url: not a URL}), and the validator runs before anything starts.
 */
public final class ConfigLoader {
  private final ObjectMapper mapper;

  public ConfigLoader() {
    SimpleModule types = new SimpleModule("aicost-config");
    types.addDeserializer(Duration.class, new ValueDeserializer<>(Durations::parse));
    types.addDeserializer(DataSize.class, new ValueDeserializer<>(DataSize::parse));
    types.addDeserializer(LocalDate.class, new ValueDeserializer<>(ConfigLoader::parseDate));
    mapper =
        new ObjectMapper(new YAMLFactory())
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .registerModule(types)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  }

  public ExporterConfig load(Path file) throws ConfigException {
    return parse(readText(file));
  }

  /**
   * A configuration file's text; a missing or unreadable file is a {@link ConfigException} naming
   * it.
   */
  public static String readText(Path file) throws ConfigException {
    try {
      return Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException(List.of(file + ": no such file"));
    } catch (IOException e) {
      throw new ConfigException(List.of(file + ": cannot read: " + e.getMessage()));
    }
  }

  public ExporterConfig parse(String yaml) throws ConfigException {
    List<String> problems = new ArrayList<>();
    JsonNode tree = tree(yaml);
    if (isEmpty(tree)) throw new ConfigException(List.of(EMPTY));
    tree.properties()
        .forEach(
            e -> {
              // what a file cut off after a section's key looks like: refuse it rather than run on
              // defaults
              if (e.getValue().isNull())
                problems.add(e.getKey() + ": has no value (remove the key or give it one)");
            });
    List<String> deprecations = new ArrayList<>();
    LabelAliases.apply(tree, deprecations);
    for (String d : deprecations) {
      org.slf4j.LoggerFactory.getLogger(ConfigLoader.class)
          .warn("event=config_deprecated key=\"{}\"", d);
    }
    ExporterConfig cfg = convert(tree, ExporterConfig.class, problems);
    if (cfg != null) {
      List<String> typed = List.copyOf(problems);
      for (String p : new ConfigValidator().validate(cfg)) {
        if (typed.stream().noneMatch(t -> samePath(t, p)))
          problems.add(p); // no second message for a value already named
      }
    }
    if (!problems.isEmpty()) throw new ConfigException(problems);
    return cfg;
  }

  static final String EMPTY =
      "configuration: the file is empty (an empty configuration would stop every source)";

  /**
   * Reads YAML text into a record type with this loader's rules (snake_case keys, unknown keys
   * rejected, path-qualified errors, every problem in one exception); an empty document gives
   * {@code empty}. Used for the main file and for the web config file.
   */
  public <T> T read(String yaml, Class<T> type, java.util.function.Supplier<T> empty)
      throws ConfigException {
    JsonNode tree = tree(yaml);
    if (tree == null || tree.isMissingNode() || tree.isNull()) return empty.get();
    List<String> problems = new ArrayList<>();
    T value = convert(tree, type, problems);
    if (!problems.isEmpty()) throw new ConfigException(problems);
    return value;
  }

  private JsonNode tree(String yaml) throws ConfigException {
    try {
      return mapper.readTree(yaml);
    } catch (JsonProcessingException e) {
      var loc = e.getLocation();
      String where =
          loc != null ? "line " + loc.getLineNr() + ", column " + loc.getColumnNr() : "input";
      String msg =
          String.valueOf(e.getOriginalMessage())
              .lines()
              .filter(l -> !l.isBlank())
              .findFirst()
              .orElse("syntax error");
      throw new ConfigException(List.of(where + ": not valid YAML: " + msg.trim()));
    }
  }

  private static boolean isEmpty(JsonNode tree) {
    return tree == null
        || tree.isMissingNode()
        || tree.isNull()
        || (tree.isObject() && tree.isEmpty());
  }

  /**
   * Converts the tree, collecting every type error: each bad value is named, then taken out of the
   * tree (its default applies) and the conversion retried, so one bad value hides no other problem.
   * Null when the document cannot be converted at all (its top level is not a mapping).
   */
  private <T> T convert(JsonNode tree, Class<T> type, List<String> problems) {
    for (int attempt = 0; attempt < MAX_TYPE_ERRORS; attempt++) {
      try {
        return mapper.treeToValue(tree, type);
      } catch (JsonMappingException e) {
        problems.add(describe(e));
        if (!remove(tree, e.getPath())) return null;
      } catch (JsonProcessingException e) {
        problems.add("configuration: " + e.getOriginalMessage());
        return null;
      }
    }
    return null;
  }

  private static final int MAX_TYPE_ERRORS = 200;

  /**
   * Takes the value at {@code path} out of the tree (a list element becomes null); false if there
   * is none.
   */
  private static boolean remove(JsonNode tree, List<JsonMappingException.Reference> path) {
    if (path.isEmpty()) return false;
    JsonNode parent = tree;
    for (int i = 0; i < path.size() - 1 && parent != null; i++) parent = child(parent, path.get(i));
    JsonMappingException.Reference last = path.get(path.size() - 1);
    if (parent instanceof ObjectNode o
        && last.getFieldName() != null
        && o.has(last.getFieldName())) {
      o.remove(last.getFieldName());
      return true;
    }
    if (parent instanceof ArrayNode a
        && last.getIndex() >= 0
        && last.getIndex() < a.size()
        && !a.get(last.getIndex()).isNull()) {
      a.set(last.getIndex(), NullNode.getInstance());
      return true;
    }
    return false;
  }

  private static JsonNode child(JsonNode node, JsonMappingException.Reference ref) {
    return ref.getFieldName() != null
        ? node.get(ref.getFieldName())
        : ref.getIndex() >= 0 ? node.get(ref.getIndex()) : null;
  }

  /** Whether two problems name the same value or one names a value inside the other's. */
  private static boolean samePath(String typed, String other) {
    String p = typed.substring(0, typed.indexOf(": ") < 0 ? typed.length() : typed.indexOf(": "));
    return other.startsWith(p + ":") || other.startsWith(p + ".") || other.startsWith(p + "[");
  }

  static String path(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (sb.length() > 0) sb.append('.');
        sb.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        sb.append('[').append(ref.getIndex()).append(']');
      }
    }
    return sb.length() == 0 ? "(top level)" : sb.toString();
  }

  private static String describe(JsonMappingException e) {
    if (e instanceof UnrecognizedPropertyException u) {
      List<String> known = new ArrayList<>();
      if (u.getKnownPropertyIds() != null)
        u.getKnownPropertyIds().forEach(k -> known.add(String.valueOf(k)));
      known.sort(null);
      return path(e)
          + ": unknown key"
          + (known.isEmpty() ? "" : " (known keys: " + String.join(", ", known) + ")");
    }
    Throwable cause = e.getCause();
    if (cause instanceof IllegalArgumentException iae && iae.getMessage() != null) {
      return path(e) + ": " + iae.getMessage();
    }
    if (e instanceof InvalidFormatException f) {
      return path(e)
          + ": must be "
          + simpleType(f.getTargetType())
          + ", got "
          + quote(f.getValue());
    }
    if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
      return path(e) + ": expected " + simpleType(m.getTargetType());
    }
    return path(e) + ": " + e.getOriginalMessage();
  }

  private static String quote(Object v) {
    return v instanceof String s ? "\"" + s + "\"" : String.valueOf(v);
  }

  private static String simpleType(Class<?> t) {
    if (t == null) return "value";
    if (List.class.isAssignableFrom(t)) return "a list";
    if (java.util.Map.class.isAssignableFrom(t)) return "a mapping";
    if (t == Integer.class || t == int.class || t == Long.class || t == long.class)
      return "an integer";
    if (t == Double.class || t == double.class) return "a number";
    if (t == String.class) return "a string";
    if (t == Boolean.class || t == boolean.class) return "true or false";
    if (t.isRecord()) return "a mapping";
    return t.getSimpleName();
  }

  private static LocalDate parseDate(String s) {
    try {
      return LocalDate.parse(s.trim());
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("must be a date like 2026-01-31");
    }
  }

  /**
   * Reads a scalar as text and converts it, so a bad value's message reaches the user with its
   * path.
   */
  private static final class ValueDeserializer<T> extends JsonDeserializer<T> {
    private final java.util.function.Function<String, T> convert;

    ValueDeserializer(java.util.function.Function<String, T> convert) {
      this.convert = convert;
    }

    @Override
    public T deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
      if (!p.currentToken().isScalarValue()) {
        throw MismatchedInputException.from(p, String.class, "expected a single value");
      }
      String text = p.getValueAsString();
      try {
        return convert.apply(text);
      } catch (IllegalArgumentException e) {
        throw JsonMappingException.from(p, e.getMessage(), e);
      }
    }
  }
}
