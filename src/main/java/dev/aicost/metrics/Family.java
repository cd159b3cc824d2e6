package dev.aicost.metrics;

import java.util.List;

/**
 * A metric family of the contract: its name (without {@code _total} for counters, as client_java
 * wants it; info families keep their exposed {@code _info} name), type, help and label names in
 * exposition order.
 */
public record Family(String name, FamilyType type, String help, List<String> labelNames) {
  public Family {
    labelNames = List.copyOf(labelNames);
    if (type == FamilyType.INFO && !name.endsWith("_info"))
      throw new IllegalArgumentException(name + ": an info family's name ends in _info");
  }

  /** The name a scrape shows: counters gain {@code _total}; gauges and info families as named. */
  public String exposedName() {
    return type == FamilyType.COUNTER ? name + "_total" : name;
  }

  /** The name client_java's snapshot builders take: info families without their {@code _info}. */
  public String snapshotName() {
    return type == FamilyType.INFO ? name.substring(0, name.length() - "_info".length()) : name;
  }

  public int labelIndex(String label) {
    int i = labelNames.indexOf(label);
    if (i < 0) throw new IllegalArgumentException(name + " has no label " + label);
    return i;
  }
}
