package dev.aicost.metrics;

import java.util.List;

/**
 * A metric family of the contract: its name (without {@code _total} for counters, as client_java
 * wants it), type, help and label names in exposition order.
 */
public record Family(String name, FamilyType type, String help, List<String> labelNames) {
  public Family {
    labelNames = List.copyOf(labelNames);
  }

  public int labelIndex(String label) {
    int i = labelNames.indexOf(label);
    if (i < 0) throw new IllegalArgumentException(name + " has no label " + label);
    return i;
  }
}
