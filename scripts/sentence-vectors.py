#!/usr/bin/env python3
"""A document's sentences embedded apart (issue #27; BENCHMARKS.md "documents' sentences
embedded apart; a translation table for the words"), from the files scripts/bench-sentence-vectors
writes. Standard library only.

    scripts/sentence-vectors.py split CORPUS.jsonl OUT.jsonl   # one line per sentence, id DOC#N
    scripts/sentence-vectors.py table OUT                      # the table on stdout

The idea: a demand names a problem, and an abstract often states its problem in one sentence
while the rest is method, so a document's best sentence may be nearer the demand than its whole
text. `table` scores each document by cos(demand, whole) + lam * max over its sentences of
cos(demand, sentence), for lam in LAMS (lam = inf: the best sentence alone), and prints nDCG@10
per round over the demands with a useful document in the round's own pool, for that semantic
list alone and fused by ranks with the lexical list (weights 1 and 2, k = 60: the product's
fusion without its third list, so it is compared with lam = 0 in the same form, not with the
product, which is printed beside). Unjudged documents count as not useful; their mean number in
a top 10 is in brackets.
"""
import collections
import importlib.util
import json
import math
import os
import re
import sys

# Runs and nDCG@10 are read as scripts/title-weights.py reads them, grades as
# scripts/demand-titles.py does.
_spec = importlib.util.spec_from_file_location(
    "title_weights", os.path.join(os.path.dirname(os.path.abspath(__file__)), "title-weights.py"))
title_weights = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(title_weights)
titles = title_weights.titles
ndcg = title_weights.ndcg
ROUNDS = ["dev", "blind"] + [f"blind{n}" for n in range(2, 10)]
LAMS = [0.0, 0.25, 0.5, 1.0, 2.0, math.inf]
MIN_SENTENCE = 15  # characters; a shorter piece joins the next


def split(corpus, out):
    n = 0
    with open(corpus, encoding="utf-8") as f, open(out, "w", encoding="utf-8") as w:
        for line in f:
            d = json.loads(line)
            pieces = [p for p in re.split(r"(?<=[。；;！？!?])", d["text"]) if p.strip()]
            sentences, buf = [], ""
            for p in pieces:
                buf += p
                if len(buf) >= MIN_SENTENCE:
                    sentences.append(buf)
                    buf = ""
            if buf:
                if sentences:
                    sentences[-1] += buf
                else:
                    sentences.append(buf)
            for i, s in enumerate(sentences):
                w.write(json.dumps({"id": f"{d['id']}#{i}", "text": s}, ensure_ascii=False) + "\n")
                n += 1
    print(f"{out}: {n} sentences", file=sys.stderr)


def read_run(path):
    """Each query's scores by document."""
    return collections.defaultdict(
        dict, {q: dict(hits) for q, hits in title_weights.run(path).items()})


def order(scores):
    return [d for d, _ in sorted(scores.items(), key=lambda x: -x[1])]


def rrf(lists, weights, k=60.0):
    s = collections.Counter()
    for ranked, w in zip(lists, weights):
        for i, d in enumerate(ranked):
            s[d] += w / (k + i + 1)
    return order(s)


def unjudged(ranked, judged):
    return sum(1 for d in ranked[:10] if d not in judged)


def table(out):
    for c, name in titles.CORPORA.items():
        whole = read_run(f"{out}/{c}-whole.run")
        lexical = read_run(f"{out}/{c}-lexical.run")
        product = read_run(f"{out}/{c}-hybrid.run")
        best = collections.defaultdict(dict)
        for q, hits in read_run(f"{out}/{c}-sentences.run").items():
            for sid, v in hits.items():
                d = sid.split("#")[0]
                best[q][d] = max(v, best[q].get(d, -1.0))
        cols = ["product"] + [f"sem {l}" for l in LAMS] + [f"fused {l}" for l in LAMS]
        print(f"\n{name} | demands | " + " | ".join(cols))
        print("|---" * (len(cols) + 2) + "|")
        means = collections.defaultdict(list)
        for r in ROUNDS:
            own, graded = titles.qrels(r, c)
            useful = [q for q, ds in own.items() if max(ds.values()) >= 1 and q in whole]
            cells = collections.defaultdict(list)
            for q in useful:
                g = graded[q]
                ranked = order(product[q])
                cells["product"].append((ndcg(ranked, g), unjudged(ranked, g)))
                floor = min(best[q].values()) if best[q] else 0.0
                lex = order(lexical[q])
                for l in LAMS:
                    if math.isinf(l):
                        s = {d: best[q].get(d, floor) for d in whole[q]}
                    else:
                        s = {d: v + l * best[q].get(d, floor) for d, v in whole[q].items()}
                    sem = order(s)
                    fused = rrf([lex, sem], [1.0, 2.0])
                    cells[f"sem {l}"].append((ndcg(sem, g), unjudged(sem, g)))
                    cells[f"fused {l}"].append((ndcg(fused, g), unjudged(fused, g)))
            row = []
            for col in cols:
                m, shown = titles.cell(cells[col])
                if r != "dev":
                    means[col].append(m)
                row.append(shown)
            print(f"| {r} | {len(useful)} | " + " | ".join(row) + " |")
        print("| mean of blind rounds | | " + " | ".join(f"{sum(means[c2]) / len(means[c2]):.3f}" for c2 in cols) + " |")


if __name__ == "__main__":
    if sys.argv[1] == "split":
        split(sys.argv[2], sys.argv[3])
    else:
        table(sys.argv[2])
