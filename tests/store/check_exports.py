#!/usr/bin/env python3
"""Reads parley's exports back with the published column layouts (an
independent reader: Python's csv module and the headers as the GDELT 2.0,
ICEWS and Phoenix codebooks list them) and checks field counts and values."""
import csv, json, sys

GDELT = ("GlobalEventID Day MonthYear Year FractionDate Actor1Code Actor1Name Actor1CountryCode "
         "Actor1KnownGroupCode Actor1EthnicCode Actor1Religion1Code Actor1Religion2Code Actor1Type1Code "
         "Actor1Type2Code Actor1Type3Code Actor2Code Actor2Name Actor2CountryCode Actor2KnownGroupCode "
         "Actor2EthnicCode Actor2Religion1Code Actor2Religion2Code Actor2Type1Code Actor2Type2Code "
         "Actor2Type3Code IsRootEvent EventCode EventBaseCode EventRootCode QuadClass GoldsteinScale "
         "NumMentions NumSources NumArticles AvgTone Actor1Geo_Type Actor1Geo_FullName Actor1Geo_CountryCode "
         "Actor1Geo_ADM1Code Actor1Geo_ADM2Code Actor1Geo_Lat Actor1Geo_Long Actor1Geo_FeatureID Actor2Geo_Type "
         "Actor2Geo_FullName Actor2Geo_CountryCode Actor2Geo_ADM1Code Actor2Geo_ADM2Code Actor2Geo_Lat "
         "Actor2Geo_Long Actor2Geo_FeatureID ActionGeo_Type ActionGeo_FullName ActionGeo_CountryCode "
         "ActionGeo_ADM1Code ActionGeo_ADM2Code ActionGeo_Lat ActionGeo_Long ActionGeo_FeatureID DATEADDED "
         "SOURCEURL").split()
MENTIONS = ("GlobalEventID EventTimeDate MentionTimeDate MentionType MentionSourceName MentionIdentifier "
            "SentenceID Actor1CharOffset Actor2CharOffset ActionCharOffset InRawText Confidence MentionDocLen "
            "MentionDocTone MentionDocTranslationInfo Extras").split()
ICEWS = ["Event ID", "Event Date", "Source Name", "Source Sectors", "Source Country", "Event Text", "CAMEO Code",
         "Intensity", "Target Name", "Target Sectors", "Target Country", "Story ID", "Sentence Number", "Publisher",
         "City", "District", "Province", "Country", "Latitude", "Longitude"]

def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)

def main(d):
    assert len(GDELT) == 61 and len(MENTIONS) == 16 and len(ICEWS) == 20
    rows = list(csv.reader(open(d + "/gdelt.tsv", newline=""), delimiter="\t", quoting=csv.QUOTE_NONE))
    if not rows: fail("gdelt export is empty")
    for r in rows:
        if len(r) != 61: fail("gdelt row with %d fields" % len(r))
        e = dict(zip(GDELT, r))
        if not e["EventCode"].startswith(e["EventRootCode"]): fail("EventRootCode does not prefix EventCode")
        int(e["NumMentions"]); int(e["NumSources"]); int(e["NumArticles"]); float(e["GoldsteinScale"])
        if e["QuadClass"] not in "1234": fail("QuadClass " + e["QuadClass"])
        if len(e["DATEADDED"]) != 14: fail("DATEADDED not YYYYMMDDHHMMSS")
    attack = [dict(zip(GDELT, r)) for r in rows if r[5] == "MOR" and r[15] == "GON"]
    if len(attack) != 1: fail("want one MOR->GON event, got %d" % len(attack))
    a = attack[0]
    if (int(a["NumArticles"]), int(a["NumSources"])) != (3, 2) or int(a["NumMentions"]) < 3:
        fail("counts %s/%s/%s, want articles 3, sources 2, mentions >= 3" % (a["NumMentions"], a["NumSources"], a["NumArticles"]))
    m = list(csv.reader(open(d + "/mentions.tsv", newline=""), delimiter="\t", quoting=csv.QUOTE_NONE))
    for r in m:
        if len(r) != 16: fail("mentions row with %d fields" % len(r))
    ids = {r[0] for r in rows}
    if not all(r[0] in ids for r in m): fail("mention of an unknown event")
    if not any("ATTRIBUTION" in r[15] for r in m): fail("no attribution recorded")
    with open(d + "/icews.tsv", newline="") as f:
        rd = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        if rd.fieldnames != ICEWS: fail("ICEWS header differs: %s" % rd.fieldnames)
        n = 0
        for r in rd:
            n += 1
            if None in r or len(r) != 20: fail("ICEWS row with extra/missing fields")
            if not r["CAMEO Code"]: fail("ICEWS row without CAMEO code")
        if n != len(rows): fail("ICEWS has %d rows, GDELT %d" % (n, len(rows)))
    with open(d + "/phoenix.csv", newline="") as f:
        rd = csv.DictReader(f)
        for r in rd:
            if len(r) != 26 or None in r: fail("Phoenix row with %d fields" % len(r))
    for line in open(d + "/plover.jsonl"):
        e = json.loads(line)
        for k in ("id", "date", "actor", "event"):
            if k not in e: fail("PLOVER record without " + k)
        if not isinstance(e["actor"], list): fail("PLOVER actor is not a list")
    print("exports ok: %d events, %d mentions" % (len(rows), len(m)))

def geo(d):
    """The places of tests/geo/store.jsonl, read back from each export."""
    rows = [dict(zip(GDELT, r)) for r in csv.reader(open(d + "/gdelt.tsv", newline=""), delimiter="\t", quoting=csv.QUOTE_NONE)]
    def one(pred, what):
        got = [r for r in rows if pred(r)]
        if len(got) < 1: fail("gdelt: no row for " + what)
        return got[0]
    q = one(lambda r: r["Actor1Code"].startswith("ISR") and r["EventRootCode"] == "19", "Quneitra")
    if (q["ActionGeo_Type"], q["ActionGeo_CountryCode"], q["ActionGeo_ADM1Code"], q["ActionGeo_FeatureID"]) != ("4", "SY", "SY03", "173334"):
        fail("gdelt Quneitra ActionGeo %s" % [q[k] for k in GDELT[51:59]])
    if abs(float(q["ActionGeo_Lat"]) - 33.13) > 0.05 or abs(float(q["ActionGeo_Long"]) - 35.82) > 0.05: fail("Quneitra point")
    if not q["ActionGeo_FullName"].endswith(", Syria"): fail("FullName " + q["ActionGeo_FullName"])
    if any(q[k] for k in GDELT[35:51]): fail("actor geo columns should be empty")
    i = one(lambda r: r["Actor1Code"] == "ISR" and r["Actor2Code"] == "IRN", "the actor guess")
    if (i["ActionGeo_Type"], i["ActionGeo_CountryCode"], i["ActionGeo_FullName"]) != ("1", "IR", "Iran"): fail("actor guess %s" % i["ActionGeo_Type"])
    a = one(lambda r: r["Actor1Code"].startswith("RUS"), "Idlib province")
    if a["ActionGeo_Type"] != "5" or a["ActionGeo_ADM1Code"] != "SY12": fail("Idlib province %s %s" % (a["ActionGeo_Type"], a["ActionGeo_ADM1Code"]))
    p = one(lambda r: r["Actor1Code"].startswith("MEX"), "Paris, Texas")
    if p["ActionGeo_Type"] != "3" or p["ActionGeo_ADM1Code"] != "USTX": fail("Paris, Texas %s %s" % (p["ActionGeo_Type"], p["ActionGeo_ADM1Code"]))
    with open(d + "/icews.tsv", newline="") as f:
        ic = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    qi = [r for r in ic if r["Event ID"] == q["GlobalEventID"]][0]
    if (qi["Country"], qi["Province"]) != ("Syria", "Al Qunay\u0163irah") or not qi["City"] or abs(float(qi["Latitude"]) - 33.13) > 0.05:
        fail("ICEWS Quneitra %s" % [qi[k] for k in ICEWS[14:]])
    ii = [r for r in ic if r["Event ID"] == i["GlobalEventID"]][0]
    if ii["City"] or ii["Province"] or ii["Country"] != "Iran": fail("ICEWS actor guess %s" % [ii[k] for k in ICEWS[14:]])
    js = {str(e["event_id"]): e for e in map(json.loads, open(d + "/events.jsonl"))}
    if js[i["GlobalEventID"]]["place"]["basis"] != "actor": fail("jsonl: the actor guess is not labelled")
    if js[q["GlobalEventID"]]["place"]["written"] != "Quneitra": fail("jsonl: place as written")
    print("geo exports ok: GDELT ActionGeo, ICEWS places, jsonl place with basis")

if len(sys.argv) > 2 and sys.argv[2] == "--geo": geo(sys.argv[1])
else: main(sys.argv[1])
