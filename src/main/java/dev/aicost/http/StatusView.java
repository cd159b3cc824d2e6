package dev.aicost.http;

import dev.aicost.collect.CollectorHealth;
import java.util.List;

/** What the status page and the JSON status show; built from state without secrets. */
public interface StatusView {
  List<CollectorHealth> collectors();

  /** Source name -> what it reads, with any credentials already removed. */
  java.util.Map<String, String> targets();

  boolean demo();

  String version();

  String configFile();

  java.util.Map<String, Double> totals();
}
