#!/usr/bin/env python3
"""Semantic variants for `csl/keywords2`, replayed offline (BENCHMARKS.md, "sentence vectors
for csl/keywords2 — no gain"). None is in the product; this records how the figures were made.

`prepare` writes, from the shared CSL files, the abstracts cut into sentences (ids "DOC#i")
and each query's keywords as queries of their own (ids "QUERY#i"), with qrels that judge none
of them (only the `--run` files of `qiao bench retrieval` are read). `score` reads the runs
and prints: the sentence variants (best sentence, or a mix with the whole abstract's cosine),
the per-keyword variants, each alone and fused with the lexical run by the replays of
scripts/fusion_terms_sim.py; a semantic weight that follows the lexical ranking's confidence;
choosing the top paper by the other ranking's rank; and the per-query oracle of the two.

  d=../shared/data/csl; o=target/kw2-variants; q=target/release/qiao
  scripts/keywords2_semantic_variants.py prepare $d $o
  for r in lexical semantic hybrid; do
    $q bench retrieval --ranker $r --corpus $d/corpus.jsonl --queries $d/queries_keywords2.jsonl \
      --qrels $d/qrels_keywords2.tsv --depth 200 --run $o/$r.tsv --json
  done
  $q bench retrieval --ranker semantic --corpus $o/pieces.jsonl --queries $d/queries_keywords2.jsonl \
    --qrels $o/none_pieces.tsv --depth 600 --run $o/pieces.tsv --json
  $q bench retrieval --ranker semantic --corpus $d/corpus.jsonl --queries $o/keywords.jsonl \
    --qrels $o/none_keywords.tsv --depth 2000 --run $o/keywords.tsv --json
  scripts/keywords2_semantic_variants.py score $d $o
"""

import collections
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fusion_terms_sim as F  # noqa: E402

# A sentence under this many characters is joined to the one before it.
SHORT_PIECE = 15


def prepare(data, out):
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "pieces.jsonl"), "w", encoding="utf-8") as w:
        for line in open(os.path.join(data, "corpus.jsonl"), encoding="utf-8"):
            d = json.loads(line)
            parts = [p for p in re.split(r"(?<=[。；;！？!?])|(?<=\.)(?=[^\d])", d["text"]) if p.strip()]
            pieces = []
            for p in parts:
                if pieces and len(p) < SHORT_PIECE:
                    pieces[-1] += p
                else:
                    pieces.append(p)
            for i, p in enumerate(pieces):
                w.write(json.dumps({"id": f"{d['id']}#{i}", "text": p}, ensure_ascii=False) + "\n")
    queries = [json.loads(l) for l in open(os.path.join(data, "queries_keywords2.jsonl"), encoding="utf-8")]
    with open(os.path.join(out, "keywords.jsonl"), "w", encoding="utf-8") as w:
        for q in queries:
            for i, k in enumerate(q["keywords"]):
                w.write(json.dumps({"id": f"{q['id']}#{i}", "text": k}, ensure_ascii=False) + "\n")
    for name, ids in [("none_pieces.tsv", [q["id"] for q in queries]),
                      ("none_keywords.tsv", [f"{q['id']}#{i}" for q in queries for i in range(len(q["keywords"]))])]:
        with open(os.path.join(out, name), "w", encoding="utf-8") as w:
            w.write("query-id\tcorpus-id\tscore\n")
            w.writelines(f"{i}\tnone\t1\n" for i in ids)


def by_doc(run, doc_of, query_of=lambda q: q):
    """{query: {piece key: {doc: best score}}} from a run over pieces or keyword queries."""
    out = collections.defaultdict(lambda: collections.defaultdict(dict))
    for q, ranked in run.items():
        base, part = query_of(q)
        for d, s in ranked:
            doc = doc_of(d)
            if s > out[base][part].get(doc, float("-inf")):
                out[base][part][doc] = s
    return out


def ranked(scores, n=200):
    return sorted(scores.items(), key=lambda x: -x[1])[:n]


def score(data, out):
    run = lambda name: F.load_run(os.path.join(out, name))  # noqa: E731
    lex, sem, hyb = run("lexical.tsv"), run("semantic.tsv"), run("hybrid.tsv")
    qrels = F.load_qrels([os.path.join(data, "qrels_keywords2.tsv")])
    qs = [q for q in qrels if any(g > 0 for g in qrels[q].values())]
    nd = lambda runs: sum(F.ndcg10([d for d, _ in runs[q]], qrels[q]) for q in qs) / len(qs)  # noqa: E731

    def fused(runs):
        best = {}
        for semnorm, weights in [("minmax", (0.3, 0.5, 0.7, 1.0, 1.5)), ("exp", (0.3, 0.5, 0.7, 1.0, 1.5))]:
            for w in weights:
                v = sum(F.ndcg10(F.fuse(lex[q], runs[q], w, semnorm=semnorm), qrels[q]) for q in qs) / len(qs)
                best[(semnorm, w)] = v
        k = max(best, key=best.get)
        return f"{best[k]:.4f} ({k[0]}, w={k[1]})"

    whole = {q: dict(sem[q]) for q in qs}
    pieces = by_doc(run("pieces.tsv"), lambda d: d.split("#")[0], lambda q: (q, 0))
    keywords = by_doc(run("keywords.tsv"), lambda d: d, lambda q: tuple(q.rsplit("#", 1)))

    def variant(q, parts, mix):
        docs = set(whole[q]).union(*[set(p) for p in parts])
        low_w = min(whole[q].values())
        lows = [min(p.values()) for p in parts]
        out = {}
        for d in docs:
            part = sum(p.get(d, lo) for p, lo in zip(parts, lows)) / len(parts)
            out[d] = mix * whole[q].get(d, low_w) + (1 - mix) * part
        return ranked(out)

    print(f"{len(qs)} queries; lexical {nd(lex):.4f}, semantic {nd(sem):.4f}, hybrid {nd(hyb):.4f}")
    print(f"semantic fused with lexical, best replay: {fused(sem)}")
    for label, source in [("best sentence", pieces), ("keyword mean", keywords)]:
        for mix in (0.0, 0.5, 0.7):
            runs = {q: variant(q, list(source[q].values()), mix) for q in qs}
            print(f"{label}, mix {mix} with the whole: alone {nd(runs):.4f}, fused {fused(runs)}")

    def ratio(q):
        r = lex[q]
        return r[0][1] / r[1][1] if len(r) > 1 and r[1][1] > 0 else 9.0
    grid = {}
    for r in (1.1, 1.2, 1.3, 1.5):
        for confident, flat in ((0.3, 0.7), (0.3, 1.0), (0.5, 1.0), (0.2, 1.0), (0.5, 1.5)):
            grid[(r, confident, flat)] = sum(
                F.ndcg10(F.fuse(lex[q], sem[q], confident if ratio(q) > r else flat), qrels[q])
                for q in qs) / len(qs)
    k = max(grid, key=grid.get)
    print(f"weight by lexical confidence: best {grid[k]:.4f} (top1/top2 over {k[0]}: {k[1]}, else {k[2]})")

    def position(ranking, d):
        return next((i for i, (x, _) in enumerate(ranking) if x == d), 1 << 30)
    picked = {}
    disagree = 0
    for q in qs:
        h = [d for d, _ in hyb[q]]
        l1, s1 = lex[q][0][0], sem[q][0][0]
        if l1 != s1:
            disagree += 1
            pick = s1 if position(lex[q], s1) < position(sem[q], l1) else l1
            h = [pick] + [d for d in h if d != pick]
        picked[q] = [(d, 0.0) for d in h]
    print(f"top paper by the other ranking's rank ({disagree} queries disagree): {nd(picked):.4f}")

    def first(ranking, rel):
        return next((i + 1 for i, (d, _) in enumerate(ranking) if d in rel), 1 << 30)
    oracle = {}
    for q in qs:
        rel = {d for d, g in qrels[q].items() if g > 0}
        oracle[q] = lex[q] if first(lex[q], rel) <= first(sem[q], rel) else sem[q]
    print(f"oracle, the better ranking per query: {nd(oracle):.4f}")


if __name__ == "__main__":
    cmd, data, out = sys.argv[1:4]
    {"prepare": prepare, "score": score}[cmd](data, out)
