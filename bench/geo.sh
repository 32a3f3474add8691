#!/bin/sh
# Geolocation benchmark (docs/performance.md): gazetteer load time and average
# place lookup cost (bench/geo_bench.c, each with a baseline from the same
# run), then the coder with and without the gazetteer on the news corpus.
# usage: sh bench/geo.sh [BUILD_DIR] [ROUNDS]
B=${1:-build}; ROUNDS=${2:-20}
SHARED=${SHARED:-../shared}
G=$B/data/gazetteer.bin
[ -f "$G" ] && [ -x "$B/geo_bench" ] || { echo "bench/geo: run make first ($G, $B/geo_bench)"; exit 1; }
T=$(mktemp -d); trap 'rm -rf $T' EXIT
# names: every place written in our test set, and 5,000 names from the table
cut -f6 tests/geo/cases.tsv | grep -v '^#' | grep -o '[A-Z][A-Za-z-]*\( [A-Z][A-Za-z-]*\)*' > $T/names
awk -F'\t' 'NR > 1 && NR % 27 == 0 { print $3 }' $B/data/gazetteer.tsv | head -5000 >> $T/names
$B/geo_bench "$G" $T/names "$ROUNDS"
C=$SHARED/corpora/news21k.jsonl
if [ -f "$C" ]; then
  # CPU seconds (user + system), not wall time: the machine is shared
  for r in 1 2 3 4 5; do
    /usr/bin/time -f "%U %S" -a -o $T/off $B/parley code -q --no-geo "$C" > /dev/null
    /usr/bin/time -f "%U %S" -a -o $T/on $B/parley code -q "$C" > $T/events
  done
  off=$(awk '{print $1 + $2}' $T/off | sort -n | sed -n 3p); on=$(awk '{print $1 + $2}' $T/on | sort -n | sed -n 3p)
  located=$(grep -c '"basis":"sentence"\|"basis":"dateline"' $T/events)
  all=$(grep -c . $T/events)
  awk -v a="$off" -v b="$on" -v l="$located" -v n="$all" 'BEGIN{
    printf "coder on news21k (median of 5, CPU s): without gazetteer %.2f, with %.2f, ratio %.3f\n", a, b, b / a;
    printf "events located from the text or dateline: %d of %d (the rest: actor-country guesses or none)\n", l, n }'
fi
