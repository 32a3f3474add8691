#!/bin/sh
# HTTP load benchmark (issue #6): a store of N synthetic events (default
# 1,000,000; written with SQL straight into the schema parley creates),
# then wrk on loopback at 200 connections against /api/events pages and
# /api/trend.  Prints wrk's latency distribution (p50/p90/p99).
# usage: sh bench/serve.sh [BUILD] [EVENTS] [SECONDS]
B=${1:-build}; N=${2:-1000000}; S=${3:-10}
command -v wrk >/dev/null || { echo "bench/serve: wrk not installed (apt-get install wrk)"; exit 1; }
T=$(mktemp -d); trap 'kill $SRV 2>/dev/null; rm -rf $T' EXIT
PORT=$((30000 + $$ % 10000))
# create the schema with parley itself, then fill it
printf '{"id":"seed","date":"2025-01-01","text":"x"}\n' | $B/parley ingest -q --db $T/b.db >/dev/null 2>&1
sqlite3 $T/b.db <<SQL
PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < $N),
c(k, code) AS (VALUES (0,'ISR'),(1,'SYR'),(2,'USA'),(3,'RUS'),(4,'UKR'),(5,'IRN'),(6,'TUR'),(7,'EGY'),(8,'SDN'),(9,'CHN'))
INSERT INTO events(event_id,date,source,target,cameo,root,quad_class,goldstein,source_text,target_text,verb_text,sentence_text,first_doc,src_country,tgt_country)
SELECT i, 20150101 + (i % 12) * 100 + (i % 28) + (i / 400000) * 10000, s.code || 'GOV', t.code, printf('%03d', 10 + (i % 190)),
       printf('%02d', 1 + (i % 20)), 1 + (i % 4), ((i % 21) - 10) * 1.0, s.code, t.code, 'verb', 'synthetic sentence ' || i, 'doc' || (i / 3), s.code, t.code
FROM n JOIN c s ON s.k = i % 10 JOIN c t ON t.k = (i % 10 + 1 + (i / 10) % 9) % 10;
INSERT INTO mentions(event_id,doc_id,sentence,publisher,date) SELECT event_id, first_doc, 0, 'pub' || (event_id % 50), date FROM events;
UPDATE events SET num_mentions = 1, num_articles = 1, num_sources = 1;
COMMIT;
ANALYZE;
SQL
echo "store: $(sqlite3 $T/b.db 'select count(*) from events') events"
$B/parley serve -q --db $T/b.db --port $PORT --no-defaults --threads 4 --max-connections 1024 >/dev/null 2>&1 &
SRV=$!
i=0; while ! curl -s http://127.0.0.1:$PORT/api/health >/dev/null; do i=$((i+1)); [ $i -gt 100 ] && exit 1; sleep 0.1; done
for u in "/api/events?a=ISR&b=SYR&limit=50" "/api/events?actor=USA&root=19&from=2016-01-01&limit=50&offset=100" "/api/trend?a=ISR&b=SYR&by=week" "/api/trend?a=RUS&b=UKR&by=month&since=2016-01-01"; do
  echo "== GET $u (200 connections, $S s)"
  wrk -t2 -c200 -d${S}s --latency "http://127.0.0.1:$PORT$u" | grep -E "Latency|50%|90%|99%|Requests/sec|Non-2xx|Socket errors"
done
