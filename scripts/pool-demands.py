#!/usr/bin/env python3
"""Pools candidates of a demand set for blind judging (issue #27's demand sets).

For every demand, the union of the top DEPTH documents of each given ranking (TSV runs as
`qiao bench retrieval --run` writes them: query id, rank, document id, ...) and of bm25s over
jieba tokens (a ranker that is not Qiao's, so the pool does not lean on Qiao alone). The judge
files list each demand's candidates in corpus-id order, never saying which ranker brought
which document or at what rank, so grades are blind to the systems.

  scripts/pool-demands.py --corpus ../shared/data/csl/corpus.jsonl \
      --queries bench/demands_blind/queries_csl.jsonl \
      --run target/pool/csl-hybrid.tsv --run target/pool/csl-lexical.tsv ... \
      --pool bench/demands_blind/pool_csl.tsv --judge-dir target/pool/judge-csl --chunks 2

Needs bm25s and jieba (scripts/bench-retrieval's venv has them).
"""

import argparse
import json
import re
import unicodedata
from collections import defaultdict
from pathlib import Path


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def top_of_run(path, depth):
    top = defaultdict(list)
    with open(path, encoding="utf-8") as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 3 or not cols[1].isdigit():
                continue
            if int(cols[1]) <= depth:
                top[cols[0]].append(cols[2])
    return top


def bm25s_top(corpus, queries, depth):
    import bm25s
    import jieba

    jieba.setLogLevel(60)
    word = re.compile(r"\w", re.UNICODE)

    def tokens(text):
        text = unicodedata.normalize("NFKC", text).lower()
        return [t for t in jieba.lcut_for_search(text) if word.search(t)]

    retriever = bm25s.BM25()
    retriever.index([tokens(doc_text(d)) for d in corpus], show_progress=False)
    vocab = retriever.vocab_dict
    ids = [d["id"] for d in corpus]
    top = {}
    for q in queries:
        terms = [t for t in tokens(q["text"]) if t in vocab]
        if not terms:
            top[q["id"]] = []
            continue
        docs, _ = retriever.retrieve([terms], k=min(depth, len(ids)), show_progress=False)
        top[q["id"]] = [ids[i] for i in docs[0]]
    return top


def doc_text(d):
    title = d.get("title") or ""
    return f"{title} {d['text']}".strip()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--queries", required=True)
    ap.add_argument("--run", action="append", default=[], help="a ranking to pool (repeatable)")
    ap.add_argument("--depth", type=int, default=10)
    ap.add_argument("--pool", required=True, help="write the pool (TSV query-id, corpus-id)")
    ap.add_argument("--judge-dir", required=True, help="write the judges' files here")
    ap.add_argument("--chunks", type=int, default=1, help="split the demands over this many files")
    a = ap.parse_args()

    corpus = read_jsonl(a.corpus)
    for d in corpus:
        d["id"] = d.get("id", d.get("_id"))
    by_id = {d["id"]: d for d in corpus}
    queries = read_jsonl(a.queries)
    rankings = [top_of_run(p, a.depth) for p in a.run]
    rankings.append(bm25s_top(corpus, queries, a.depth))

    pools = {}
    for q in queries:
        pool = set()
        for r in rankings:
            pool.update(r.get(q["id"], [])[: a.depth])
        pools[q["id"]] = sorted(pool)

    with open(a.pool, "w", encoding="utf-8") as f:
        f.write("query-id\tcorpus-id\n")
        for q in queries:
            for doc in pools[q["id"]]:
                f.write(f"{q['id']}\t{doc}\n")

    out = Path(a.judge_dir)
    out.mkdir(parents=True, exist_ok=True)
    per = -(-len(queries) // a.chunks)
    for c in range(a.chunks):
        part = queries[c * per : (c + 1) * per]
        with open(out / f"judge-{c + 1}.md", "w", encoding="utf-8") as f:
            for q in part:
                f.write(f"# {q['id']}\n\n## Demand\n\n{q['text']}\n\n## Candidates\n\n")
                for doc in pools[q["id"]]:
                    f.write(f"### {doc}\n\n{doc_text(by_id[doc])}\n\n")
    sizes = sorted(len(p) for p in pools.values())
    print(
        f"{len(queries)} demands, {sum(sizes)} candidates, per demand "
        f"min {sizes[0]} median {sizes[len(sizes) // 2]} max {sizes[-1]}"
    )


if __name__ == "__main__":
    main()
