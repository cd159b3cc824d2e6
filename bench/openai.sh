#!/usr/bin/env bash
# One OpenAI source poll for a large organisation (G groups in every minute of the 2 h window) against the fake
# OpenAI server on loopback: median/max collect time and checkpoint size. Runs dev.aicost.bench.OpenAiPollHarness
# (a plain main). Run from anywhere: ./bench/openai.sh [--groups 200] [--polls 30]. About 1 minute with the build.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B -DskipTests test-compile
./mvnw -q -B dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
java -cp "target/test-classes:target/classes:$(cat target/cp.txt)" dev.aicost.bench.OpenAiPollHarness "$@" \
  | tee target/bench-openai.md
