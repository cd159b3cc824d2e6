package dev.aicost.metrics;

public enum FamilyType {
  COUNTER,
  GAUGE,
  INFO
}
