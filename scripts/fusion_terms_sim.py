#!/usr/bin/env python3
"""How far score fusion of a term-list query can go, from two ranked runs.

Replays `fuse::combine` (lexical score over the best, plus a weight times the cosine rescaled
over the nearest k, ties to the lexical rank) offline, and variants of it: other weights,
other k, lexical min-max instead of over-the-best, the cosine as a z-score or as
exp((c - best) / 0.02). Input: the `--run` files of `qiao bench retrieval --ranker lexical`
and `--ranker semantic` (TSV query id, rank, document id, score; `--depth 200`) and the
qrels. nDCG@10 with gain = grade, as crates/qiao-search/src/eval.rs computes it.

  qiao bench retrieval --ranker lexical  ... --depth 200 --run lex.tsv
  qiao bench retrieval --ranker semantic ... --depth 200 --run sem.tsv
  scripts/fusion_terms_sim.py lex.tsv sem.tsv qrels.tsv [more qrels ...]
"""

import collections
import math
import sys


def load_run(path):
    run = collections.defaultdict(list)
    for line in open(path, encoding="utf-8"):
        q, _rank, d, s = line.rstrip("\n").split("\t")
        run[q].append((d, float(s)))
    return run


def load_qrels(paths):
    grades = collections.defaultdict(dict)
    for path in paths:
        for line in open(path, encoding="utf-8"):
            parts = line.split()
            if len(parts) >= 3 and parts[2].lstrip("-").isdigit():
                grades[parts[0]][parts[1]] = int(parts[2])
    return grades


def ndcg10(ranked, grades):
    dcg = sum(grades.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:10]))
    ideal = sorted(grades.values(), reverse=True)[:10]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def fuse(lexical, semantic, weight, lexnorm="best", semnorm="minmax", k=200):
    out = collections.defaultdict(float)
    semantic = semantic[:k]
    if lexical:
        best, low = max(lexical[0][1], 1e-9), lexical[-1][1]
        for d, s in lexical:
            if lexnorm == "best":
                out[d] += max(s / best, 0.0)
            else:
                out[d] += (s - low) / (best - low) if best > low else 1.0
    if semantic:
        cos = [c for _, c in semantic]
        top, bottom = cos[0], cos[-1]
        mean = sum(cos) / len(cos)
        sd = (sum((c - mean) ** 2 for c in cos) / len(cos)) ** 0.5 or 1.0
        for d, c in semantic:
            if semnorm == "minmax":
                part = (c - bottom) / (top - bottom) if top - bottom > 1e-6 else 1.0
            elif semnorm == "z":
                part = (c - mean) / sd
            else:
                part = math.exp((c - top) / 0.02)
            out[d] += weight * part
    rank = {d: i for i, (d, _) in enumerate(lexical)}
    return sorted(out, key=lambda d: (-out[d], rank.get(d, 1 << 30), d))


def main():
    lexical, semantic = load_run(sys.argv[1]), load_run(sys.argv[2])
    qrels = load_qrels(sys.argv[3:])
    queries = [q for q in qrels if any(g > 0 for g in qrels[q].values())]

    def score(**kw):
        total = sum(ndcg10(fuse(lexical.get(q, []), semantic.get(q, []), **kw), qrels[q])
                    for q in queries)
        return total / len(queries)

    print(f"{len(queries)} queries; lexical alone {score(weight=0.0):.4f}")
    variants = [("best", "minmax", k) for k in (50, 100, 200)] + [("minmax", "minmax", 200),
                                                                    ("best", "z", 200),
                                                                    ("best", "exp", 200)]
    for lexnorm, semnorm, k in variants:
        weights = (0.1, 0.2, 0.3, 0.5) if semnorm == "z" else (0.3, 0.5, 0.7, 1.0, 1.5)
        row = " ".join(f"w={w}: {score(weight=w, lexnorm=lexnorm, semnorm=semnorm, k=k):.4f}"
                       for w in weights)
        print(f"lexical {lexnorm}, cosine {semnorm} over {k}: {row}")


if __name__ == "__main__":
    main()
