#!/bin/sh
# NVML source benchmark (JMH) against the fake libnvidia-ml.so.1 built by the test build.
# Usage: bench/nvml.sh [extra JMH args]   e.g. bench/nvml.sh -f 1 -wi 3 -i 5 poll8Gpus
set -eu
cd "$(dirname "$0")/.."
./mvnw -q -DskipTests test-compile
./mvnw -q dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
mkdir -p bench/results
exec java -cp "target/test-classes:target/classes:$(cat target/cp.txt)" org.openjdk.jmh.Main NvmlPollBench \
  -f 1 -wi 3 -w 1s -i 5 -r 1s -prof gc -rf json -rff bench/results/nvml.json "$@"
