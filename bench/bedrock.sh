#!/usr/bin/env bash
# CloudWatch calls and dollars of the Bedrock source while Prometheus scrapes at 15 s and at 1 s (issue 14):
# the exporter in-process against a loopback fake CloudWatch (the real AWS SDK on the wire), N ModelIds read
# every 60 s. Runs dev.aicost.bench.BedrockCostHarness (a plain main, not a JUnit test) from the project root:
# ./bench/bedrock.sh [--models N (20)] [--seconds S (130 per scrape interval)]. About 5 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

./mvnw -q -B -DskipTests test-compile
./mvnw -q -B dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test

java -cp "target/test-classes:target/classes:$(cat target/cp.txt)" dev.aicost.bench.BedrockCostHarness "$@" \
  | tee target/bench-bedrock.md
