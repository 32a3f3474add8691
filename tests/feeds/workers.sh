#!/bin/sh
# Scale-out on a real Redis: 10,000 generated documents on a stream, three
# `parley worker` processes sharing one store, one of them killed with
# kill -9 while it holds unacknowledged messages.  Afterwards every
# document is stored once, nothing is left pending, and the events and
# mentions equal those of a single `parley ingest` of the same documents.
# usage: sh tests/feeds/workers.sh [BUILD_DIR] [STORE]
#   STORE: a store URL for the workers (default: a SQLite file in the
#   test's directory, shared by the three processes in WAL mode)
B=${1:-build}
P=$(pwd)/$B/parley
HERE=$(pwd)/tests/feeds
N=${WORKER_DOCS:-10000}
T=$(mktemp -d /tmp/parley-workers.XXXXXX)
PIDS=""
. tests/lib/redis.sh
cleanup() {
  for p in $PIDS; do kill -9 $p 2>/dev/null; done
  redis_stop
  wait 2>/dev/null
  if [ -n "$KEEP" ]; then echo "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; for f in $T/w*.err; do [ -f $f ] && { echo "--- $f"; tail -5 $f; }; done; exit 1; }
wait_for() { i=0; while ! "$@" 2>/dev/null; do i=$((i + 1)); [ $i -gt ${WAIT_TICKS:-3000} ] && return 1; sleep 0.1; done; }

redis_start $T/redis || exit 1
STORE=${2:-$T/workers.db}
S=$REDIS_URL/parley:test
rc() { redis-cli -p $REDIS_PORT "$@"; }

python3 $HERE/gen_docs.py $N 21 > $T/docs.jsonl
# the reference: the same documents in one process
$P ingest -q --db $T/ref.db $T/docs.jsonl || fail "reference ingest"

$P enqueue -q --redis $S $T/docs.jsonl || fail "enqueue exit $?"
[ "$(rc XLEN parley:test)" = $N ] || fail "stream holds $(rc XLEN parley:test), want $N"

for k in 1 2 3; do
  $P worker -q --redis $S --db "$STORE" --consumer w$k --batch 50 --claim-idle 1500 --exit-when-empty 2>$T/w$k.err &
  eval W$k=$!
  PIDS="$PIDS $!"
done

# kill -9 worker 2 once the run is well under way and it holds messages
stored() { [ "$(rc XINFO GROUPS parley:test | sed -n '/^entries-read$/{n;p}')" -ge $((N / 4)) ]; }
wait_for stored || fail "workers made no progress"
holds() { [ "$(rc XPENDING parley:test parley - + 1000 w2 | grep -c '^[0-9]*-[0-9]*$')" -gt 0 ]; }
wait_for holds || fail "worker 2 never held a message"
held=$(rc XPENDING parley:test parley - + 1000 w2 | grep -c '^[0-9]*-[0-9]*$')
kill -9 $W2
echo "killed worker 2 with $held unacknowledged messages"

# the others drain the stream, taking over worker 2's messages, and stop
for k in 1 3; do
  eval pid=\$W$k
  wait_for sh -c "! kill -0 $pid" || fail "worker $k did not finish"
  wait $pid; r=$?
  [ $r -eq 0 ] || fail "worker $k exit $r"
done
PIDS=""

pending=$(rc XPENDING parley:test parley | head -1)
[ "$pending" = 0 ] || fail "$pending messages still pending"
w2left=$(rc XINFO CONSUMERS parley:test parley | awk '/^name$/{getline; n=$0} /^pending$/{getline; if (n=="w2") print $0}')
[ "$w2left" = 0 ] || fail "worker 2's messages were not taken over ($w2left left)"

# every document once; events and mentions as in one process
if [ "${STORE#postgresql://}" != "$STORE" ]; then
  Q() { psql -X -q -t -A -F '|' "$STORE" -c "$1"; }
else
  Q() { sqlite3 "$STORE" "$1"; }
fi
docs=$(Q "SELECT count(*) FROM documents")
[ "$docs" = $N ] || fail "$docs documents stored, want $N"
ev="SELECT event_id, date, source, target, cameo, num_mentions, num_articles, num_sources FROM events ORDER BY event_id"
men="SELECT event_id, doc_id, sentence FROM mentions ORDER BY event_id, doc_id, sentence"
sqlite3 $T/ref.db "$ev" > $T/ref.ev; Q "$ev" > $T/w.ev
sqlite3 $T/ref.db "$men" > $T/ref.men; Q "$men" > $T/w.men
cmp -s $T/ref.ev $T/w.ev || { diff $T/ref.ev $T/w.ev | head -5; fail "events differ from a single-process run"; }
cmp -s $T/ref.men $T/w.men || { diff $T/ref.men $T/w.men | head -5; fail "mentions differ from a single-process run"; }
echo "3 workers, one killed: $docs documents once each; $(wc -l < $T/w.ev) events and $(wc -l < $T/w.men) mentions equal to one process"

# a message that holds no document is reported and acknowledged; one delivered
# --max-deliveries times and never acknowledged goes to STREAM:dead
rc XADD parley:bad '*' doc 'not json' > /dev/null
rc XADD parley:bad '*' doc '{"id":"cursed","date":"2025-06-03","text":"Israel and Syria held talks."}' > $T/cursed.id
rc XGROUP CREATE parley:bad parley 0 > /dev/null
rc XREADGROUP GROUP parley ghost COUNT 2 STREAMS parley:bad '>' > /dev/null
for i in 1 2; do rc XCLAIM parley:bad parley ghost 0 $(cat $T/cursed.id) > /dev/null; done
sleep 0.2   # older than --claim-idle (Redis measures idleness by its own clock)
$P worker --redis $REDIS_URL/parley:bad --db $T/bad.db --claim-idle 100 --max-deliveries 3 --exit-when-empty 2>$T/wbad.err ||
  fail "worker on bad messages exit $?"
grep -q "not a JSON object" $T/wbad.err || fail "the bad message was not reported"
grep -q "message $(cat $T/cursed.id): delivered 3 times, never acknowledged; moved to parley:bad:dead" $T/wbad.err || fail "no dead-letter report"
[ "$(rc XLEN parley:bad:dead)" = 1 ] || fail "dead-letter stream holds $(rc XLEN parley:bad:dead)"
[ "$(rc XPENDING parley:bad parley | head -1)" = 0 ] || fail "bad messages left pending"
echo "bad message reported and acknowledged; a message delivered 3 times moved to parley:bad:dead"
