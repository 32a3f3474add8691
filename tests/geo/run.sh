#!/bin/sh
# Geolocation (issue #5): the test set's score (floor 90 %), `parley geo`
# answers checked by hand in the issue, the coder without a gazetteer, and
# bad gazetteer input reported, never a crash.
# usage: sh tests/geo/run.sh BUILD_DIR
B=${1:-build}
P=$B/parley
T=${TMPDIR:-/tmp}/parley-geo.$$
mkdir -p "$T"
trap 'rm -rf "$T"' EXIT
fail=0
no() { echo "geo: $*"; fail=1; }
[ -f "$B/data/gazetteer.bin" ] || { echo "geo: $B/data/gazetteer.bin missing (make builds it)"; exit 1; }

python3 tests/geo/score.py "$P" tests/geo/cases.tsv 90 || fail=1

# the issue's own checks
$P geo Quneitra > "$T/q.json" && python3 - "$T/q.json" <<'PY' || no "parley geo Quneitra is not the Syrian town"
import json, sys
c = json.load(open(sys.argv[1]))[0]
print("geo Quneitra:", c["name"], c["country"], c["lat"], c["lon"])
sys.exit(not (c["country"] == "SYR" and abs(c["lat"] - 33.1) < 0.2 and abs(c["lon"] - 35.8) < 0.2))
PY
$P geo Kiev > "$T/k.json" && python3 - "$T/k.json" <<'PY' || no "parley geo Kiev is not Kyiv"
import json, sys
c = json.load(open(sys.argv[1]))[0]
print("geo Kiev:", c["name"], c["country"])
sys.exit(not (c["name"] == "Kyiv" and c["country"] == "UKR"))
PY
$P geo Tripoli --country LBN | grep -q '^\[{"name":"Tripoli","level":"city","lat":34\.' || no "--country LBN does not choose Tripoli, Lebanon"
$P geo Xqzwv > "$T/none.json"; [ $? -eq 1 ] && [ "$(cat "$T/none.json")" = "[]" ] || no "an unknown name is not an empty list with exit 1"
$P geo Paris --country ZZZ > /dev/null 2>&1; [ $? -eq 2 ] || no "an unknown --country is not a usage error"

# without a gazetteer the coder still codes, with no place
echo '{"id":"n","date":"2025-06-03","text":"Israeli troops clashed with Syrian soldiers near Quneitra."}' > "$T/one.jsonl"
$P code -q --no-geo "$T/one.jsonl" > "$T/nogeo.out" && grep -q '"place":null' "$T/nogeo.out" || no "--no-geo events should have place null"
$P code -q "$T/one.jsonl" | grep -q '"basis":"sentence"' || no "default run does not locate the event"
grep -q '"place Al Qunay' "$T/nogeo.out" && no "--no-geo event has a place in why"
$P code -q "$T/one.jsonl" | grep -q 'place Al Qunay.*from the sentence' || no "why does not name the place"

# bad gazetteer input: a truncated index is refused, bad table lines are reported
head -c 1000 "$B/data/gazetteer.bin" > "$T/trunc.bin"
$P code --gazetteer "$T/trunc.bin" "$T/one.jsonl" > "$T/t.out" 2> "$T/t.err"
grep -q 'not a parley gazetteer' "$T/t.err" && grep -q '"place":null' "$T/t.out" || no "a truncated gazetteer is not refused with a message"
printf '# kind\tid\nC\t0\tSyria\t35\t38\tSY\tSYR\t\t\t0\t\nP\t1\tnowhere\t99\t0\tSY\tSYR\t\t\t0\t\nX\tbad\nP\t2\tQuneitra\t33.1\t35.8\tSY\tSYR\t03\t\t100\tKuneitra\tPPLA\n' > "$T/small.tsv"
$P geo --build "$T/small.tsv" "$T/small.bin" 2> "$T/b.err"; rc=$?
[ $rc -eq 1 ] && grep -q 'small.tsv:3: latitude' "$T/b.err" && grep -q 'small.tsv:4: expected 11' "$T/b.err" || { cat "$T/b.err"; no "bad table lines are not reported (exit $rc)"; }
$P geo --gazetteer "$T/small.bin" Kuneitra | grep -q '"name":"Quneitra"' || no "a small gazetteer built from a table does not answer"
[ $fail -eq 0 ]
