package dev.aicost.source.nvml;

import dev.aicost.collect.SourceContext;
import java.util.ArrayList;
import java.util.List;

/** A SourceContext that remembers what the source reported. */
final class RecordingContext implements SourceContext {
  final List<String> calls = new ArrayList<>();
  final List<String> partialErrors = new ArrayList<>();

  @Override
  public void upstreamCall(String operation, String outcome) {
    calls.add(operation + "/" + outcome);
  }

  @Override
  public void partialError(String reason, String message) {
    partialErrors.add(reason + ": " + message);
  }

  long errors(String reason) {
    return partialErrors.stream().filter(e -> e.startsWith(reason + ":")).count();
  }
}
