package dev.aicost.config;

import java.time.Duration;

/**
 * {@code demo:} the simulated upstreams {@code --demo} starts.
 *
 * @param interval how often the demo sources are collected
 * @param deployments how many simulated vLLM deployments
 * @param restartEvery how often a simulated vLLM restarts (its counters drop to zero)
 */
public record DemoConfig(Duration interval, Integer deployments, Duration restartEvery) {
  public DemoConfig {
    interval = interval != null ? interval : Duration.ofSeconds(5);
    deployments = deployments != null ? deployments : 2;
    restartEvery = restartEvery != null ? restartEvery : Duration.ofMinutes(30);
  }
}
