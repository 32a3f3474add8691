#!/usr/bin/env python3
"""Writes N invented news documents (JSON Lines) from our own templates, so
the queue and worker tests have a large corpus without shipping one.
usage: gen_docs.py N [SEED [PREFIX]] > docs.jsonl  (PREFIX: ids, URLs and texts of their own)"""
import json
import random
import sys

n = int(sys.argv[1])
rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 7)
prefix = sys.argv[3] if len(sys.argv) > 3 else "gen"
countries = ["Israel", "Syria", "Egypt", "Jordan", "Turkey", "Iran", "Iraq", "Lebanon", "France", "Germany",
             "Russia", "China", "Japan", "India", "Pakistan", "Brazil", "Nigeria", "Kenya", "Ethiopia", "Sudan"]
templates = [
    "{a} and {b} held talks in {c} on {topic}.",
    "{a} accused {b} of violating the ceasefire.",
    "{a} praised {b} for its role in the negotiations.",
    "The foreign minister of {a} met his counterpart from {b} in {c}.",
    "{a} threatened {b} with sanctions over {topic}.",
    "{a} signed an agreement with {b} on {topic}.",
    "Troops from {a} attacked positions in {b}, officials said.",
    "{a} rejected a proposal by {b} to hold new talks.",
    "{a} called on {b} to release the detained journalists.",
    "{a} and {b} agreed to restore diplomatic relations.",
]
topics = ["water rights", "border security", "trade", "refugees", "energy supplies", "the peace process"]
seen = set()
for i in range(n):
    # every text differs: parley's sources skip repeated content on purpose
    while True:
        a, b, c = rng.sample(countries, 3)
        sents = [rng.choice(templates).format(a=a, b=b, c=c, topic=rng.choice(topics)) for _ in range(rng.randint(2, 5))]
        if " ".join(sents) not in seen:
            break
    seen.add(" ".join(sents))
    if prefix != "gen":
        sents.append("Filed by the %s desk." % prefix)
    day = 1 + i % 28
    month = 1 + (i // 28) % 12
    print(json.dumps({"id": "%s-%05d" % (prefix, i), "date": "2025-%02d-%02d" % (month, day), "source": "wire%d" % (i % 7),
                      "url": "http://news.invalid/%s/%d" % (prefix, i), "text": " ".join(sents)}))
