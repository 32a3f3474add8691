#!/bin/sh
# Durability: kill -9 in the middle of an ingest leaves a consistent store,
# and running the ingest again finishes with the same counts as one clean
# run (no duplicates).  A full disk and a read-only store file are reported
# clearly, not a crash, and leave the store consistent.
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
# a full disk mid-ingest (a file-size limit makes the writes fail): a clear
# message naming the document, exit 4, the store as of the last commit, and
# a re-run once there is room gives the clean counts
rm -f $T/full.db*
sh -c "trap '' XFSZ; ulimit -f 2000; exec $P ingest -q --db $T/full.db $DICT $T/docs.jsonl" 2>$T/err; rc=$?
[ $rc -eq 4 ] && grep -q "stopping at document D[0-9]*: sqlite: .*not stored" $T/err || { echo "disk full: rc $rc: $(cat $T/err)"; exit 1; }
[ $(grep -c . $T/err) -eq 1 ] || { echo "disk full: one message expected, got: $(cat $T/err)"; exit 1; }
mid=$(sqlite3 $T/full.db "PRAGMA integrity_check" 2>&1)
[ "$mid" = ok ] || { echo "store damaged by a full disk: $mid"; exit 1; }
$P ingest -q --db $T/full.db $DICT $T/docs.jsonl
got=$(counts $T/full.db)
[ "$got" = "$want" ] || { echo "after a full disk and a re-run: $got, want $want"; exit 1; }
echo "disk full reported: $(cat $T/err)"
# a store the process cannot write: a clear message and exit 4, no crash.
# root writes anything, so as root the check runs as nobody when it can.
cp $T/clean.db $T/ro.db; chmod 0444 $T/ro.db
printf '{"id":"NEW1","date":"3019-03-01","text":"Arnor praised Gondor."}\n' > $T/new.jsonl
as=""
if [ "$(id -u)" = 0 ]; then
  chmod 755 $T; chmod 644 $T/new.jsonl
  if setpriv --reuid=65534 --regid=65534 --clear-groups $P --help >/dev/null 2>&1; then as="setpriv --reuid=65534 --regid=65534 --clear-groups"
  else as=skip; fi
fi
if [ "$as" != skip ]; then
  $as $P ingest -q --db $T/ro.db $DICT $T/new.jsonl 2>$T/err; rc=$?
  [ $rc -eq 4 ] && grep -qi "readonly\|read-only\|read only" $T/err || { echo "read-only store: rc $rc: $(cat $T/err)"; exit 1; }
  echo "read-only store reported: $(head -1 $T/err)"
else
  echo "read-only store: skipped (running as root and nobody cannot run $P)"
fi
echo "durability ok"
