package dev.aicost.source.vllm;

import java.util.Map;

/** Receives the wanted samples of one page from {@link PromTextParser}, in page order. */
public interface SampleConsumer {

  /**
   * One wanted sample.
   *
   * @param name the sample name as on the wire, the same String instance as in the wanted set
   * @param labels label name to unescaped value, in page order; a fresh unmodifiable map the
   *     consumer may keep
   * @param value the sample value (NaN and infinities included)
   */
  void sample(String name, Map<String, String> labels, double value);

  /**
   * A wanted sample that was dropped, e.g. because a label value exceeded the parser's cap ({@code
   * reason = "label_too_long"}). Parsing continues with the next line.
   */
  default void skipped(String name, String reason) {}
}
