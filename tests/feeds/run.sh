#!/bin/sh
# parley run against a local web server with our fixture feeds (no outside
# network): RSS 2.0 / RSS 1.0 / Atom parsing, article pages reduced to text,
# conditional GET (304), per-source error log (bad XML with its line,
# HTTP 500, 404, timeout), /api/metrics, a new item picked up by the next
# poll, a watched directory, kill -9 and restart without loss or
# duplicates, SIGTERM finishing the group in flight, standard input.
# Waits poll for a result (bounded), never assert on elapsed time.
# usage: sh tests/feeds/run.sh [BUILD_DIR]
B=${1:-build}
P=$(pwd)/$B/parley
FC=$(pwd)/$B/feed_check
HERE=$(pwd)/tests/feeds
T=$(mktemp -d /tmp/parley-feeds.XXXXXX)
SRV=""; RUN=""
cleanup() {
  [ -n "$RUN" ] && kill -9 $RUN 2>/dev/null
  [ -n "$SRV" ] && kill $SRV 2>/dev/null
  wait 2>/dev/null
  if [ -n "$KEEP" ]; then echo "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; for f in $T/run*.err $T/errors.log; do [ -f $f ] && { echo "--- $f"; tail -15 $f; }; done; exit 1; }
# wait_for CMD...: true once CMD succeeds; gives up after 60 s of polling
wait_for() { i=0; while ! "$@" 2>/dev/null; do i=$((i + 1)); [ $i -gt 600 ] && return 1; sleep 0.1; done; }
q() { sqlite3 -cmd '.timeout 5000' "$T/run.db" "$1"; }

# 1. the parser and the HTML reducer on their own, against expected output
for f in world.rss atom.xml rdf.xml bad.xml notafeed.xml; do
  (cd $HERE/www/feeds && $FC feed $f) > $T/out 2>&1
  cmp -s $T/out $HERE/expected/$f.out || { diff $HERE/expected/$f.out $T/out; fail "feed_check feed $f"; }
done
(cd $HERE && $FC feed entity-bomb.xml) > $T/out 2>&1
cmp -s $T/out $HERE/expected/entity-bomb.xml.out || fail "entity bomb not refused"
(cd $HERE && $FC html www/articles/a1.html) > $T/out 2>&1
cmp -s $T/out $HERE/expected/a1.html.out || { diff $HERE/expected/a1.html.out $T/out; fail "html to text"; }
echo "parser: RSS 2.0, RSS 1.0, Atom, bad XML with its line, entity loop refused, article text"

# 2. the web server
cp -r $HERE/www $T/www
python3 $HERE/server.py $T/www $T/port $T/access.log 2>$T/server.err &
SRV=$!
wait_for test -s $T/port || fail "fixture server did not start"
PORT=$(cat $T/port)
BASE=http://127.0.0.1:$PORT
sed -i "s#ARTICLE_BASE#$BASE#g" $T/www/feeds/*.xml $T/www/feeds/*.rss
# a feed over the size limit (max_bytes below)
python3 -c "print('<rss><channel>' + '<item><title>x</title></item>' * 20000 + '</channel></rss>')" > $T/www/feeds/big.xml
MP=$((30000 + $$ % 20000))
mkdir -p $T/in
cat > $T/run.conf <<EOF
# parley run, test configuration
db = $T/run.db
log = $T/errors.log
metrics = 127.0.0.1:$MP
interval = 1            # seconds between polls of a feed
host_interval = 0.02
timeout = 2
max_bytes = 200000
group = 100
date = 2025-06-01
feed = $BASE/feeds/world.rss
feed = $BASE/feeds/atom.xml
feed = $BASE/feeds/rdf.xml
feed = $BASE/feeds/bad.xml
feed = $BASE/status/500
feed = $BASE/feeds/missing.xml
feed = $BASE/slow 60
feed = $BASE/feeds/big.xml
dir = $T/in 0.5
EOF
$P run --config $T/run.conf 2>$T/run1.err &
RUN=$!

# 3. every item of the good feeds, the link-only one through its article page
docs() { [ "$(q 'SELECT count(*) FROM documents')" -ge "$1" ]; }
wait_for docs 7 || fail "the 7 feed items were not stored: $(q 'SELECT doc_id FROM documents')"
[ "$(q "SELECT count(*) FROM documents WHERE doc_id IN ('wire-1','wire-2','$BASE/articles/a1.html','urn:parley:test:atom:1','urn:parley:test:atom:2','urn:parley:test:atom:3','http://example.invalid/rdf/1')")" = 7 ] ||
  fail "wrong documents: $(q 'SELECT doc_id FROM documents')"
grep -q "GET /articles/a1.html 200" $T/access.log || fail "the article page was not fetched"
q "SELECT text FROM sentences" > $T/sentences
grep -q "Kenya and Ethiopia held talks" $T/sentences || fail "article paragraph not coded: $(cat $T/sentences)"
if grep -qi "copyright\|related\|site header\|document.write" $T/sentences; then fail "page furniture was coded: $(cat $T/sentences)"; fi
[ "$(q "SELECT date FROM documents WHERE doc_id='wire-1'")" = 20250603 ] || fail "RSS pubDate not used"
echo "feeds: 7 items stored, article page reduced to its paragraphs"

# 4. the per-source error log says what failed and why; the run went on
logged() { grep -q "$1" $T/errors.log; }
wait_for logged "feeds/bad.xml.*bad.xml:6: XML parse error" || fail "bad XML not logged with its line"
wait_for logged "status/500	HTTP 500" || fail "HTTP 500 not logged"
wait_for logged "missing.xml	HTTP 404" || fail "HTTP 404 not logged"
wait_for logged "/slow	timeout after 2 s" || fail "timeout not logged"
wait_for logged "big.xml	response over the size limit (200000 bytes)" || fail "size limit not logged"
echo "error log: $(cut -f2- $T/errors.log | sort -u | tr '\n' ';')"

# 5. conditional GET: an unchanged feed is answered 304 and not parsed again
wait_for grep -q "GET /feeds/atom.xml 304" $T/access.log || fail "no conditional GET (304)"

# 6. metrics in Prometheus text
curl -sf http://127.0.0.1:$MP/api/metrics > $T/metrics || fail "no /api/metrics"
grep -q '^parley_documents_total 7$' $T/metrics || fail "metrics: $(grep documents_total $T/metrics)"
grep -q "^parley_source_errors_total{source=\"$BASE/status/500\"} [1-9]" $T/metrics || fail "metrics: no per-source errors"
grep -q '^# TYPE parley_backlog_documents gauge' $T/metrics || fail "metrics: no backlog gauge"
[ "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$MP/nothing)" = 404 ] || fail "metrics: other paths must be 404"

# 7. a new item is picked up by the next poll of its feed
mark=$(wc -l < $T/access.log)
sed -i "s#<item>#<item><title>New</title><link>http://example.invalid/stories/3</link><guid>wire-3</guid><description>Egypt and Jordan signed an agreement on trade.</description></item>\n  <item>#" $T/www/feeds/world.rss
has_doc() { [ "$(q "SELECT count(*) FROM documents WHERE doc_id='$1'")" = 1 ]; }
wait_for has_doc wire-3 || fail "new item not picked up"
first=$(tail -n +$((mark + 1)) $T/access.log | grep "GET /feeds/world.rss" | head -1)
[ "$first" = "GET /feeds/world.rss 200" ] || fail "the first poll after the change was '$first'"
echo "new item: stored after the first poll of the changed feed"
# a failing feed backs off; a healthy one on the same interval does not
asked() { [ "$(grep -c "GET /feeds/atom.xml " $T/access.log)" -ge 10 ]; }
wait_for asked || fail "atom.xml not polled 10 times"
c500=$(grep -c "GET /status/500 " $T/access.log); cok=$(grep -c "GET /feeds/atom.xml " $T/access.log)
[ $((c500 * 2)) -le $cok ] || fail "no backoff: /status/500 asked $c500 times, atom.xml $cok times"
echo "backoff: the failing feed asked $c500 times while a healthy one was asked $cok times"

# 8. a watched directory; kill -9 in the middle, restart: nothing lost, nothing twice
python3 $HERE/gen_docs.py 1500 11 > $T/gen.jsonl
cp $T/gen.jsonl $T/in/.drop.tmp && mv $T/in/.drop.tmp $T/in/drop1.jsonl
wait_for docs 208 || fail "the directory was not read"
kill -9 $RUN; wait $RUN 2>/dev/null; RUN=""
n1=$(q "SELECT count(*) FROM documents WHERE doc_id LIKE 'gen-%'")
echo "killed -9 with $n1 of 1500 directory documents stored"
# an item added while parley was down comes in after the restart too
sed -i "s#<item>#<item><guid>wire-4</guid><link>http://example.invalid/stories/4</link><description>Iraq rejected a proposal by Iran to hold new talks.</description></item>\n  <item>#" $T/www/feeds/world.rss
mark=$(wc -l < $T/access.log)
$P run --config $T/run.conf 2>$T/run2.err &
RUN=$!
wait_for docs 1509 || fail "after restart: $(q 'SELECT count(*) FROM documents') documents, want 1509"
has_doc wire-4 || fail "item added while down was lost"
# atom.xml's validators survived the crash: the first request is conditional
first=$(tail -n +$((mark + 1)) $T/access.log | grep "GET /feeds/atom.xml" | head -1)
[ "$first" = "GET /feeds/atom.xml 304" ] || fail "ETag not kept across the restart ('$first')"
# the same documents coded by one plain ingest give the same mentions
$P ingest -q --date 2025-06-01 --db $T/ref.db $T/gen.jsonl || fail "reference ingest"
sqlite3 $T/ref.db "SELECT event_id, doc_id, sentence FROM mentions ORDER BY 1,2,3" > $T/ref.m
q "SELECT event_id, doc_id, sentence FROM mentions WHERE doc_id LIKE 'gen-%' ORDER BY 1,2,3" > $T/run.m
cmp -s $T/ref.m $T/run.m || fail "mentions differ from a single ingest ($(wc -l < $T/ref.m) vs $(wc -l < $T/run.m))"
[ "$(q 'SELECT count(*) FROM events e WHERE num_mentions != (SELECT count(*) FROM mentions m WHERE m.event_id = e.event_id)')" = 0 ] ||
  fail "event counts do not match their mentions"
echo "restart after kill -9: 1500 directory documents once each, $(wc -l < $T/run.m) mentions equal to a single ingest"

# 9. SIGTERM: the group in flight is committed, exit 0, the rest comes next run
python3 $HERE/gen_docs.py 1000 12 term > $T/term.jsonl
cp $T/term.jsonl $T/in/.drop.tmp && mv $T/in/.drop.tmp $T/in/drop2.jsonl
wait_for docs 1609 || fail "second file not read"
kill -TERM $RUN; wait $RUN; rc=$?; RUN=""
[ $rc -eq 0 ] || fail "exit $rc after SIGTERM"
grep -q "stopped on a signal" $T/run2.err || fail "no shutdown message"
n2=$(q "SELECT count(*) FROM documents WHERE doc_id LIKE 'term-%'")
$P run --config $T/run.conf 2>$T/run3.err &
RUN=$!
wait_for docs 2509 || fail "after SIGTERM and restart: $(q 'SELECT count(*) FROM documents')"
kill -TERM $RUN; wait $RUN; rc=$?; RUN=""
[ $rc -eq 0 ] || fail "exit $rc after the second SIGTERM"
grep -q "^parley run: .* 0 unchanged" $T/run3.err || fail "documents were handed out twice: $(tail -1 $T/run3.err)"
echo "SIGTERM: exit 0 with $n2 of 1000 stored; the restart stored the rest, none twice"

# 10. JSON Lines on standard input: the run ends with its input
printf 'db = %s\nstdin = yes\nstate = %s\n' $T/stdin.db $T/stdin.state > $T/stdin.conf
printf '{"id":"s1","date":"2025-06-03","text":"Israel and Syria held talks in Baku."}\nnot json\n{"id":"s2","date":"2025-06-03","text":"Egypt praised Jordan."}\n' |
  $P run --config $T/stdin.conf 2>$T/run4.err || fail "stdin run exit $?"
[ "$(sqlite3 $T/stdin.db 'SELECT count(*) FROM documents')" = 2 ] || fail "stdin documents"
grep -q "<stdin>:2: not a JSON object" $T/run4.err || fail "bad stdin line not reported with its line"
# a config that is wrong is refused with file:line
printf 'db = x.db\nfeed = ftp://example.invalid/x\nbogus = 1\n' > $T/bad.conf
$P run --config $T/bad.conf 2>$T/bad.err; [ $? -eq 2 ] || fail "bad config accepted"
grep -q "bad.conf:3: unknown key 'bogus'" $T/bad.err || fail "bad config not reported by line"
echo "stdin: 2 documents, the bad line reported; bad configuration refused"
