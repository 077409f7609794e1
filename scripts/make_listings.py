#!/usr/bin/env python3
"""Synthetic listings for the page benchmark: N achievements made from the demo set's real
achievements (CSL papers and KPPatent-ZH patents, see demo/README.md), numbered so each is
distinct, owned in turn by the demo organisations. Labelled synthetic in their titles.

    python3 scripts/make_listings.py 100000 > target/bench-pages/listings.jsonl
"""
import json
import sys


def main() -> None:
    n = int(sys.argv[1])
    records = [json.loads(line) for line in open("demo/records.jsonl", encoding="utf-8")]
    achievements = [r for r in records if r["kind"] == "achievement"]
    out = sys.stdout
    for i in range(n):
        a = dict(achievements[i % len(achievements)])
        a["title"] = f"{a['title']}（合成 {i + 1}）"
        a.pop("expires_on", None)
        out.write(json.dumps(a, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
