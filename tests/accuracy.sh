#!/bin/sh
# Accuracy on real news: ../shared/gold/dev.jsonl (100 sentences with human
# CAMEO roots and country dyads) coded with the shipped dictionaries, scored
# by ../shared/gold/score.py at its three levels (root; root+dyad; code+dyad).
# usage: sh tests/accuracy.sh [BUILD_DIR] [extra parley options...]
B=${1:-build}; shift 2>/dev/null
SHARED=${SHARED:-../shared}
G=$SHARED/gold/dev.jsonl
[ -f "$G" ] || { echo "accuracy: $G not found"; exit 1; }
T=$(mktemp -d); trap 'rm -rf $T' EXIT
# each gold sentence is a document whose id is the sentence id
$B/parley code -q "$@" $G > $T/events.jsonl
python3 $SHARED/gold/score.py $G $T/events.jsonl
