package dev.aicost.model;

/** The token types of the metric contract; the label value is {@link #label()}. */
public enum TokenType {
  INPUT("input"),
  CACHE_READ("cache_read"),
  CACHE_WRITE("cache_write"),
  OUTPUT("output");

  private final String label;

  TokenType(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }
}
