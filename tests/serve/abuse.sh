#!/bin/sh
# Server abuse (issue #8): slow clients, oversized bodies, malformed
# requests, more connections than allowed.  Starts two servers on loopback
# ports, runs tests/serve/abuse.py against them, and checks that both are
# still alive and stop cleanly.  usage: sh tests/serve/abuse.sh BUILD
B=${1:-build}
P=$B/parley
T=$(mktemp -d)
PA=$((20000 + ($$ * 7) % 20000)); PB=$((PA + 1))
SA=; SB=
trap 'kill $SA $SB 2>/dev/null; rm -rf $T' EXIT
DICT="--no-defaults --verbs tests/spec/middle-earth.verbs --actors tests/spec/middle-earth.actors --agents tests/spec/middle-earth.agents"
$P ingest -q --db $T/s.db $DICT tests/store/dedupe.jsonl || { echo "ingest failed"; exit 1; }
$P serve -q --db $T/s.db --port $PA $DICT --timeout 2 --max-body 4096 > $T/a.log 2>&1 &
SA=$!
$P serve -q --db $T/s.db --port $PB $DICT --timeout 60 --max-connections 4 --threads 2 > $T/b.log 2>&1 &
SB=$!
for u in http://127.0.0.1:$PA http://127.0.0.1:$PB; do
  i=0; while ! curl -s $u/api/health >/dev/null 2>&1; do
    i=$((i+1)); [ $i -gt 100 ] && { echo "server $u did not start"; cat $T/*.log; exit 1; }; sleep 0.1
  done
done
python3 tests/serve/abuse.py $PA $PB; rc=$?
for s in $SA $SB; do
  kill -0 $s 2>/dev/null || { echo "FAIL server $s died"; rc=1; continue; }
  kill $s; wait $s; r=$?
  [ $r -eq 0 ] && echo "ok   server $s stopped cleanly" || { echo "FAIL server $s exit $r"; rc=1; }
done
SA=; SB=
grep -E "AddressSanitizer|runtime error|LeakSanitizer" $T/*.log && rc=1
[ $rc -eq 0 ] && echo "serve abuse ok" || { echo "serve abuse FAILED"; tail -20 $T/*.log; }
exit $rc
