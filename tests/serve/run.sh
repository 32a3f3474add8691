#!/bin/sh
# API tests: every endpoint, the limits, traversal attempts, XSS payloads,
# read-only and token rules.  Starts its own server on a loopback port.
# usage: sh tests/serve/run.sh BUILD
B=${1:-build}
P=$B/parley
T=$(mktemp -d)
PORT=$((20000 + $$ % 20000))
URL=http://127.0.0.1:$PORT
fail=0
trap 'kill $SRV $SRV2 2>/dev/null; rm -rf $T' EXIT
DICT="--no-defaults --verbs tests/spec/middle-earth.verbs --actors tests/spec/middle-earth.actors --agents tests/spec/middle-earth.agents"
$P ingest -q --db $T/s.db $DICT tests/store/dedupe.jsonl
printf '{"id":"XSS-1","date":"3019-03-12","source":"<b>Evil</b>","text":"Mordor attacked Gondor <script>alert(1)</script> at night."}\n' > $T/xss.jsonl
$P ingest -q --db $T/s.db $DICT $T/xss.jsonl
$P serve -q --db $T/s.db --port $PORT $DICT --max-body 4096 > $T/log 2>&1 &
SRV=$!
i=0; while ! curl -s $URL/api/health >/dev/null 2>&1; do i=$((i+1)); [ $i -gt 50 ] && { echo "server did not start"; cat $T/log; exit 1; }; sleep 0.1; done
ok() { echo "ok   $1"; }
no() { echo "FAIL $1"; fail=1; }
# status code of a request
code() { curl -s -o $T/body -w "%{http_code}" "$@"; }
expect() { # name status curl-args...
  n=$1; want=$2; shift 2
  got=$(code "$@")
  [ "$got" = "$want" ] && ok "$n ($got)" || { no "$n: want $want got $got: $(head -c 200 $T/body)"; }
}
has() { grep -q -- "$1" $T/body && ok "$2" || no "$2: $(head -c 300 $T/body)"; }
hasnt() { grep -q -- "$1" $T/body && no "$2: $(head -c 300 $T/body)" || ok "$2"; }

expect "health" 200 $URL/api/health; has '"events":' "health counts"
expect "openapi" 200 $URL/api/openapi.json; has '"openapi":"3.0.3"' "openapi document"
python3 -c "import json,sys; json.load(open('$T/body'))" && ok "openapi is JSON" || no "openapi is not JSON"
expect "events" 200 "$URL/api/events"; has '"events":\[' "events list"
expect "events by dyad" 200 "$URL/api/events?a=MOR&b=GON"; has '"num_articles":3' "dyad event with its article count"
expect "events by actor+root+quad+dates" 200 "$URL/api/events?actor=MOR&root=19&quad=4&from=3019-03-01&to=3019-03-31"
has '"cameo":"190"' "filters keep the attack"
expect "events paging" 200 "$URL/api/events?limit=1&offset=0"; has '"next_offset":1' "next page offered"
expect "events full-text" 200 "$URL/api/events?q=dusk"; has '"count":1' "full-text finds the sentence"
expect "bad date" 400 "$URL/api/events?from=yesterday"
expect "bad limit" 400 "$URL/api/events?limit=100000"
expect "half a dyad" 400 "$URL/api/events?a=ISR"
expect "bad search" 400 "$URL/api/events?q=%22unbalanced"
id=$(curl -s "$URL/api/events?a=MOR&b=GON&root=19" | python3 -c "import json,sys; print(json.load(sys.stdin)['events'][0]['id'])")
expect "one event" 200 "$URL/api/events/$id"; has '"mentions":\[' "event mentions"; has '"why":\[' "event why"
expect "no such event" 404 "$URL/api/events/12345"
expect "event id not a number" 400 "$URL/api/events/abc"
expect "dyads" 200 "$URL/api/dyads"; has '"a":"GON","b":"MOR"' "top dyad"
expect "trend" 200 "$URL/api/trend?a=MOR&b=GON&by=day"; has '"period":"3019-03-10"' "trend series"
expect "trend needs a and b" 400 "$URL/api/trend?a=MOR"
expect "trend bad by" 400 "$URL/api/trend?a=MOR&b=GON&by=year"
expect "alerts" 200 "$URL/api/alerts?by=day&min_events=1"; has '"alerts":\[' "alerts list"
expect "code text" 200 -X POST --data 'Arnor praised Gondor.' "$URL/api/code?date=3019-03-01"; has '"cameo":"051"' "live coding"
[ -f $B/data/gazetteer.bin ] && { expect "code with a place" 200 -X POST --data 'Mordor attacked Gondor near Quneitra.' "$URL/api/code?date=3019-03-01"; has '"place":{"level":"city","basis":"sentence","written":"Quneitra"' "live coding locates the event"; }
expect "code JSON" 200 -X POST -H 'Content-Type: application/json' --data '{"text":"Mordor attacked Gondor.","date":"3019-03-01"}' "$URL/api/code"
has '"cameo":"190"' "live coding from JSON"
expect "code bad JSON" 400 -X POST --data '{"nottext":1}' "$URL/api/code"
head -c 10000 /dev/zero | tr '\0' 'a' > $T/big
expect "body limit" 413 -X POST --data-binary @$T/big "$URL/api/code"
expect "code needs POST" 405 "$URL/api/code"
expect "read-only" 403 -X POST --data '{}' "$URL/api/ingest"
expect "unknown endpoint" 404 "$URL/api/nope"
expect "method" 405 -X DELETE "$URL/api/events"
# traversal attempts never reach the file system outside the dashboard folder
for u in "/../etc/passwd" "/%2e%2e/%2e%2e/etc/passwd" "/..%2f..%2fetc/passwd" "/.hidden" "//etc/passwd" "/a/../../etc/passwd"; do
  got=$(code --path-as-is "$URL$u"); [ "$got" = 404 ] && ok "traversal $u" || no "traversal $u gave $got"
done
# XSS: stored text comes back escaped, never as markup
curl -s "$URL/api/events?q=alert" > $T/body
hasnt '<script>' "no raw <script> in JSON"; has '\\u003cscript\\u003e' "script tag escaped"
curl -s "$URL/api/events/$(curl -s "$URL/api/events?q=alert" | python3 -c "import json,sys; print(json.load(sys.stdin)['events'][0]['id'])")" > $T/body
hasnt '<b>' "publisher markup escaped"
# CORS is off unless configured
curl -s -D $T/h -o /dev/null "$URL/api/health"; grep -qi "access-control-allow-origin" $T/h && no "CORS header without --cors" || ok "no CORS by default"
grep -qi "x-content-type-options: nosniff" $T/h && ok "nosniff" || no "nosniff missing"
kill $SRV; wait $SRV 2>/dev/null
# write mode: token required
$P serve -q --db $T/s.db --port $PORT $DICT --allow-write --token 0123456789abcdef0123 --cors https://example.org > $T/log2 2>&1 &
SRV2=$!
i=0; while ! curl -s $URL/api/health >/dev/null 2>&1; do i=$((i+1)); [ $i -gt 50 ] && break; sleep 0.1; done
expect "ingest without token" 401 -X POST --data '{}' "$URL/api/ingest"
expect "ingest with wrong token" 401 -X POST -H "Authorization: Bearer wrongwrongwrongwrong" --data '{}' "$URL/api/ingest"
printf '{"id":"W-1","date":"3019-04-01","source":"Bree Crier","text":"Dale praised Bree."}\n' > $T/w.jsonl
expect "ingest with token" 200 -X POST -H "Authorization: Bearer 0123456789abcdef0123" --data-binary @$T/w.jsonl "$URL/api/ingest"
has '"documents":1' "ingested one document"
curl -s -D $T/h -o /dev/null "$URL/api/health"; grep -qi "access-control-allow-origin: https://example.org" $T/h && ok "CORS when configured" || no "CORS header missing"
kill $SRV2; wait $SRV2 2>/dev/null
$P serve -q --db $T/s.db --port $PORT --allow-write --token short >/dev/null 2>&1; [ $? = 2 ] && ok "short token refused" || no "short token accepted"
[ $fail = 0 ] && echo "serve ok" || { echo "serve FAILED"; exit 1; }
