#!/usr/bin/env bash
# Benchmarks PromTextParser (JMH, dev.aicost.bench.ParserBench) on a generated ~300 KB 8-engine V1 vLLM page and,
# for scale, `promtool check metrics` on the same page. Run from the repository root: ./bench/parser.sh
# Extra arguments go to JMH (e.g. -i 10). Output: target/jmh-parser.txt and a summary on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."

./mvnw -q -DskipTests test-compile
./mvnw -q dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test

java -cp "target/test-classes:target/classes:$(cat target/cp.txt)" org.openjdk.jmh.Main ParserBench \
  -f 1 -wi 3 -i 5 -w 2s -r 3s "$@" | tee target/jmh-parser.txt

median() { sort -g | awk '{v[NR]=$1} END {if (NR == 0) exit 1; print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
# Measurement iterations look like "Iteration   1: 612345.6 ns/op" followed by "  bytes: 2.0 ns/op", "  samples: ..."
measured() { awk -v key="$1" '/^# Warmup Iteration/ {w=1} /^Iteration/ {w=0; if (key=="") print $3}
  !w && $1==key":" {print $2}' target/jmh-parser.txt; }
page_ns=$(measured "" | median)
byte_ns=$(measured bytes | median)
sample_ns=$(measured samples | median)
bytes=$(stat -c %s target/bench-page.txt)
echo
echo "PromTextParser: median $(awk -v x="$page_ns" 'BEGIN{printf "%.1f", x/1000}') us/page," \
  "$(awk -v x="$byte_ns" 'BEGIN{printf "%.0f", 1000/x}') MB/s, $(awk -v x="$sample_ns" 'BEGIN{printf "%.1f", x}') ns/sample" \
  "(page $bytes bytes)"

if command -v promtool >/dev/null; then
  run() { local s e; s=$(date +%s%N); promtool check metrics <"$1" >/dev/null 2>&1 || true; e=$(date +%s%N); echo $(((e - s) / 1000)); }
  : >target/empty.txt
  startup=$(for i in $(seq 10); do run target/empty.txt; done | median)
  total=$(for i in $(seq 10); do run target/bench-page.txt; done | median)
  echo "promtool check metrics ($(promtool --version 2>&1 | head -1 | awk '{print $3}')): median ${total} us for the page," \
    "${startup} us on empty input, $(awk -v b="$bytes" -v t="$total" -v s="$startup" \
    'BEGIN{d=t-s; if (d<=0) print "n/a"; else printf "%.1f", b/d}') MB/s net of start-up," \
    "$(awk -v b="$bytes" -v t="$total" 'BEGIN{printf "%.1f", b/t}') MB/s including it"
fi
