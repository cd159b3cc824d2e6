#!/usr/bin/env bash
# Serving-path benchmark of the packaged exporter: /metrics latency with >= 10,000 series while an upstream hangs,
# resident memory, time to ready. Builds the jar and the test classes, then runs dev.aicost.bench.ScrapeLatencyHarness
# (a plain main, not a JUnit test) against target/aicost-exporter.jar. Run from anywhere: ./bench/scrape.sh
# Extra arguments go to the harness: --models N (1500) --warmup N (500) --scrapes N (3000) --idle SECONDS (60)
# --max-seconds S (45: a latency run stops after S seconds even if fewer than --scrapes were done)
# --jvm-opt FLAG (repeatable, e.g. --jvm-opt -XX:StartFlightRecording=filename=/tmp/s.jfr).
# Output: a Markdown table on stdout (also saved to target/bench-scrape.md); progress on stderr. About 3.5 minutes with the build.
set -euo pipefail
cd "$(dirname "$0")/.."

./mvnw -q -B -DskipTests package
./mvnw -q -B -DskipTests test-compile
./mvnw -q -B dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test

java -cp "target/test-classes:target/classes:$(cat target/cp.txt)" dev.aicost.bench.ScrapeLatencyHarness \
  target/aicost-exporter.jar "$@" | tee target/bench-scrape.md
