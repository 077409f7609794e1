#!/usr/bin/env python3
"""Measures the demand sets as search-box titles against the demands themselves (issue #27),
from the files `scripts/bench-demand-titles` writes.

    scripts/demand-titles.py OUT ROUND...          # ROUND: dev, blind, blind2, …

Per round and corpus: nDCG@10 of the titles through the hybrid ranker (product order and fused
order), lexical and semantic alone, beside the long demands in product order, over the demands
with a useful document in the round's own pool (as scripts/blind-round.py counts them), each
with the mean number of unjudged documents in its top 10 (they count as not useful: the titles'
judgements cover the product order's top 10, not every ranker's). Then strength, pooled over
the rounds, for titles and for demands: how many answer-less demands get a strong top hit
(demands_dev's with their judged answers taken out of the corpus; the blind rounds' demands
without a grade-2 document in their qrels or later judgements, as they are), how many strong top
hits were judged useful (grade 1 or 2), and for how many demands with a grade-2 document in the
top 10 the best ranked one is strong. Standard library only.
"""
import collections
import os
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
DATA = os.environ.get("QIAO_SHARED_DATA", os.path.join(ROOT, "..", "shared", "data"))
CORPORA = {"csl": "papers", "kppatent_zh": "patents"}


def read_grades(path, into):
    with open(path, encoding="utf-8") as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) >= 3 and p[2].strip().isdigit():
                into[p[0]][p[1]] = int(p[2])
    return into


def qrels(round_, c):
    """The round's own grades (which decide the demands counted), and those with the later
    judgements of docs/judgements/ (which grade more documents)."""
    own_dir = f"{DATA}/demands_dev" if round_ == "dev" else f"{ROOT}/bench/demands_{round_}"
    own = read_grades(f"{own_dir}/qrels_{c}.tsv", collections.defaultdict(dict))
    graded = collections.defaultdict(dict, {q: dict(ds) for q, ds in own.items()})
    later = f"{ROOT}/docs/judgements/demands_{round_}_{c}.tsv"
    if os.path.exists(later):
        read_grades(later, graded)
    return own, graded


def per_query(path):
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) >= 2 and p[0] != "query-id":
                out[p[0]] = (float(p[1]), float(p[2]) if len(p) > 2 else 0.0)
    return out


def cell(vals):
    """The mean nDCG@10 of (nDCG@10, unjudged in the top 10) pairs, and the table cell that
    shows it with the mean number of unjudged documents: `0.512 (1.3)`."""
    mean = sum(v[0] for v in vals) / len(vals)
    return mean, f"{mean:.3f} ({sum(v[1] for v in vals) / len(vals):.1f})"


def top10(path):
    """Each query's top 10 as (document, strength), best first."""
    ranked = collections.defaultdict(list)
    with open(path, encoding="utf-8") as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) >= 5 and p[1].isdigit() and int(p[1]) <= 10:
                ranked[p[0]].append((int(p[1]), p[2], p[4]))
    return {q: [(d, s) for _, d, s in sorted(h)] for q, h in ranked.items()}


class Tally:
    """Strength's counts for one form of query over some demands."""

    def __init__(self):
        self.answerless = [0, 0]  # top hit strong, demands
        self.useful = [0, 0]  # strong top hits judged useful, strong top hits
        self.answers = [0, 0]  # best grade-2 in the top 10 strong, demands with one

    def add(self, other):
        for a, b in ((self.answerless, other.answerless), (self.useful, other.useful),
                     (self.answers, other.answers)):
            a[0] += b[0]
            a[1] += b[1]


def strength(out, round_, c, form, own, graded):
    t = Tally()
    kept = top10(f"{out}/{round_}_{c}__product-{form}.run")
    answered = {q for q in own if 2 in graded[q].values()}
    if round_ == "dev":
        dropped = top10(f"{out}/{round_}_{c}__dropped-{form}.run")
        lacking = [(q, dropped.get(q, [])) for q in own]
    else:
        lacking = [(q, kept.get(q, [])) for q in own if q not in answered]
    for _, hits in lacking:
        t.answerless[1] += 1
        t.answerless[0] += bool(hits) and hits[0][1] == "strong"
    for q in own:
        hits = kept.get(q, [])
        if hits and hits[0][1] == "strong":
            t.useful[1] += 1
            t.useful[0] += graded[q].get(hits[0][0], 0) >= 1
        best = next((s for d, s in hits if graded[q].get(d) == 2), None)
        if best is not None:
            t.answers[1] += 1
            t.answers[0] += best == "strong"
    return t


def pct(a, n):
    return f"{a}/{n} ({100 * a / n:.0f} %)" if n else "–"


def main():
    out, rounds = sys.argv[1], sys.argv[2:]
    print("nDCG@10 (mean unjudged documents in the top 10)")
    print()
    print("| set | demands with a useful doc | titles: default | titles: fused order | "
          "titles: lexical | titles: semantic | demands: default |")
    print("|---|---|---|---|---|---|---|")
    tallies = {"titles": Tally(), "demands": Tally()}
    means = collections.defaultdict(list)
    for round_ in rounds:
        for c, name in CORPORA.items():
            own, graded = qrels(round_, c)
            useful = [q for q, ds in own.items() if max(ds.values()) >= 1]
            cells = []
            for tag in ["product-titles", "hybrid-titles", "lexical-titles", "semantic-titles",
                        "product-demands"]:
                pq = per_query(f"{out}/{round_}_{c}__{tag}.pq")
                ndcg, shown = cell([pq[q] for q in useful if q in pq])
                means[(name, tag)].append(ndcg)
                cells.append(shown)
            print(f"| {round_} {name} | {len(useful)} | " + " | ".join(cells) + " |")
            for form in tallies:
                tallies[form].add(strength(out, round_, c, form, own, graded))
    for name in CORPORA.values():
        cells = [f"{sum(v) / len(v):.3f}" for tag in ["product-titles", "hybrid-titles",
                 "lexical-titles", "semantic-titles", "product-demands"]
                 for v in [means[(name, tag)]]]
        print(f"| mean, {name} | | " + " | ".join(cells) + " |")
    print()
    print("| form | answer-less: top hit strong | strong top hits judged useful | answers strong |")
    print("|---|---|---|---|")
    for form, t in tallies.items():
        print(f"| {form} | {pct(*t.answerless)} | {pct(*t.useful)} | {pct(*t.answers)} |")


if __name__ == "__main__":
    main()
