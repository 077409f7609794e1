#!/usr/bin/env python3
"""Traditional-script copies of the shared retrieval corpora and queries, for cross-script runs.

Converts every `text` and `title` of DATA/{csl,kppatent_zh}/corpus.jsonl and of each queries
file (including demands_dev) with OpenCC's `s2twp` (Taiwan standard with Taiwan phrasing:
人工智能→人工智慧, 数据库→資料庫, 软件→軟體), the independent reference implementation from PyPI
(`opencc`), not the converter Qiao uses. Output mirrors the input layout under OUT; qrels are
unchanged (ids are not converted).

    python3 scripts/make_traditional.py ../shared/data target/bench-retrieval/hant
"""
import json
import pathlib
import sys

import opencc


def convert(src, dst, cc):
    dst.parent.mkdir(parents=True, exist_ok=True)
    with open(src, encoding="utf-8") as f, open(dst, "w", encoding="utf-8") as out:
        for line in f:
            if not line.strip():
                continue
            obj = json.loads(line)
            for key in ("text", "title"):
                if isinstance(obj.get(key), str):
                    obj[key] = cc.convert(obj[key])
            out.write(json.dumps(obj, ensure_ascii=False) + "\n")


def main():
    data, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    cc = opencc.OpenCC("s2twp")
    for src in sorted(data.glob("*/*.jsonl")):
        if src.name == "corpus.jsonl" or src.name.startswith("queries"):
            dst = out / src.parent.name / src.name
            if not dst.exists() or dst.stat().st_mtime < src.stat().st_mtime:
                convert(src, dst, cc)
    print(f"traditional copies in {out}")


if __name__ == "__main__":
    main()
