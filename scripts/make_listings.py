#!/usr/bin/env python3
"""Synthetic listings for the page benchmark: N listings of every kind, made from the demo set's
real ones (CSL papers and KPPatent-ZH patents for achievements, the hand-written demands,
challenges, scenarios and resources; see demo/README.md), numbered so each is distinct and
owned by the demo organisation that owns the original. Labelled synthetic in their titles.

The mix follows a district platform's: mostly achievements, then demands, resources,
challenges and scenarios, so every board and detail page is measured at scale.

    python3 scripts/make_listings.py 100000 > target/bench-pages/listings.jsonl
"""
import json
import sys

# Share of each kind in the synthetic set (sums to 1).
MIX = {
    "achievement": 0.70,
    "demand": 0.10,
    "challenge": 0.03,
    "scenario": 0.03,
    "instrument": 0.05,
    "expert": 0.05,
    "institution": 0.04,
}


def main() -> None:
    n = int(sys.argv[1])
    records = [json.loads(line) for line in open("demo/records.jsonl", encoding="utf-8")]
    by_kind = {k: [r for r in records if r["kind"] == k] for k in MIX}
    out = sys.stdout
    made = 0
    for kind, share in MIX.items():
        count = round(n * share) if kind != "institution" else n - made
        originals = by_kind[kind]
        for i in range(count):
            r = dict(originals[i % len(originals)])
            r["title"] = f"{r['title']}（合成 {made + 1}）"
            # Contact details stay with the originals; copies expire with them or never.
            r.pop("expires_on", None)
            out.write(json.dumps(r, ensure_ascii=False) + "\n")
            made += 1


if __name__ == "__main__":
    main()
