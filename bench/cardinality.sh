#!/usr/bin/env bash
# Cardinality benchmark of the packaged exporter (issue 9): one vLLM page with 20,000 model names whose counters
# move before every read, under the launcher's JVM flags and the default limits.max_series_per_metric; then a
# SIGKILL and a restart on the same ledger. Builds the jar and the test classes, then runs
# dev.aicost.bench.CardinalityHarness (a plain main, not a JUnit test). Run from the project root: ./bench/cardinality.sh
# Extra arguments go to the harness: --models N (20000) --interval SECONDS (5) --seconds S (90; the restart runs S/2,
# at least 30) --jvm-opt FLAG (repeatable). A different jar: CARDINALITY_JAR=path ./bench/cardinality.sh
# Output: a Markdown table on stdout (also saved to target/bench-cardinality.md). About 3 minutes with the build.
set -euo pipefail
cd "$(dirname "$0")/.."

./mvnw -q -B -DskipTests package
./mvnw -q -B -DskipTests test-compile
./mvnw -q -B dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test

java -cp "target/test-classes:target/classes:$(cat target/cp.txt)" dev.aicost.bench.CardinalityHarness \
  "${CARDINALITY_JAR:-target/aicost-exporter.jar}" "$@" | tee target/bench-cardinality.md
