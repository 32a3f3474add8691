#!/bin/sh
# Store tests: de-duplication counts, idempotent re-ingest, exports read back
# with the published headers, trend and alerts.
# usage: sh tests/store/run.sh BUILD [sqlite|pg]
# pg: the same checks against a PostgreSQL server started for the run
# (tests/lib/pg.sh); SQL in this file is written to run on both engines.
set -e
B=${1:-build}
ENGINE=${2:-sqlite}
P=$B/parley
T=$(mktemp -d)
if [ "$ENGINE" = pg ]; then
  . tests/lib/pg.sh
  trap 'pg_stop; rm -rf $T' EXIT
  pg_start_or_skip
  DB=$(pg_createdb s)
  SAMPLE=$(pg_createdb sample)
  q() { pg_psql "$DB" "$1"; }
else
  trap 'rm -rf $T' EXIT
  DB=$T/s.db
  SAMPLE=$T/sample.db
  q() { sqlite3 "$DB" "$1"; }
fi
echo "engine: $ENGINE"
DICT="--no-defaults --verbs tests/spec/middle-earth.verbs --actors tests/spec/middle-earth.actors --agents tests/spec/middle-earth.agents"
$P ingest -q --db $DB $DICT tests/store/dedupe.jsonl
counts() {
  q "SELECT (SELECT count(*) FROM events),(SELECT count(*) FROM mentions),(SELECT count(*) FROM documents)"
  q "SELECT num_mentions||'/'||num_articles||'/'||num_sources FROM event_counts ORDER BY event_id" | tr '\n' ,
}
first=$(counts)
# ingesting again changes nothing
$P ingest -q --db $DB $DICT tests/store/dedupe.jsonl
second=$(counts)
[ "$first" = "$second" ] || { echo "re-ingest changed the counts: $first -> $second"; exit 1; }
echo "idempotent: $first" | tr '\n' ' '; echo
for f in gdelt gdelt-mentions icews phoenix plover; do
  case $f in gdelt) o=gdelt.tsv;; gdelt-mentions) o=mentions.tsv;; icews) o=icews.tsv;; phoenix) o=phoenix.csv;; plover) o=plover.jsonl;; esac
  $P export --db $DB --format $f -o $T/$o
done
# the same event from 3 articles of 2 publishers: NumArticles 3, NumSources 2
python3 tests/store/check_exports.py $T
# changed content replaces the document's mentions
printf '{"id":"ME-4","date":"3019-03-11","source":"Shire Gazette","text":"Arnor accused Gondor."}\n' > $T/changed.jsonl
$P ingest -q --db $DB $DICT $T/changed.jsonl
n=$(q "SELECT count(*) FROM events WHERE cameo='051'")
[ "$n" = 0 ] || { echo "old event of a changed document still stored"; exit 1; }
n=$(q "SELECT count(*) FROM events WHERE cameo='112'")
[ "$n" = 1 ] || { echo "new event of a changed document missing"; exit 1; }
$P trend MOR GON --db $DB --by day --format csv | grep -q '^3019-03-10,' || { echo "trend lacks the attack day"; exit 1; }
echo "store ok"
# the bundled sample corpus shows its documented storyline with the shipped
# dictionaries: Israel-Syria escalates in late February 2025 and calms in May
if [ -d dict/verbs ]; then
  $P ingest -q --db $SAMPLE examples/sample-corpus.jsonl
  $P alerts --db $SAMPLE --format csv > $T/alerts.csv
  grep -q '^ISR-SYR,2025-0[23]-[0-9][0-9],ESCALATION' $T/alerts.csv || { echo "no Israel-Syria escalation in Feb-Mar 2025"; cat $T/alerts.csv; exit 1; }
  grep -q '^ISR-SYR,2025-0[345]-[0-9][0-9],DE-ESCALATION' $T/alerts.csv || { echo "no Israel-Syria de-escalation in Mar-May 2025"; cat $T/alerts.csv; exit 1; }
  echo "sample corpus: $(grep -c . $T/alerts.csv) alert lines, Israel-Syria escalation and de-escalation present"
fi
echo "store ok (sample)"
# places in the store (schema v4) and the exports' geo columns; then a v3
# store (the geo columns dropped) migrates forward and keeps its events
if [ -f $B/data/gazetteer.bin ] && [ -d dict/verbs ]; then
  mkdir -p $T/geo
  $P ingest -q --db $T/geo.db tests/geo/store.jsonl
  for f in gdelt icews jsonl; do $P export --db $T/geo.db --format $f -o $T/geo/$f; done
  mv $T/geo/gdelt $T/geo/gdelt.tsv; mv $T/geo/icews $T/geo/icews.tsv; mv $T/geo/jsonl $T/geo/events.jsonl
  python3 tests/store/check_exports.py $T/geo --geo
  n=$(sqlite3 $T/geo.db "SELECT count(*) FROM events")
  for c in level basis written name lat lon country country2 country_name adm1 adm1_name id; do
    sqlite3 $T/geo.db "ALTER TABLE events DROP COLUMN geo_$c"
  done
  sqlite3 $T/geo.db "UPDATE meta SET value='3' WHERE key='schema_version'"
  $P ingest -q --db $T/geo.db tests/geo/store.jsonl
  v=$(sqlite3 $T/geo.db "SELECT value FROM meta WHERE key='schema_version'")
  m=$(sqlite3 $T/geo.db "SELECT count(*) FROM events")
  [ "$v" = 4 ] && [ "$m" = "$n" ] || { echo "v3 -> v4 migration: version $v, $m events (had $n)"; exit 1; }
  echo "geo store ok: places stored, exported, v3 store migrated"
fi
