#!/bin/sh
# parley speed benchmark (docs/performance.md).  One run measures, on the same
# generated corpus: the floor (cat, wc -w), parley with the Phoenix
# dictionaries (-j 1 and -j 2), parley with its shipped dictionaries, ingest
# into SQLite, dictionary load time and peak RSS.  Medians of RUNS runs.
# usage: sh bench/run.sh [BUILD_DIR] [REPEAT] [RUNS]
#   REPEAT: copies of news21k.jsonl (default 16: 336,000 sentences, ~55 MB)
#   BENCH_SMOKE=1: 1 copy, 1 run (CI)
B=${1:-build}; REP=${2:-16}; RUNS=${3:-3}
[ -n "$BENCH_SMOKE" ] && { REP=1; RUNS=1; }
SHARED=${SHARED:-../shared}
C=$SHARED/corpora/news21k.jsonl
D=$SHARED/peers/petrarch2/petrarch2/data/dictionaries
[ -f "$C" ] || { echo "bench: $C not found (run from the project root beside ../shared)"; exit 1; }
T=$(mktemp -d); trap 'rm -rf $T' EXIT
i=0; while [ $i -lt "$REP" ]; do cat "$C"; i=$((i+1)); done > $T/corpus.jsonl
N=$(wc -l < $T/corpus.jsonl); MB=$(( $(wc -c < $T/corpus.jsonl) / 1048576 ))
echo '{"id":"x","text":"x"}' > $T/one.jsonl
PHX="--no-defaults --verbs $D/CAMEO.verbpatterns.150430.txt --actors $D/Phoenix.Countries.actors.txt,$D/Phoenix.International.actors.txt,$D/Phoenix.MilNonState.actors.txt --agents $D/Phoenix.agents.txt --discards $D/Phoenix.discards.txt"
# median wall time and max RSS (KB) of a command over RUNS runs
measure() {
  : > $T/times
  r=0; while [ $r -lt "$RUNS" ]; do
    /usr/bin/time -f "%e %M" -o $T/t1 "$@" > /dev/null 2>/dev/null
    tail -1 $T/t1 >> $T/times; r=$((r+1))
  done
  sort -n $T/times | awk -v n="$RUNS" 'NR==int((n+1)/2){t=$1} {if($2>m)m=$2} END{printf "%s %s\n", t, m}'
}
set -- $(measure cat $T/corpus.jsonl); cat_s=$1
set -- $(measure wc -w $T/corpus.jsonl); wc_s=$1
# dictionary load: from text (--no-dict-cache), then warm from the compiled
# cache (primed once); every run below uses the warm cache, as users do
export PARLEY_CACHE_DIR=$T/cache
set -- $(measure $B/parley code -q --no-dict-cache $PHX $T/one.jsonl); cold_s=$1
set -- $(measure $B/parley code -q --no-dict-cache $T/one.jsonl); own_cold=$1
$B/parley code -q $PHX $T/one.jsonl > /dev/null 2>&1; $B/parley code -q $T/one.jsonl > /dev/null 2>&1
set -- $(measure $B/parley code -q $PHX $T/one.jsonl); load_s=$1; load_rss=$2
set -- $(measure $B/parley code -q $PHX $T/corpus.jsonl); p1=$1; p1_rss=$2
set -- $(measure $B/parley code -q -j 2 $PHX $T/corpus.jsonl); p2=$1
set -- $(measure $B/parley code -q $T/one.jsonl); own_load=$1
set -- $(measure $B/parley code -q $T/corpus.jsonl); own=$1; own_rss=$2
rm -f $T/db*; set -- $(measure sh -c "rm -f $T/db*; $B/parley ingest -q --db $T/db $PHX $T/corpus.jsonl"); ing=$1
awk -v n=$N -v mb=$MB -v c=$cat_s -v w=$wc_s -v l=$load_s -v lr=$load_rss -v p1=$p1 -v r1=$p1_rss -v p2=$p2 \
    -v o=$own -v ol=$own_load -v orss=$own_rss -v ing=$ing -v runs=$RUNS -v cold=$cold_s -v ocold=$own_cold 'BEGIN{
  printf "corpus: %d sentences, %d MB (news21k repeated); median of %d runs\n", n, mb, runs;
  printf "%-34s %8s %12s %10s %8s\n", "", "seconds", "sentences/s", "x wc -w", "RSS MB";
  printf "%-34s %8.2f\n", "cat", c;
  printf "%-34s %8.2f %12.0f %10.1f\n", "wc -w", w, n/(w>0?w:0.01), 1;
  printf "%-34s %8.2f %12.0f %10.1f %8.1f\n", "parley code, Phoenix, -j 1", p1, n/(p1-l), p1/(w>0?w:0.01), r1/1024;
  printf "%-34s %8.2f %12.0f %10.1f\n", "parley code, Phoenix, -j 2", p2, n/(p2-l), p2/(w>0?w:0.01);
  printf "%-34s %8.2f %12.0f %10.1f %8.1f\n", "parley code, shipped dictionaries", o, n/(o-ol), o/(w>0?w:0.01), orss/1024;
  printf "%-34s %8.2f %12.0f %10.1f\n", "parley ingest (SQLite), Phoenix", ing, n/(ing-l), ing/(w>0?w:0.01);
  printf "load (process start to exit, one-line input): Phoenix text %.3f s, compiled %.3f s (%.1f MB RSS); shipped text %.3f s, compiled %.3f s\n", cold, l, lr/1024, ocold, ol;
  printf "ratios: -j 2 / -j 1 speed-up %.2f; ingest time / code time %.2f\n", (p1-l)/(p2-l), ing/p1;
}'
