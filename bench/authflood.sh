#!/usr/bin/env bash
# Wrong-password flood against basic auth: latency of a legitimate scrape (right password, every 20 ms, gzip) alone
# and while N clients send wrong passwords back to back. Builds the jar and the test classes, then runs
# dev.aicost.bench.AuthFloodHarness (a plain main, not a JUnit test). Run from anywhere: ./bench/authflood.sh
# Extra arguments go to the harness: --flooders N (32) --seconds S (20, per phase) --cost C (bcrypt cost, 10)
# --interval-ms MS (20) --addresses N (1: flooders spread over N client addresses 127.0.0.2...). JAR=path/to/other.jar measures another build (e.g. an older commit's jar) with the
# same harness. Output: a Markdown table on stdout (also saved to target/bench-authflood.md). About 1.5 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${JAR:-}" ]; then
  ./mvnw -q -B -DskipTests package
  JAR=target/aicost-exporter.jar
fi
./mvnw -q -B -DskipTests test-compile
./mvnw -q -B dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test

java -cp "target/test-classes:target/classes:$(cat target/cp.txt)" dev.aicost.bench.AuthFloodHarness \
  "$JAR" "$@" | tee target/bench-authflood.md
