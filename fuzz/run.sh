#!/bin/sh
# Runs libFuzzer targets for SECONDS each on their seed corpus (which holds
# the regressions found so far), one after the other; fails on a crash,
# leak or sanitizer report.  usage: sh fuzz/run.sh SECONDS [TARGET...]
S=${1:-60}
[ $# -gt 0 ] && shift
T=${*:-dict compiled coder input options http geo feed segment}
rc=0
for f in $T; do
  mkdir -p build-fuzz/corpus-$f
  ./build-fuzz/fuzz_$f -max_total_time=$S -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix=build-fuzz/ build-fuzz/corpus-$f fuzz/corpus/$f > build-fuzz/$f.log 2>&1
  r=$?
  n=$(sed -n 's/^stat::number_of_executed_units: *//p' build-fuzz/$f.log)
  if [ $r -eq 0 ] && ! grep -q "runtime error\|ERROR: AddressSanitizer\|ERROR: LeakSanitizer" build-fuzz/$f.log; then
    echo "fuzz $f: ${n:-?} executions in $S s, no crashes"
  else
    echo "fuzz $f: FAILED (exit $r)"; grep -E "runtime error|ERROR|SUMMARY" build-fuzz/$f.log | head -5; rc=1
  fi
done
exit $rc
