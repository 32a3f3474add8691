#!/bin/sh
# The compiled-dictionary cache (docs/dictionaries.md "Compiled cache"):
# a warm load gives exactly what a cold one does, problems included; an
# edited source, a damaged file and a file from another build are noticed
# and rebuilt; a cache that cannot be written costs nothing but time.
# usage: sh tests/dict/cache.sh [BUILD_DIR]
B=${1:-build}; P=$B/parley
SHARED=${SHARED:-../shared}
T=$(mktemp -d); trap 'rm -rf $T' EXIT
C=$T/cache
fail() { echo "FAIL: $*"; exit 1; }

# Middle-earth dictionaries, with one line that does not parse
cp tests/spec/middle-earth.verbs tests/spec/middle-earth.agents $T/
{ cat tests/spec/middle-earth.actors; printf 'GREY_HAVENS_ [GRY 3019xx01-30200101]\n'; } > $T/me.actors
cat > $T/docs.jsonl <<'J'
{"id":"me-1","date":"3019-03-01","text":"Rohan soldiers attacked Mordor."}
{"id":"me-2","date":"3019-03-01","text":"Arnor praised Gondor on Tuesday."}
{"id":"me-3","date":"3019-03-01","text":"The king of Rohan praised Gondor."}
J
run() { $P code --dict-cache $C --no-defaults --verbs $T/middle-earth.verbs --actors $T/me.actors \
          --agents $T/middle-earth.agents "$@" $T/docs.jsonl; }

run --no-dict-cache > $T/text.out 2> $T/text.err; rc_text=$?
[ -s $T/text.out ] || fail "no events from the text dictionaries"
grep -q "me.actors:[0-9]*: " $T/text.err || fail "the bad actor line was not reported"
[ ! -d $C ] || [ -z "$(ls $C)" ] || fail "--no-dict-cache wrote a cache"

run > $T/cold.out 2> $T/cold.err; rc_cold=$?
f=$(ls $C/dict-*.pdc 2>/dev/null)
[ -n "$f" ] && [ $(echo "$f" | wc -l) -eq 1 ] || fail "the cold run wrote no compiled file: $(ls -la $C)"
ino=$(stat -c %i "$f")
run > $T/warm.out 2> $T/warm.err; rc_warm=$?
[ "$(stat -c %i "$f")" = "$ino" ] || fail "the warm run rebuilt a fresh cache"
cmp -s $T/text.out $T/warm.out || fail "warm events differ from text events: $(diff $T/text.out $T/warm.out | head -5)"
cmp -s $T/text.err $T/warm.err || fail "warm diagnostics differ: $(diff $T/text.err $T/warm.err | head -5)"
[ $rc_text = $rc_cold ] && [ $rc_cold = $rc_warm ] || fail "exit status text $rc_text, cold $rc_cold, warm $rc_warm"
echo "warm load = text load: $(wc -l < $T/warm.out) events, $(grep -c . $T/warm.err) diagnostic lines, exit $rc_warm"

# the same set always compiles to the same bytes (no stray padding)
sum1=$(md5sum < "$f"); rm -f "$f"; run > /dev/null 2>&1
[ "$(md5sum < "$f")" = "$sum1" ] || fail "two compilations of the same set differ"
ino=$(stat -c %i "$f")

# an edited source: Rohan is renamed in the actors file
sed 's/^ROHAN_ \[ROH\]/ROHAN_ [RHN]/' $T/me.actors > $T/x && cat $T/x > $T/me.actors
run > $T/edit.out 2>/dev/null
grep -q '"source":"RHNMIL"' $T/edit.out || fail "the edited actor was not seen: $(head -2 $T/edit.out)"
[ "$(stat -c %i "$f")" != "$ino" ] || fail "the stale cache was not replaced"
run > $T/edit2.out 2>/dev/null
cmp -s $T/edit.out $T/edit2.out || fail "the rebuilt cache differs from the edited text"
echo "edited source: seen and the cache rebuilt"

# damage: truncated, one byte flipped, written by another build (header
# layout word), not a cache at all; each is rebuilt and gives the same events
for how in truncate flip layout garbage empty; do
  case $how in
    truncate) head -c $(( $(stat -c %s "$f") / 2 )) "$f" > $T/x && cat $T/x > "$f" ;;
    flip) printf '\377\377\377\377' | dd of="$f" bs=1 seek=$(( $(stat -c %s "$f") / 3 )) conv=notrunc 2>/dev/null ;;
    layout) printf '\1' | dd of="$f" bs=1 seek=16 conv=notrunc 2>/dev/null ;;
    garbage) head -c 5000 /dev/urandom > "$f" ;;
    empty) : > "$f" ;;
  esac
  run > $T/dmg.out 2>/dev/null; rc=$?
  [ $rc -eq 1 ] || fail "$how: exit $rc"
  cmp -s $T/edit.out $T/dmg.out || fail "$how: events differ"
  run > $T/dmg2.out 2>/dev/null
  cmp -s $T/edit.out $T/dmg2.out || fail "$how: the rebuilt cache gives other events"
done
echo "damaged caches: truncated, flipped, other build, garbage, empty: rebuilt, same events"

# a cache directory that cannot be made: said once, the run is unaffected
$P code --dict-cache /dev/null/cache --no-defaults --verbs $T/middle-earth.verbs --actors $T/me.actors \
   --agents $T/middle-earth.agents $T/docs.jsonl > $T/nodir.out 2> $T/nodir.err
[ $? -eq 1 ] && cmp -s $T/edit.out $T/nodir.out || fail "an unwritable cache directory changed the run"
grep -q "dictionary cache not written" $T/nodir.err || fail "an unwritable --dict-cache was not reported"

# the directory stays bounded: 20 distinct sets leave the 16 most recently used
P2=$T/prune; mkdir -p $P2
for i in $(seq 1 20); do
  cp tests/spec/middle-earth.actors $P2/a$i.actors
  $P code -q --dict-cache $P2/c --no-defaults --verbs $T/middle-earth.verbs --actors $P2/a$i.actors $T/docs.jsonl > /dev/null
  [ $i = 3 ] && touch -d '2000-01-01' $P2/c/*.pdc   # sets 1-3 now look long unused
  [ $i -ge 4 ] && $P code -q --dict-cache $P2/c --no-defaults --verbs $T/middle-earth.verbs --actors $P2/a3.actors $T/docs.jsonl > /dev/null
done
[ $(ls $P2/c | wc -l) -eq 16 ] || fail "cache directory not pruned to 16: $(ls $P2/c | wc -l)"
# set 3, used all along, is still there: coding with it writes nothing
before=$(ls -i $P2/c)
$P code -q --dict-cache $P2/c --no-defaults --verbs $T/middle-earth.verbs --actors $P2/a3.actors $T/docs.jsonl > /dev/null
[ "$(ls -i $P2/c)" = "$before" ] || fail "a set in use was pruned"
echo "cache directory: 20 sets leave 16 files, the one in use kept"

# the shipped dictionaries and the Phoenix set: warm = text on real news
if [ -f "$SHARED/corpora/news21k.jsonl" ]; then
  head -2000 $SHARED/corpora/news21k.jsonl > $T/news.jsonl
  D=$SHARED/peers/petrarch2/petrarch2/data/dictionaries
  for set in shipped phoenix; do
    if [ $set = phoenix ]; then
      [ -d $D ] || continue
      A="--no-defaults --verbs $D/CAMEO.verbpatterns.150430.txt --actors $D/Phoenix.Countries.actors.txt,$D/Phoenix.International.actors.txt,$D/Phoenix.MilNonState.actors.txt --agents $D/Phoenix.agents.txt --discards $D/Phoenix.discards.txt --issues $D/Phoenix.IssueCoding.txt"
    else A=""; fi
    $P code --no-dict-cache $A $T/news.jsonl > $T/n1 2> $T/e1
    $P code --dict-cache $C $A $T/news.jsonl > /dev/null 2>&1
    $P code --dict-cache $C $A $T/news.jsonl > $T/n2 2> $T/e2
    cmp -s $T/n1 $T/n2 && cmp -s $T/e1 $T/e2 || fail "$set: warm load codes news differently"
    echo "$set dictionaries: warm = text on 2,000 news sentences ($(wc -l < $T/n2) events)"
  done
fi
echo "ok"
