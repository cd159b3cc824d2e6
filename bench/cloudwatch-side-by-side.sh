#!/usr/bin/env bash
# aicost-exporter's Bedrock source side by side with prometheus/cloudwatch_exporter 0.16.0 (its released jar from
# Maven Central, run unchanged as a child JVM; bench/peer/CloudWatchPeer.java only hands its collector a CloudWatch
# client pointed at a loopback fake, as the peer's own tests do). Same 5 Bedrock metrics of N ModelIds; one, then two
# Prometheus servers scraping at 60 s and 15 s. Runs dev.aicost.bench.CloudWatchSideBySide (a plain main, not a JUnit
# test) from the project root: ./bench/cloudwatch-side-by-side.sh [--models N (20)] [--seconds S (180 per scenario)].
# About 3 x S seconds plus the build. Output: a Markdown table on stdout and in target/bench-cloudwatch-sbs.md.
set -euo pipefail
cd "$(dirname "$0")/.."

./mvnw -q -B -DskipTests test-compile
./mvnw -q -B dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
./mvnw -q -B dependency:copy -Dartifact=io.prometheus.cloudwatch:cloudwatch_exporter:0.16.0:jar:jar-with-dependencies \
  -DoutputDirectory=target/peer
peer_jar=target/peer/cloudwatch_exporter-0.16.0-jar-with-dependencies.jar
mkdir -p target/peer/classes
javac -d target/peer/classes -cp "$peer_jar" bench/peer/CloudWatchPeer.java

# the in-process exporter's log lines go to target/bench-cloudwatch-sbs.log; the table to stdout
java -cp "target/test-classes:target/classes:$(cat target/cp.txt)" dev.aicost.bench.CloudWatchSideBySide \
  --peer-classpath "$peer_jar:target/peer/classes" "$@" 2>>target/bench-cloudwatch-sbs.log \
  | tee -a target/bench-cloudwatch-sbs.log | grep --line-buffered '^|' | tee target/bench-cloudwatch-sbs.md
