#!/usr/bin/env python3
"""The retrieval peers a user might pick instead of Qiao, measured on the same files.

- bm25s over jieba tokens (jieba's search-engine mode `lcut_for_search`, which also emits the
  sub-words of long words and scored best of jieba's modes here; lowercased, punctuation and
  whitespace dropped; bm25s defaults: Lucene BM25, k1=1.5, b=0.75);
- SQLite FTS5 with the trigram tokenizer, queried with an OR of the query's trigrams and
  ranked by FTS5's bm25().

Metrics are computed exactly as `qiao bench retrieval` does (crates/qiao-search/src/eval.rs):
nDCG@10 with gain = grade, MRR@10 over grade >= 1, Recall@100 over the query's top-grade
documents; queries without a relevant document are skipped.

    python3 scripts/bench_peers.py --corpus C.jsonl --queries Q.jsonl --qrels R.tsv [--json]

Needs `bm25s` and `jieba` (scripts/bench-retrieval installs them into a virtualenv).
"""
import argparse
import json
import math
import re
import sqlite3
import sys
import time
import unicodedata


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def read_qrels(path):
    qrels = {}
    with open(path, encoding="utf-8") as f:
        for i, line in enumerate(f):
            cols = line.rstrip("\n").split("\t")
            if not line.strip() or (i == 0 and not cols[2].strip().isdigit()):
                continue
            qrels.setdefault(cols[0], {})[cols[1]] = int(cols[2])
    return qrels


def add_qrels(qrels, extra_paths):
    """Adds the judgements of each file in `extra_paths`; a pair graded twice must agree."""
    for extra in extra_paths:
        for q, docs in read_qrels(extra).items():
            for d, g in docs.items():
                old = qrels.setdefault(q, {}).get(d)
                if old is not None and old != g:
                    sys.exit(f"{extra}: {q} {d} graded {old} in the qrels and {g} here")
                qrels[q][d] = g
    return qrels


def score_query(ranked, judged):
    top = max(judged.values(), default=0)
    if top == 0:
        return None
    grade = lambda d: judged.get(d, 0)
    dcg = lambda gs: sum(g / math.log2(i + 2) for i, g in enumerate(gs[:10]))
    idcg = dcg(sorted(judged.values(), reverse=True))
    ndcg = dcg([grade(d) for d in ranked]) / idcg
    mrr = next((1.0 / (i + 1) for i, d in enumerate(ranked[:10]) if grade(d) >= 1), 0.0)
    wanted = sum(1 for g in judged.values() if g == top)
    found = sum(1 for d in ranked[:100] if grade(d) == top)
    unjudged = sum(1 for d in ranked[:10] if d not in judged)
    return ndcg, mrr, found / wanted, unjudged


def pct(sorted_ms, p):
    return sorted_ms[round((len(sorted_ms) - 1) * p)] if sorted_ms else 0.0


def doc_text(d):
    return (d.get("title", "") + "\n" + d["text"]).strip()


def report(name, corpus, queries, qrels, search, index_s):
    """Runs every judged query (every query when `qrels` is None: latency only)."""
    scores, lat = [], []
    for q in queries:
        if qrels is not None and q["id"] not in qrels:
            continue
        t = time.perf_counter()
        ranked = search(q["text"])
        lat.append((time.perf_counter() - t) * 1000)
        s = score_query(ranked, qrels[q["id"]]) if qrels is not None else None
        if s:
            scores.append(s)
    lat.sort()
    if qrels is None:
        return {"system": name, "docs": len(corpus), "queries": len(lat),
                "p50_ms": pct(lat, 0.5), "p99_ms": pct(lat, 0.99), "index_s": index_s}
    n = max(len(scores), 1)
    return {
        "system": name,
        "docs": len(corpus),
        "queries": len(scores),
        "ndcg@10": sum(s[0] for s in scores) / n,
        "mrr@10": sum(s[1] for s in scores) / n,
        "recall@100": sum(s[2] for s in scores) / n,
        "unjudged@10": sum(s[3] for s in scores) / n,
        "p50_ms": pct(lat, 0.5),
        "p99_ms": pct(lat, 0.99),
        "index_s": index_s,
    }


def bm25s_jieba(corpus, queries, qrels, k=100):
    import bm25s
    import jieba

    jieba.setLogLevel(60)
    word = re.compile(r"\w", re.UNICODE)

    def tokens(text):
        text = unicodedata.normalize("NFKC", text).lower()
        return [t for t in jieba.lcut_for_search(text) if word.search(t)]

    t = time.perf_counter()
    retriever = bm25s.BM25()
    retriever.index([tokens(doc_text(d)) for d in corpus], show_progress=False)
    index_s = time.perf_counter() - t
    vocab = retriever.vocab_dict
    ids = [d["id"] for d in corpus]

    def search(text):
        q = [t for t in tokens(text) if t in vocab]
        if not q:
            return []
        docs, _ = retriever.retrieve([q], k=min(k, len(ids)), show_progress=False)
        return [ids[i] for i in docs[0]]

    return report("bm25s+jieba", corpus, queries, qrels, search, index_s)


def fts5_trigram(corpus, queries, qrels, k=100):
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE docs USING fts5(body, tokenize='trigram')")
    t = time.perf_counter()
    db.executemany("INSERT INTO docs(rowid, body) VALUES (?, ?)",
                   ((i, doc_text(d)) for i, d in enumerate(corpus)))
    db.commit()
    index_s = time.perf_counter() - t
    ids = [d["id"] for d in corpus]
    strip = re.compile(r"[\W_]+", re.UNICODE)

    def search(text):
        text = strip.sub("", unicodedata.normalize("NFKC", text).lower())
        grams = sorted({text[i:i + 3] for i in range(len(text) - 2)})
        if not grams:
            return []
        match = " OR ".join('"' + g.replace('"', '""') + '"' for g in grams)
        rows = db.execute(
            "SELECT rowid FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT ?", (match, k)
        ).fetchall()
        return [ids[r[0]] for r in rows]

    return report("sqlite-fts5-trigram", corpus, queries, qrels, search, index_s)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--queries", required=True)
    ap.add_argument("--qrels", help="judgements; without them only latency is measured")
    ap.add_argument("--qrels-extra", action="append", default=[],
                    help="more judgements added to --qrels (may be repeated)")
    ap.add_argument("--json", action="store_true", help="one JSON object per system")
    ap.add_argument("--only", choices=["bm25s_jieba", "fts5_trigram"], help="run one system")
    ap.add_argument("--k", type=int, default=100,
                    help="how many documents a query retrieves (100 for Recall@100; timing "
                         "against `qiao bench scale`, which keeps 10, uses 10)")
    a = ap.parse_args()
    corpus = read_jsonl(a.corpus)
    for d in corpus:
        d["id"] = d.get("id", d.get("_id"))
    queries = read_jsonl(a.queries)
    for q in queries:
        q["id"] = q.get("id", q.get("_id"))
    qrels = add_qrels(read_qrels(a.qrels), a.qrels_extra) if a.qrels else None
    systems = [bm25s_jieba, fts5_trigram]
    if a.only:
        systems = [s for s in systems if s.__name__ == a.only]
    for run in systems:
        r = run(corpus, queries, qrels, a.k)
        if a.json:
            print(json.dumps(r))
        elif qrels is None:
            print(f"{r['system']:<20} p50 {r['p50_ms']:.2f} ms  p99 {r['p99_ms']:.2f} ms  "
                  f"index {r['index_s']:.2f} s")
        else:
            print(f"{r['system']:<20} nDCG@10 {r['ndcg@10']:.4f}  MRR@10 {r['mrr@10']:.4f}  "
                  f"R@100 {r['recall@100']:.4f}  p50 {r['p50_ms']:.2f} ms  p99 {r['p99_ms']:.2f} ms  "
                  f"index {r['index_s']:.2f} s")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
