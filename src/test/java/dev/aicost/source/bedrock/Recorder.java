package dev.aicost.source.bedrock;

import dev.aicost.collect.Batch;
import dev.aicost.collect.SourceContext;
import dev.aicost.model.UsageDelta;
import java.util.ArrayList;
import java.util.List;

/** What a source reported besides its records, including the dollars it spent upstream. */
final class Recorder implements SourceContext {
  final List<String> calls = new ArrayList<>();
  final List<String> partialErrors = new ArrayList<>();
  double cost;

  @Override
  public void upstreamCall(String operation, String outcome) {
    calls.add(operation + "/" + outcome);
  }

  @Override
  public void partialError(String reason, String message) {
    partialErrors.add(reason + ": " + message);
  }

  @Override
  public void upstreamCost(double usd) {
    cost += usd;
  }

  long errors(String reason) {
    return partialErrors.stream().filter(e -> e.startsWith(reason + ":")).count();
  }

  /** Sum of one field over a batch: 0..3 the token types, 4 the requests. */
  static long sum(List<UsageDelta> usage, String model, int field) {
    long n = 0;
    for (UsageDelta u : usage) {
      if (!u.model().equals(model)) continue;
      n +=
          switch (field) {
            case 0 -> u.tokens().input();
            case 1 -> u.tokens().cacheRead();
            case 2 -> u.tokens().cacheWrite();
            case 3 -> u.tokens().output();
            default -> u.requests();
          };
    }
    return n;
  }

  static long sum(Batch b, String model, int field) {
    return sum(b.usage(), model, field);
  }
}
