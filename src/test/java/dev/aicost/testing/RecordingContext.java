package dev.aicost.testing;

import dev.aicost.collect.SourceContext;
import java.util.ArrayList;
import java.util.List;

/** Collects what a source reports besides its records. */
public final class RecordingContext implements SourceContext {
  public final List<String> calls = new ArrayList<>();
  public final List<String> partialErrors = new ArrayList<>();

  /** The last process count the source reported; -1 before any. */
  public int upstreamProcesses = -1;

  @Override
  public void upstreamProcesses(int count) {
    upstreamProcesses = count;
  }

  @Override
  public void upstreamCall(String operation, String outcome) {
    calls.add(operation + "/" + outcome);
  }

  @Override
  public void partialError(String reason, String message) {
    partialErrors.add(reason + ": " + message);
  }

  public long errors(String reason) {
    return partialErrors.stream().filter(e -> e.startsWith(reason + ":")).count();
  }
}
