#!/bin/sh
# Scale-out benchmark: documents/s of one `parley worker` against two over
# the same queue contents (a fresh Redis stream each, a fresh shared store
# each), measured in the same run.  Each worker reports the wall-clock span
# from its first document to its last commit, so dictionary loading and
# the final idle wait are left out; the two-worker rate is all documents
# over the span from the earliest start to the latest finish.
# usage: sh bench/workers.sh [BUILD_DIR] [DOCS] [STORE]     (target: ratio >= 1.6)
#   STORE: "sqlite" (default: a fresh file per round) or "pg" (a throwaway
#   PostgreSQL server from tests/lib/pg.sh, a fresh database per round)
B=${1:-build}
N=${2:-20000}
KIND=${3:-sqlite}
P=$(pwd)/$B/parley
[ -x "$P" ] || { echo "build first: make"; exit 2; }
T=$(mktemp -d /tmp/parley-bench-workers.XXXXXX)
. tests/lib/redis.sh
trap 'redis_stop; [ "$KIND" = pg ] && pg_stop; rm -rf "$T"' EXIT
redis_start $T/redis || exit 1
if [ "$KIND" = pg ]; then
  [ -f tests/lib/pg.sh ] || { echo "tests/lib/pg.sh is missing: PostgreSQL support is not on this branch"; exit 2; }
  . tests/lib/pg.sh
  pg_start || exit 1
fi
store() { if [ "$KIND" = pg ]; then pg_createdb bench$1; else echo $T/store$1.db; fi; }
python3 tests/feeds/gen_docs.py $N 31 > $T/docs.jsonl

# run K: enqueue, start K workers on stream K, wait, print "docs first last"
round() {
  k=$1
  $P enqueue -q --redis $REDIS_URL/bench$k $T/docs.jsonl || exit 1
  db=$(store $k)
  pids=""
  for w in $(seq 1 $k); do
    $P worker -q --redis $REDIS_URL/bench$k --db "$db" --consumer c$w --batch 100 --exit-when-empty 2>$T/w$k.$w.err &
    pids="$pids $!"
  done
  for p in $pids; do wait $p || { cat $T/w$k.*.err; exit 1; }; done
  sed -n 's/^parley worker: timing first=\([0-9.]*\) last=\([0-9.]*\) documents=\([0-9]*\)$/\1 \2 \3/p' $T/w$k.*.err |
    awk '{ if (f == "" || $1 < f) f = $1; if ($2 > l) l = $2; d += $3 } END { printf "%d %.3f\n", d, l - f }'
}
set -- $(round 1); d1=$1; s1=$2
set -- $(round 2); d2=$1; s2=$2
awk -v kind=$KIND -v d1=$d1 -v s1=$s1 -v d2=$d2 -v s2=$s2 -v n=$N 'BEGIN {
  r1 = d1 / s1; r2 = d2 / s2
  printf "documents: %d (generated from tests/feeds/gen_docs.py templates), store: %s\n", n, kind
  printf "1 worker : %6d documents in %6.2f s = %7.1f documents/s\n", d1, s1, r1
  printf "2 workers: %6d documents in %6.2f s = %7.1f documents/s\n", d2, s2, r2
  printf "ratio 2/1: %.2fx (target >= 1.6x)\n", r2 / r1
}'
