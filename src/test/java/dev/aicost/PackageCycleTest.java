package dev.aicost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package graph of src/main has no cycle (docs/architecture.md, "Layers"). Scans the sources
 * for references to {@code dev.aicost.<package>.<Type>} (imports, static imports and fully
 * qualified names), so it needs no compiled classes and no dependency.
 */
class PackageCycleTest {
  private static final Path MAIN = Path.of("src/main/java");
  private static final Pattern PACKAGE =
      Pattern.compile("^package\\s+([\\w.]+);", Pattern.MULTILINE);
  // a package is the run of lower-case segments before the first upper-case one (the type)
  private static final Pattern REFERENCE =
      Pattern.compile("\\bdev\\.aicost((?:\\.[a-z]\\w*)*)\\.[A-Z]");

  @Test
  void noPackageCycle() throws IOException {
    Map<String, Set<String>> graph = graph(MAIN);
    assertTrue(graph.size() > 10, "the scan found the packages: " + graph.keySet());
    List<List<String>> cycles = cycles(graph);
    assertEquals(List.of(), cycles, "package cycles (each list is one strongly connected set)");
  }

  @Test
  void contractAndModelAreAtTheBottom() throws IOException {
    Map<String, Set<String>> graph = graph(MAIN);
    assertEquals(
        Set.of(), graph.get("dev.aicost.metrics"), "the metric contract imports nothing of ours");
    assertEquals(
        Set.of(), graph.get("dev.aicost.model"), "the records sources emit import nothing of ours");
    assertEquals(
        Set.of(),
        graph.get("dev.aicost.httpclient"),
        "the capped reader every HTTP source uses imports nothing of ours");
  }

  @Test
  void theScanSeesACycle() {
    // the detector itself: a → b → c → a is one cycle, d only depends on it
    Map<String, Set<String>> g = new TreeMap<>();
    g.put("a", Set.of("b"));
    g.put("b", Set.of("c"));
    g.put("c", Set.of("a"));
    g.put("d", Set.of("a"));
    assertEquals(List.of(List.of("a", "b", "c")), cycles(g));
  }

  @Test
  void referencesAreReadFromImportsAndQualifiedNames() {
    Set<String> refs =
        references(
            "import dev.aicost.ledger.Ledger;\nimport static dev.aicost.metrics.Metrics.COST;\n"
                + "class X implements dev.aicost.collect.BatchSink { dev.aicost.source.nvml.NvmlGpuSource s; }");
    assertEquals(
        Set.of(
            "dev.aicost.ledger",
            "dev.aicost.metrics",
            "dev.aicost.collect",
            "dev.aicost.source.nvml"),
        refs);
  }

  static Map<String, Set<String>> graph(Path root) throws IOException {
    Map<String, Set<String>> graph = new TreeMap<>();
    List<Path> files;
    try (Stream<Path> s = Files.walk(root)) {
      files = s.filter(p -> p.toString().endsWith(".java")).toList();
    }
    for (Path f : files) {
      String src = Files.readString(f);
      Matcher m = PACKAGE.matcher(src);
      if (!m.find()) continue;
      String pkg = m.group(1);
      Set<String> deps = graph.computeIfAbsent(pkg, k -> new TreeSet<>());
      for (String ref : references(src)) if (!ref.equals(pkg)) deps.add(ref);
    }
    return graph;
  }

  static Set<String> references(String src) {
    Set<String> refs = new TreeSet<>();
    Matcher m = REFERENCE.matcher(src);
    while (m.find()) refs.add("dev.aicost" + m.group(1));
    return refs;
  }

  /** Tarjan's strongly connected components with more than one member (or a self loop), sorted. */
  static List<List<String>> cycles(Map<String, Set<String>> graph) {
    Map<String, Integer> index = new HashMap<>();
    Map<String, Integer> low = new HashMap<>();
    Deque<String> stack = new ArrayDeque<>();
    Set<String> onStack = new TreeSet<>();
    List<List<String>> out = new ArrayList<>();
    int[] counter = {0};
    for (String v : graph.keySet()) {
      if (!index.containsKey(v)) connect(v, graph, index, low, stack, onStack, out, counter);
    }
    return out;
  }

  private static void connect(
      String v,
      Map<String, Set<String>> graph,
      Map<String, Integer> index,
      Map<String, Integer> low,
      Deque<String> stack,
      Set<String> onStack,
      List<List<String>> out,
      int[] counter) {
    index.put(v, counter[0]);
    low.put(v, counter[0]++);
    stack.push(v);
    onStack.add(v);
    for (String w : graph.getOrDefault(v, Set.of())) {
      if (!index.containsKey(w)) {
        connect(w, graph, index, low, stack, onStack, out, counter);
        low.put(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.contains(w)) {
        low.put(v, Math.min(low.get(v), index.get(w)));
      }
    }
    if (low.get(v).equals(index.get(v))) {
      TreeSet<String> scc = new TreeSet<>();
      String w;
      do {
        w = stack.pop();
        onStack.remove(w);
        scc.add(w);
      } while (!w.equals(v));
      if (scc.size() > 1 || graph.getOrDefault(v, Set.of()).contains(v))
        out.add(new ArrayList<>(scc));
    }
  }
}
