#!/bin/sh
# Durability: kill -9 in the middle of an ingest leaves a consistent store,
# and running the ingest again finishes with the same counts as one clean
# run (no duplicates).  A read-only store file is reported, not a crash.
# usage: sh tests/store/durability.sh BUILD
B=${1:-build}
P=$B/parley
T=$(mktemp -d); trap 'rm -rf $T' EXIT
# 20,000 small documents
python3 - $T/docs.jsonl <<'PY'
import sys, random
random.seed(7)
acts = ["Arnor", "Gondor", "Rohan", "Mordor", "Dale", "Bree"]
verbs = ["praised", "attacked", "accused", "visited", "warned", "threatened"]
with open(sys.argv[1], "w") as f:
    for i in range(20000):
        a, b = random.sample(acts, 2)
        f.write('{"id":"D%05d","date":"3019-%02d-%02d","source":"pub%d","text":"%s %s %s."}\n'
                % (i, 1 + i % 12, 1 + i % 28, i % 7, a, random.choice(verbs), b))
PY
DICT="--no-defaults --verbs tests/spec/middle-earth.verbs --actors tests/spec/middle-earth.actors --agents tests/spec/middle-earth.agents"
counts() { sqlite3 $1 "PRAGMA integrity_check; SELECT (SELECT count(*) FROM documents),(SELECT count(*) FROM events),(SELECT count(*) FROM mentions),(SELECT sum(num_mentions) FROM events)"; }
$P ingest -q --db $T/clean.db $DICT $T/docs.jsonl
want=$(counts $T/clean.db)
killed=0
for delay in 0.3 0.6 1.0; do
  rm -f $T/k.db*
  $P ingest -q --db $T/k.db $DICT $T/docs.jsonl & pid=$!
  sleep $delay; kill -9 $pid 2>/dev/null && killed=$((killed+1)); wait $pid 2>/dev/null
  mid=$(sqlite3 $T/k.db "PRAGMA integrity_check" 2>&1)
  [ "$mid" = ok ] || { echo "store damaged after kill -9 at $delay s: $mid"; exit 1; }
  $P ingest -q --db $T/k.db $DICT $T/docs.jsonl
  got=$(counts $T/k.db)
  [ "$got" = "$want" ] || { echo "after kill -9 at $delay s and a re-run: $got, want $want"; exit 1; }
done
echo "kill -9 mid-ingest ($killed killed runs): consistent, and a re-run gives the clean counts ($(echo $want | tr '\n' ' '))"
# a store the process cannot write: a clear message and exit 4, no crash
cp $T/clean.db $T/ro.db; chmod 0444 $T/ro.db
if [ "$(id -u)" != 0 ]; then
  $P ingest -q --db $T/ro.db $DICT $T/docs.jsonl 2>$T/err; rc=$?
  [ $rc -ne 0 ] && grep -qi "readonly\|read-only\|read only" $T/err || { echo "read-only store: rc $rc: $(cat $T/err)"; exit 1; }
  echo "read-only store reported: $(head -1 $T/err)"
fi
echo "durability ok"
