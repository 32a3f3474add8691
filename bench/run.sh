#!/bin/sh
# Speed benchmark: parley vs the floor (cat, wc -w) on the same corpus, in one run.
# usage: sh bench/run.sh [BUILD_DIR] [REPEAT]   (REPEAT copies of news21k; default 10)
# Prints sentences/s, the ratio to wc -w, and peak RSS; medians of 3 runs.
B=${1:-build}; REP=${2:-10}
SHARED=${SHARED:-../shared}
C=$SHARED/corpora/news21k.jsonl
D=$SHARED/peers/petrarch2/petrarch2/data/dictionaries
[ -f "$C" ] || { echo "bench: $C not found"; exit 1; }
T=$(mktemp -d)
i=0; while [ $i -lt "$REP" ]; do cat "$C"; i=$((i+1)); done > $T/corpus.jsonl
N=$(wc -l < $T/corpus.jsonl)
med() { sort -n | sed -n 2p; }
tm() { # command... -> seconds (median of 3)
  for r in 1 2 3; do /usr/bin/time -f "%e %M" "$@" > /dev/null 2>> $T/time.$$ ; tail -1 $T/time.$$; done | awk '{print $1}' | med
}
rss() { for r in 1; do /usr/bin/time -f "%M" "$@" >/dev/null 2>$T/rss; tail -1 $T/rss; done; }
cat_s=$(tm cat $T/corpus.jsonl)
wc_s=$(tm wc -w $T/corpus.jsonl)
PHX="--verbs $D/CAMEO.verbpatterns.150430.txt --actors $D/Phoenix.Countries.actors.txt,$D/Phoenix.International.actors.txt,$D/Phoenix.MilNonState.actors.txt --agents $D/Phoenix.agents.txt --discards $D/Phoenix.discards.txt"
ph_s=$(tm $B/parley code -q $PHX $T/corpus.jsonl)
ph_rss=$(rss $B/parley code -q $PHX $T/corpus.jsonl)
load_s=$(echo '{"id":"x","text":"x"}' > $T/one.jsonl; tm $B/parley code -q $PHX $T/one.jsonl)
own_s=$(tm $B/parley code -q $T/corpus.jsonl)
awk -v n=$N -v c=$cat_s -v w=$wc_s -v p=$ph_s -v o=$own_s -v l=$load_s -v r=$ph_rss 'BEGIN{
  printf "corpus: %d sentences (news21k x %d)\n", n, n/21000;
  printf "cat            %7.3f s\n", c;
  printf "wc -w          %7.3f s  %9.0f sentences/s\n", w, n/(w>0?w:0.001);
  printf "parley phoenix %7.3f s  %9.0f sentences/s  %5.1f x wc -w  peak RSS %d MB  load %.3f s\n", p, n/p, p/(w>0?w:0.001), r/1024, l;
  printf "parley shipped %7.3f s  %9.0f sentences/s  %5.1f x wc -w\n", o, n/o, o/(w>0?w:0.001);
}'
rm -rf $T
