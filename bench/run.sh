#!/bin/sh
# parley speed benchmark (docs/performance.md).  One run measures, on the same
# generated corpus: the floor (cat, wc -w), parley with the Phoenix
# dictionaries (-j 1 and -j 2), parley with its shipped dictionaries, ingest
# into SQLite, dictionary load time and peak RSS.  Medians of RUNS rounds;
# wall time, and CPU time for the one-thread runs (steadier on a shared host).
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
# Each round runs every measured command once, in turn, so that a burst of
# load from the machine's neighbours hits one round of all of them rather
# than every run of one; each figure is the median over the rounds.
# Per command: wall seconds, CPU seconds (user + system), max RSS (KB).
run_one() { # name command...
  name=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o $T/t1 "$@" > /dev/null 2>/dev/null
  tail -1 $T/t1 | awk '{printf "%s %.2f %s\n", $1, $2 + $3, $4}' >> $T/times.$name
}
median() { # name -> "wall cpu maxrss"
  for col in 1 2; do sort -n -k$col $T/times.$1 | awk -v n="$RUNS" -v c=$col 'NR==int((n+1)/2){printf "%s ", $c}'; done
  awk '{if($3>m)m=$3} END{print m+0}' $T/times.$1
}
# dictionary load: from text (--no-dict-cache), then warm from the compiled
# cache (primed once); every run below uses the warm cache, as users do
export PARLEY_CACHE_DIR=$T/cache
$B/parley code -q $PHX $T/one.jsonl > /dev/null 2>&1; $B/parley code -q $T/one.jsonl > /dev/null 2>&1
r=0; while [ $r -lt "$RUNS" ]; do
  run_one cat cat $T/corpus.jsonl
  run_one wc wc -w $T/corpus.jsonl
  run_one cold $B/parley code -q --no-dict-cache $PHX $T/one.jsonl
  run_one ocold $B/parley code -q --no-dict-cache $T/one.jsonl
  run_one load $B/parley code -q $PHX $T/one.jsonl
  run_one p1 $B/parley code -q $PHX $T/corpus.jsonl
  run_one p2 $B/parley code -q -j 2 $PHX $T/corpus.jsonl
  run_one oload $B/parley code -q $T/one.jsonl
  run_one own $B/parley code -q $T/corpus.jsonl
  rm -f $T/db*; run_one ing $B/parley ingest -q --db $T/db $PHX $T/corpus.jsonl
  r=$((r+1))
done
set -- $(median cat); cat_s=$1
set -- $(median wc); wc_s=$1; wc_cpu=$2
set -- $(median cold); cold_s=$1
set -- $(median ocold); own_cold=$1
set -- $(median load); load_s=$1; load_cpu=$2; load_rss=$3
set -- $(median p1); p1=$1; p1_cpu=$2; p1_rss=$3
set -- $(median p2); p2=$1
set -- $(median oload); own_load=$1; own_load_cpu=$2
set -- $(median own); own=$1; own_cpu=$2; own_rss=$3
set -- $(median ing); ing=$1
# the fastest round of each (wall): the least disturbed by the neighbours,
# printed beside the medians, never instead of them
fastest() { sort -n -k1 $T/times.$1 | head -1 | cut -d' ' -f1; }
p1_min=$(fastest p1); wc_min=$(fastest wc); load_min=$(fastest load)
# -j 2 against the -j 1 run just before it, round by round: the pair sees
# the same neighbours, so its ratio is steadier than that of the medians
pairs=$(paste -d' ' $T/times.p1 $T/times.p2 | awk -v l=$load_s '{print ($1-l)/($4-l)}' | sort -n |
        awk '{v[NR]=$1} END{printf "%.2f %.2f %.2f", v[int((NR+1)/2)], v[1], v[NR]}')
awk -v n=$N -v mb=$MB -v c=$cat_s -v w=$wc_s -v l=$load_s -v lr=$load_rss -v p1=$p1 -v r1=$p1_rss -v p2=$p2 \
    -v o=$own -v ol=$own_load -v orss=$own_rss -v ing=$ing -v runs=$RUNS -v cold=$cold_s -v ocold=$own_cold \
    -v wcpu=$wc_cpu -v lcpu=$load_cpu -v p1cpu=$p1_cpu -v ocpu=$own_cpu -v olcpu=$own_load_cpu \
    -v p1min=$p1_min -v wcmin=$wc_min -v lmin=$load_min -v pairs="$pairs" 'BEGIN{
  printf "corpus: %d sentences, %d MB (news21k repeated); median of %d runs\n", n, mb, runs;
  printf "%-34s %8s %12s %10s %8s %9s %10s\n", "", "seconds", "sentences/s", "x wc -w", "RSS MB", "CPU s", "CPU x wc";
  printf "%-34s %8.2f\n", "cat", c;
  printf "%-34s %8.2f %12.0f %10.1f %8s %9.2f %10.1f\n", "wc -w", w, n/(w>0?w:0.01), 1, "", wcpu, 1;
  printf "%-34s %8.2f %12.0f %10.1f %8.1f %9.2f %10.1f\n", "parley code, Phoenix, -j 1", p1, n/(p1-l), p1/(w>0?w:0.01), r1/1024, p1cpu, p1cpu/(wcpu>0?wcpu:0.01);
  printf "%-34s %8.2f %12.0f %10.1f\n", "parley code, Phoenix, -j 2", p2, n/(p2-l), p2/(w>0?w:0.01);
  printf "%-34s %8.2f %12.0f %10.1f %8.1f %9.2f %10.1f\n", "parley code, shipped dictionaries", o, n/(o-ol), o/(w>0?w:0.01), orss/1024, ocpu, ocpu/(wcpu>0?wcpu:0.01);
  printf "%-34s %8.2f %12.0f %10.1f\n", "parley ingest (SQLite), Phoenix", ing, n/(ing-l), ing/(w>0?w:0.01);
  printf "load (process start to exit, one-line input): Phoenix text %.3f s, compiled %.3f s (%.1f MB RSS); shipped text %.3f s, compiled %.3f s\n", cold, l, lr/1024, ocold, ol;
  split(pairs, pr, " ");
  printf "ratios: -j 2 / -j 1 speed-up %.2f (round by round: median %.2f, %.2f-%.2f); ingest time / code time %.2f\n", (p1-l)/(p2-l), pr[1], pr[2], pr[3], ing/p1;
  printf "one thread on CPU time: Phoenix %.0f sentences/s, %.1f x wc -w\n", n/(p1cpu-lcpu), p1cpu/(wcpu>0?wcpu:0.01);
  printf "fastest of the %d rounds (wall): Phoenix -j 1 %.0f sentences/s, wc -w %.2f s\n", runs, n/(p1min-lmin>0?p1min-lmin:0.01), wcmin;
}'
