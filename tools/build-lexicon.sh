#!/bin/sh
# Builds parley's English lexicon from the WordNet database installed by
# Debian's wordnet-base package: one line per word form,
#   FORM <TAB> LEMMA ("-" if the form is its own lemma) <TAB> parts of speech
# Generated at setup into the build folder; never committed.
# usage: sh tools/build-lexicon.sh OUT [WORDNET_DIR]
out=$1
wn=${2:-/usr/share/wordnet}
if [ ! -f "$wn/index.verb" ]; then
  echo "build-lexicon: WordNet not found in $wn (apt-get install wordnet-base)" >&2
  exit 1
fi
mkdir -p "$(dirname "$out")"
{
  for p in noun verb adj adv; do
    c=$(echo $p | cut -c1); [ $p = adj ] && c=a; [ $p = adv ] && c=r
    awk -v c=$c '!/^ / && $1 !~ /_/ { print toupper($1) "\t-\t" c }' "$wn/index.$p"
    awk -v c=$c '$1 !~ /_/ && $2 !~ /_/ { print toupper($1) "\t" toupper($2) "\t" c }' "$wn/$p.exc"
  done
} | LC_ALL=C sort -u > "$out.tmp" && mv "$out.tmp" "$out"
