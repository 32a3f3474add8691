#!/usr/bin/env python3
"""Scores parley's places against tests/geo/cases.tsv: codes every case as a
document, takes its first event and checks the level, country, basis and
point (within a tolerance that fits the level).  Prints each miss and the
percentage; exits 1 under the floor.
usage: score.py PARLEY CASES [FLOOR_PCT]"""
import json, subprocess, sys

parley, cases_path = sys.argv[1], sys.argv[2]
floor = float(sys.argv[3]) if len(sys.argv) > 3 else 90.0
TOL = {"city": 0.35, "region": 1.0, "adm1": 2.5}
cases, docs = [], []
for n, line in enumerate(open(cases_path, encoding="utf-8"), 1):
    if not line.strip() or line.startswith("#"):
        continue
    f = line.rstrip("\n").split("\t")
    if len(f) != 6:
        sys.exit(f"{cases_path}:{n}: expected 6 tab-separated fields")
    cases.append((n, f))
    docs.append(json.dumps({"id": str(n), "date": "2025-06-03", "text": f[5]}))
out = subprocess.run([parley, "code", "-q"], input="\n".join(docs) + "\n", capture_output=True, text=True)
first = {}
for line in out.stdout.splitlines():
    e = json.loads(line)
    first.setdefault(e["doc_id"], e)
ok = 0
by_level = {}
for n, (level, country, lat, lon, basis, text) in cases:
    e = first.get(str(n))
    p = e and e.get("place")
    why = None
    if not e:
        why = "no event coded"
    elif not p:
        why = "no place"
    elif p["level"] != level or p["country"] != country or p["basis"] != basis:
        why = f"got {p['level']} {p['country']} {p['name']} from the {p['basis']}"
    elif level in TOL and (abs(p["lat"] - float(lat)) > TOL[level] or abs(p["lon"] - float(lon)) > TOL[level]):
        why = f"got {p['name']} at {p['lat']:.2f},{p['lon']:.2f}"
    t = by_level.setdefault(level, [0, 0])
    t[1] += 1
    if why:
        print(f"{cases_path}:{n}: want {level} {country} ({basis}): {why}: {text}")
    else:
        ok += 1
        t[0] += 1
pct = 100.0 * ok / len(cases)
print("by level: " + ", ".join(f"{k} {v[0]}/{v[1]}" for k, v in sorted(by_level.items())))
print(f"geolocation: {ok} of {len(cases)} cases correct ({pct:.1f} %), floor {floor:.0f} %")
sys.exit(0 if pct >= floor else 1)
