#!/usr/bin/env bash
# Ledger size per year (issue 15): writes --days (default 30) of quarter-hour rows for a realistic setup through the
# real Ledger.commit into a temporary ledger, then prints its size, bytes per row, the size extrapolated to a year,
# and two read timings (a budget's month to date, a month of spend by day and model). Run from the project root:
#   ./bench/ledger-size.sh              # 30 days
#   ./bench/ledger-size.sh --days 365   # a whole year
# Output: a Markdown table on stdout (also saved to target/bench-ledger-size.md).
set -euo pipefail
cd "$(dirname "$0")/.."

./mvnw -q -B -o test-compile
./mvnw -q -B -o dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test

java -cp "target/test-classes:target/classes:$(cat target/cp.txt)" dev.aicost.bench.LedgerSizeHarness "$@" \
  | tee target/bench-ledger-size.md
