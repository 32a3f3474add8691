#!/bin/sh
# PostgreSQL-only store checks, against a server started for the run
# (tests/lib/pg.sh):
#  1. concurrent writers: three `parley ingest` processes add reports of the
#     same stored events, and the same documents, into one database at
#     once; every event and count equals a single-process run (and the
#     SQLite store of the same corpus);
#  2. the exports of every format are byte-identical between SQLite and
#     PostgreSQL for the same input;
#  3. the HTTP API answers the same JSON from either engine;
#  4. kill -9 mid-ingest, then a re-run: the clean counts;
#  5. a refused connection and a missing database are reported as such.
# usage: sh tests/store/pg.sh BUILD   (exit 77: skipped, no server outside CI)
B=${1:-build}
P=$B/parley
T=$(mktemp -d)
. tests/lib/pg.sh
trap 'kill $SRV1 $SRV2 2>/dev/null; pg_stop; rm -rf $T' EXIT
pg_start_or_skip
DICT="--no-defaults --verbs tests/spec/middle-earth.verbs --actors tests/spec/middle-earth.actors --agents tests/spec/middle-earth.agents"
fail() { echo "FAIL: $*"; exit 1; }

# The race to catch: two writers add a mention to the same, already stored
# event at the same moment; each recounts the mentions it can see, and the
# later count can miss the other's.  So: every event is stored first from
# one document (S), then writers A, B and D add one report each, in the
# same order, at once (without the event locks about 5 of the 1000 events
# come out short); A and B also store the same 300 documents (C).
python3 - $T <<'PY'
import sys, datetime
d0 = datetime.date(3000, 1, 1)
out = {w: open("%s/%s.jsonl" % (sys.argv[1], w.lower()), "w") for w in "SABCD"}
for k in range(1000):
    day = (d0 + datetime.timedelta(days=k)).isoformat()
    for w in "SABD":
        out[w].write('{"id":"%s%05d","date":"%s","source":"pub%s","text":"Mordor attacked Gondor."}\n' % (w, k, day, w))
    if k % 10 < 3:
        out["C"].write('{"id":"C%05d","date":"%s","source":"pubC","text":"Mordor attacked Gondor. Gondor accused Mordor."}\n' % (k, day))
PY
cat $T/s.jsonl $T/a.jsonl $T/b.jsonl $T/c.jsonl $T/d.jsonl > $T/docs.jsonl
cat $T/a.jsonl $T/c.jsonl > $T/ac.jsonl
cat $T/b.jsonl $T/c.jsonl > $T/bc.jsonl

dump() { # URL: everything the counts depend on, one line per row
  pg_psql "$1" "SELECT 'docs', count(*) FROM documents; SELECT 'mentions', count(*) FROM mentions;
                SELECT 'actors', string_agg(code, ',' ORDER BY code) FROM actors;
                SELECT event_id, date, source, target, cameo, num_mentions, num_articles, num_sources FROM events ORDER BY event_id"
}
ONE=$(pg_createdb one)
$P ingest -q --db $ONE $DICT $T/docs.jsonl || fail "single-process ingest"
dump $ONE > $T/one.txt
MANY=$(pg_createdb many)
$P ingest -q --db $MANY $DICT $T/s.jsonl || fail "seed ingest"
$P ingest -q --db $MANY $DICT $T/ac.jsonl & p1=$!
$P ingest -q --db $MANY $DICT $T/bc.jsonl & p2=$!
$P ingest -q --db $MANY $DICT $T/d.jsonl & p3=$!
wait $p1 || fail "writer A"; wait $p2 || fail "writer B"; wait $p3 || fail "writer D"
dump $MANY > $T/many.txt
diff $T/one.txt $T/many.txt > $T/d.txt || { head -20 $T/d.txt; fail "3 concurrent writers differ from one writer"; }
$P ingest -q --db $T/one.db $DICT $T/docs.jsonl
sqlite3 $T/one.db "SELECT event_id, date, source, target, cameo, num_mentions, num_articles, num_sources FROM events ORDER BY event_id" > $T/lite.txt
grep -v '^docs\|^mentions\|^actors' $T/one.txt | diff - $T/lite.txt > /dev/null || fail "PostgreSQL events differ from SQLite's"
ev=$(grep -vc '^docs\|^mentions\|^actors' $T/one.txt)
top=$(pg_psql $MANY "SELECT count(*) FROM events WHERE num_articles >= 4")
echo "concurrent writers: 3 processes, 300 documents stored by two: $ev events ($top with 4 or more articles); identical to one writer and to SQLite"

# The protocol, made visible: another writer (psql, doing what parley does:
# event lock, mention, then the recount) holds its transaction open on an
# event while parley stores a report of the same event.  parley must wait
# for it, so that once parley is done its count includes the other
# writer's mention.  (Without the lock parley finishes at once with a count
# that misses it; here a later recount repairs that, but at the same moment
# on many events it need not, as the test above can catch.)
R=$(pg_createdb race)
$P ingest -q --db $R $DICT tests/store/dedupe.jsonl || fail "ingest for the race"
E=$(pg_psql $R "SELECT event_id FROM events WHERE source='MOR' AND target='GON'")
psql -X -q "$R" >/dev/null 2>$T/race.err <<SQL &
BEGIN;
SELECT pg_advisory_xact_lock($E);
INSERT INTO mentions(event_id, doc_id, sentence, publisher, date) VALUES ($E, 'RACE-0', 0, 'Other Post', 30190310);
SELECT pg_sleep(3);
UPDATE events SET num_mentions = (SELECT count(*) FROM mentions WHERE event_id = $E),
  num_articles = (SELECT count(DISTINCT doc_id) FROM mentions WHERE event_id = $E),
  num_sources = (SELECT count(DISTINCT coalesce(publisher, doc_id)) FROM mentions WHERE event_id = $E) WHERE event_id = $E;
COMMIT;
SQL
other=$!
i=0; until [ "$(pg_psql $R "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted")" != 0 ]; do
  i=$((i+1)); [ $i -gt 100 ] && fail "the other writer did not start: $(cat $T/race.err)"; sleep 0.05; done
printf '{"id":"RACE-1","date":"3019-03-10","source":"Race Post","text":"Mordor attacked Gondor."}\n' > $T/race.jsonl
$P ingest -q --db $R $DICT $T/race.jsonl || fail "ingest during the other writer's transaction"
got=$(pg_psql $R "SELECT num_mentions||'/'||num_articles||'/'||num_sources FROM events WHERE event_id = $E")
wait $other
[ "$got" = "6/5/4" ] || fail "parley did not wait for the other writer of the event: counts $got when it finished, want 6/5/4"
want=$(pg_psql $R "SELECT count(*)||'/'||count(DISTINCT doc_id)||'/'||count(DISTINCT coalesce(publisher, doc_id)) FROM mentions WHERE event_id = $E")
[ "$want" = "6/5/4" ] || fail "mentions after the race: $want, want 6/5/4"
echo "another writer holding the event: parley waited for it, counts $got"

# exports: same input, same bytes from both engines
EX=$(pg_createdb ex)
for db in $EX $T/ex.db; do
  $P ingest -q --db $db $DICT tests/store/dedupe.jsonl $T/a.jsonl || fail "ingest into $db"
  if [ -d dict/verbs ]; then $P ingest -q --db $db examples/sample-corpus.jsonl || fail "sample into $db"; fi
done
for f in gdelt gdelt-mentions icews phoenix plover csv jsonl; do
  $P export --db $EX --format $f -o $T/pg.$f || fail "export $f from PostgreSQL"
  $P export --db $T/ex.db --format $f -o $T/lite.$f || fail "export $f from SQLite"
  [ -s $T/pg.$f ] || fail "empty $f export"
  cmp -s $T/pg.$f $T/lite.$f || { diff $T/lite.$f $T/pg.$f | head -6; fail "$f export differs between SQLite and PostgreSQL"; }
done
for by in day week month; do
  $P trend MOR GON --db $EX --by $by --format csv > $T/pg.trend; $P trend MOR GON --db $T/ex.db --by $by --format csv > $T/lite.trend
  cmp -s $T/pg.trend $T/lite.trend || fail "trend by $by differs"
done
$P alerts --db $EX --by day --min-events 1 --format csv > $T/pg.alerts; $P alerts --db $T/ex.db --by day --min-events 1 --format csv > $T/lite.alerts
cmp -s $T/pg.alerts $T/lite.alerts || fail "alerts differ"
echo "exports identical between engines: gdelt gdelt-mentions icews phoenix plover csv jsonl ($(wc -l < $T/pg.gdelt) events), trend, alerts"

# the HTTP API: the same answers from both engines
PORT1=$((20000 + $$ % 10000)); PORT2=$((PORT1 + 10000))
$P serve -q --db $EX --port $PORT1 $DICT > $T/srv1.log 2>&1 & SRV1=$!
$P serve -q --db $T/ex.db --port $PORT2 $DICT > $T/srv2.log 2>&1 & SRV2=$!
for port in $PORT1 $PORT2; do
  i=0; while ! curl -s http://127.0.0.1:$port/api/health >/dev/null 2>&1; do i=$((i+1)); [ $i -gt 50 ] && fail "server on $port did not start: $(cat $T/srv*.log)"; sleep 0.1; done
done
id=$(curl -s "http://127.0.0.1:$PORT1/api/events?a=MOR&b=GON&root=19" | python3 -c "import json,sys; print(json.load(sys.stdin)['events'][0]['id'])")
for u in "/api/health" "/api/events" "/api/events?a=MOR&b=GON" "/api/events?actor=ARN&quad=1&limit=5&offset=2" "/api/events?q=dusk" \
         "/api/events?q=Mordor%20attacked&from=3019-03-01&to=3019-03-10" "/api/events?country=GON&root=04" "/api/events/$id" \
         "/api/dyads" "/api/trend?a=MOR&b=GON&by=day" "/api/alerts?by=day&min_events=1"; do
  curl -s "http://127.0.0.1:$PORT1$u" > $T/api.pg; curl -s "http://127.0.0.1:$PORT2$u" > $T/api.lite
  grep -q '"error"' $T/api.pg && fail "API $u on PostgreSQL: $(head -c 200 $T/api.pg)"
  cmp -s $T/api.pg $T/api.lite || { echo "pg:   $(head -c 300 $T/api.pg)"; echo "lite: $(head -c 300 $T/api.lite)"; fail "API $u differs"; }
done
kill $SRV1 $SRV2; wait $SRV1 $SRV2 2>/dev/null; SRV1= SRV2=
echo "HTTP API: 11 requests answer the same JSON from both engines"

# kill -9 mid-ingest: the store stays consistent; a re-run gives the clean counts
K=$(pg_createdb killed)
killed=0
for delay in 1.0; do
  $P ingest -q --db $K $DICT $T/docs.jsonl & pid=$!
  sleep $delay; kill -9 $pid 2>/dev/null && killed=$((killed+1)); wait $pid 2>/dev/null
  bad=$(pg_psql $K "SELECT count(*) FROM events e WHERE num_mentions <> (SELECT count(*) FROM mentions m WHERE m.event_id = e.event_id)
                    OR NOT EXISTS (SELECT 1 FROM mentions m WHERE m.event_id = e.event_id)")
  [ "$bad" = 0 ] || fail "after kill -9 at $delay s: $bad events with wrong counts"
done
$P ingest -q --db $K $DICT $T/docs.jsonl || fail "re-run after kill -9"
dump $K > $T/k.txt
cmp -s $T/one.txt $T/k.txt || fail "kill -9 and a re-run differ from a clean run"
echo "kill -9 mid-ingest ($killed killed runs): consistent, and a re-run gives the clean counts"

# what failed is said plainly
$P ingest -q --db "postgresql://parley:secret@127.0.0.1:1/nothing" $DICT tests/store/dedupe.jsonl 2>$T/err; rc=$?
[ $rc -eq 4 ] && grep -q "cannot connect" $T/err && grep -qi "refused" $T/err || fail "refused connection: rc $rc: $(cat $T/err)"
grep -q secret $T/err && fail "the password was printed: $(cat $T/err)"
$P export --db "postgresql://$PG_USER@$PG_HOST:$PG_PORT/nosuchdb" --format csv 2>$T/err2 >/dev/null; rc=$?
[ $rc -eq 4 ] && grep -q 'does not exist' $T/err2 || fail "missing database: rc $rc: $(cat $T/err2)"
echo "errors: $(head -1 $T/err)"
echo "errors: $(head -1 $T/err2)"
echo "pg ok"
