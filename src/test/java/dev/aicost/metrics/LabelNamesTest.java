package dev.aicost.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * No aicost_* family may use a label name that Prometheus target labels commonly use: the
 * Prometheus "Writing exporters" guide lists them (region, zone, cluster, availability_zone, az,
 * datacenter, dc, owner, customer, stage, service, environment, env), and job / instance are
 * Prometheus' own. Such a label is renamed exported_* at ingestion when the target carries the same
 * name, and every query on it silently returns nothing.
 */
class LabelNamesTest {
  static final Set<String> TARGET_LABELS =
      Set.of(
          "job",
          "instance",
          "region",
          "zone",
          "cluster",
          "availability_zone",
          "az",
          "datacenter",
          "dc",
          "owner",
          "customer",
          "stage",
          "service",
          "environment",
          "env");

  static List<Family> families() throws IllegalAccessException {
    List<Family> out = new ArrayList<>();
    for (Field f : Metrics.class.getDeclaredFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getType() == Family.class)
        out.add((Family) f.get(null));
    }
    return out;
  }

  @Test
  void noFamilyUsesATargetLabelName() throws Exception {
    List<Family> all = families();
    assertTrue(all.size() > 20, "found the families by reflection: " + all.size());
    List<String> clashes = new ArrayList<>();
    for (Family f : all) {
      for (String l : f.labelNames())
        if (TARGET_LABELS.contains(l)) clashes.add(f.name() + "{" + l + "}");
    }
    assertEquals(List.of(), clashes);
  }
}
