#!/usr/bin/env python3
"""Queries that reach almost no documents, to time what a query costs apart from its postings.

From the synthetic corpus that `qiao bench scale --write-corpus DIR` writes (the one
scripts/bench-scale times against bm25s+jieba), picks jieba words of 3 to 5 Han characters
that occur in 3 to 100 documents (counted as substrings), and writes them as single-word
queries, with a qrels file that judges nothing useful (every query -> document "0"), so that
`qiao bench retrieval` can time them on that corpus. Also writes the corpus's first 1,000
short queries with the same dummy qrels, to time both through one command. Run with the
peers' venv (it has jieba):

  target/peers-venv/bin/python scripts/scale_floor_queries.py target/bench-scale/100k target/bench-floor
  for q in short rare; do
    target/release/qiao bench retrieval --ranker lexical --data-dir target/bench-floor/data \
      --corpus target/bench-scale/100k/corpus.jsonl --queries target/bench-floor/queries_$q.jsonl \
      --qrels target/bench-floor/qrels.tsv --depth 10 --json
  done

Only the latency figures of those runs mean anything (p50_ms, p99_ms).
"""

import json
import os
import random
import re
import sys

import jieba


def main():
    corpus_dir, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    docs = [json.loads(line)["text"] for line in open(f"{corpus_dir}/corpus.jsonl", encoding="utf-8")]
    short = [json.loads(line) for line in open(f"{corpus_dir}/queries_short.jsonl", encoding="utf-8")][:1000]
    rng = random.Random(3)
    words = set()
    for text in rng.sample(docs, 300):
        words.update(w for w in jieba.lcut(text) if re.fullmatch(r"[\u4e00-\u9fff]{3,5}", w))
    everything = "\n".join(docs)
    rare = []
    for w in rng.sample(sorted(words), len(words)):
        if 3 <= everything.count(w) <= 100:
            rare.append(w)
            if len(rare) == 300:
                break
    with open(f"{out}/queries_rare.jsonl", "w", encoding="utf-8") as f:
        for i, w in enumerate(rare):
            f.write(json.dumps({"id": f"rare{i}", "text": w}, ensure_ascii=False) + "\n")
    with open(f"{out}/queries_short.jsonl", "w", encoding="utf-8") as f:
        for q in short:
            f.write(json.dumps({"id": q["id"], "text": q["text"]}, ensure_ascii=False) + "\n")
    with open(f"{out}/qrels.tsv", "w", encoding="utf-8") as f:
        f.write("query-id\tcorpus-id\tscore\n")
        for i in range(len(rare)):
            f.write(f"rare{i}\t0\t1\n")
        for q in short:
            f.write(f"{q['id']}\t0\t1\n")
    print(f"{len(rare)} rare single-word queries, {len(short)} short ones, in {out}")


if __name__ == "__main__":
    main()
