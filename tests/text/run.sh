#!/bin/sh
# Text pipeline checks through the CLI: ICU sentence splitting with
# abbreviations, datelines kept out of the actor search, Unicode folding,
# the word-class table, and every CAMEO code the shipped dictionaries can emit is in the ontology.
B=${1:-build}
P=$B/parley
DICT="--no-defaults --verbs tests/spec/middle-earth.verbs --actors tests/spec/middle-earth.actors --agents tests/spec/middle-earth.agents"
fail=0
run() { printf '%s\n' "$1" | $P code -q $DICT --in jsonl | python3 -c "
import json,sys
print(' '.join('%d:%s>%s:%s' % (e['sentence'], e['source'], e['target'], e['cameo']) for e in map(json.loads, sys.stdin)))"; }
check() { got=$(run "$2"); [ "$got" = "$3" ] && echo "ok   $1" || { echo "FAIL $1: want [$3] got [$got]"; fail=1; }; }
check "abbreviations do not end sentences" \
  '{"id":"t1","date":"3019-03-01","text":"Mr. Elessar met envoys of the U.S. in Dale. Gen. Theoden praised Bree. Mordor attacked Gondor."}' \
  '0:GONREB>DAL:040 1:ROHGOV>BRE:051 2:MOR>GON:190'
check "a dateline is not an actor" \
  '{"id":"t2","date":"3019-03-01","text":"MINAS TIRITH, March 3 (Gondor Herald) - Mordor attacked Rohan."}' \
  '0:MOR>ROH:190'
check "a dateline with a double dash, a state abbreviation and an agency" \
  '{"id":"t2b","date":"3019-03-01","text":"BREE, Eriad. (Shire Post) -- Mordor attacked Rohan."}' \
  '0:MOR>ROH:190'
check "an upper-case dateline ended by a colon" \
  '{"id":"t2c","date":"3019-03-01","text":"EDORAS: Mordor attacked Rohan."}' \
  '0:MOR>ROH:190'
check "a mixed-case dateline ended by a double dash" \
  '{"id":"t2d","date":"3019-03-01","text":"Dale -- Mordor attacked Rohan."}' \
  '0:MOR>ROH:190'
check "a mixed-case dateline with a region before a single dash" \
  '{"id":"t2e","date":"3019-03-01","text":"Minas Tirith, Gondor - Mordor attacked Rohan."}' \
  '0:MOR>ROH:190'
check "a name and a single dash inside a headline is not a dateline" \
  '{"id":"t2f","date":"3019-03-01","text":"Arnor - Gondor praised Rohan."}' \
  '0:ARN>ROH:051'
check "diacritics, typographic quotes and dashes" \
  '{"id":"t3","date":"3019-03-01","text":"\u201cMórdor\u201d attacked Góndor \u2014 again."}' \
  '0:MOR>GON:190'
check "paragraph breaks split sentences" \
  '{"id":"t4","date":"3019-03-01","text":"Arnor praised Gondor\n\nMordor attacked Rohan"}' \
  '0:ARN>GON:051 1:MOR>ROH:190'
check "title is sentence 0" \
  '{"id":"t5","date":"3019-03-01","title":"Arnor praised Gondor","text":"Mordor attacked Rohan."}' \
  '0:ARN>GON:051 1:MOR>ROH:190'
check "a question mark glued to the next sentence ends the first (ICU rule SB11)" \
  '{"id":"t6","date":"3019-03-01","text":"Did Mordor attack Gondor?Arnor praised Rohan."}' \
  '0:MOR>GON:190 1:ARN>ROH:051'
check "a line break ends a sentence (ICU's rule; articles come one paragraph per line), with no period in the text" \
  '{"id":"t7","date":"3019-03-01","text":"Arnor praised\nGondor"}' \
  '0:ARN>None:051'
# the splitter's shortcut past ICU gives ICU's spans (generated texts, the news corpus, the gold set)
set -- ; for f in ../shared/corpora/news21k.jsonl ../shared/gold/dev.jsonl; do [ -f "$f" ] && set -- "$@" "$f"; done
if out=$($B/segment_check "$@"); then echo "$out"; else echo "$out" | tail -12; fail=1; fi
# the word-class table (function words the coder and the geolocator test)
if out=$($B/wordclass_check); then echo "ok   word classes: $out"; else echo "$out"; echo "FAIL word classes"; fail=1; fi
# every code in the shipped verb dictionaries is in the CAMEO ontology
python3 - <<'PY' || fail=1
import re, glob, sys
codes = {l.split("\t")[0] for l in open("data/cameo.tsv") if not l.startswith("code\t")}
bad = set()
for f in glob.glob("dict/verbs/*.verbs"):
    for n, line in enumerate(open(f, encoding="utf-8", errors="replace"), 1):
        body = line.split("#", 1)[0]
        for m in re.finditer(r"\[([^\]]*)\]", body):
            for c in re.split(r"[:]", m.group(1).strip().rstrip("?!")):
                if c and c not in ("---", "###", "+++") and c not in codes: bad.add((f, n, c))
for b in sorted(bad)[:20]: print("  %s:%d: code %s not in data/cameo.tsv" % b)
print(("FAIL" if bad else "ok  ") + " every dictionary code is in the CAMEO ontology (%d unknown)" % len(bad))
sys.exit(1 if bad else 0)
PY
[ $fail = 0 ] && echo "text ok" || { echo "text FAILED"; exit 1; }
