package dev.aicost.collect;

import java.util.List;

/**
 * One kind of source: the configuration section it reads and the factory that turns that section
 * into running sources. Every kind is one line of the {@code SourceRegistry} that builds the
 * pipeline.
 */
public interface SourceKind {
  /** The configuration section, e.g. {@code sources.vllm}. */
  String section();

  /** The sources this configuration asks for; empty when the section is off or absent. */
  List<Source> create(SourceSetup setup) throws SourceException;
}
