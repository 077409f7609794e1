#!/usr/bin/env python3
"""Tables of scripts/bench-title-weights (issue #27; BENCHMARKS.md "search-box titles of the
demand sets", steps 4 and 5). Standard library only.

    scripts/title-weights.py OUT WEIGHT...      # e.g. target/title-weights 0.5 1 2

From OUT/known_C_TASK__{lexical,wW}.run (the known-item tasks) and OUT/ROUND_C__{lexical,wW}.run
(the demand titles): nDCG@10 of each weight on each known-item task, and on the titles the mean
over the 20 sets of the useful demands (the round's own pool) with odd and with even numbers,
graded with the round's qrels and docs/judgements (unjudged documents count as not useful, and
the mean number of them per useful demand's top 10 is printed). Then the same with the first
weight kept wherever the lexical ranking is confident (`fuse::confident`: the best score at
least twice the second) and the other weight elsewhere.
"""
import collections
import importlib.util
import math
import os
import sys

# The rounds' grades are read as scripts/demand-titles.py reads them.
_spec = importlib.util.spec_from_file_location(
    "demand_titles", os.path.join(os.path.dirname(os.path.abspath(__file__)), "demand-titles.py"))
titles = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(titles)
DATA = titles.DATA
KNOWN = [("csl", "title"), ("csl", "keywords"), ("csl", "keywords2"), ("kppatent_zh", "title"),
         ("kppatent_zh", "keywords")]
ROUNDS = ["dev", "blind"] + [f"blind{n}" for n in range(2, 10)]
CONFIDENT = 2.0  # fuse::CONFIDENT


def run(path):
    """Each query's ranking as [(document, score)], best first."""
    hits = collections.defaultdict(list)
    with open(path, encoding="utf-8") as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) >= 4 and p[1].isdigit():
                hits[p[0]].append((int(p[1]), p[2], float(p[3])))
    return {q: [(d, s) for _, d, s in sorted(h)] for q, h in hits.items()}


def confident(lexical, q):
    h = lexical.get(q, [])
    return len(h) >= 2 and (h[1][1] <= 0 or h[0][1] >= CONFIDENT * h[1][1])


def ndcg(docs, judged):
    """nDCG@10 with gain = grade and a log2 discount, as qiao_search::eval."""
    dcg = sum(judged.get(d, 0) / math.log2(i + 2) for i, d in enumerate(docs[:10]))
    ideal = sorted(judged.values(), reverse=True)[:10]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def half(qid):
    return "odd" if int("".join(ch for ch in qid if ch.isdigit())) % 2 else "even"


def main():
    out, weights = sys.argv[1], sys.argv[2:]
    base = weights[0]
    # Each ranking to measure: a weight alone, or the base weight where the words are
    # confident and another weight elsewhere.
    forms = [(w, w) for w in weights] + [(f"{w} unless confident", w) for w in weights[1:]]

    def choose(runs, lexical, q, form):
        name, w = form
        if name.endswith("unless confident") and confident(lexical, q):
            w = base
        return [d for d, _ in runs[w].get(q, [])]

    print("| known-item task | " + " | ".join(f"weight {n}" for n, _ in forms) + " | confident |")
    print("|---|" + "---|" * (len(forms) + 1))
    for c, task in KNOWN:
        qrels = collections.defaultdict(dict)
        titles.read_grades(f"{DATA}/{c}/qrels_{task}.tsv", qrels)
        qrels = {q: {d: g for d, g in ds.items() if g > 0} for q, ds in qrels.items()}
        qrels = {q: ds for q, ds in qrels.items() if ds}
        lexical = run(f"{out}/known_{c}_{task}__lexical.run")
        runs = {w: run(f"{out}/known_{c}_{task}__w{w}.run") for w in weights}
        cells = [sum(ndcg(choose(runs, lexical, q, f), qrels[q]) for q in qrels) / len(qrels)
                 for f in forms]
        share = sum(confident(lexical, q) for q in qrels) / len(qrels)
        print(f"| {c} {task} ({len(qrels)}) | " + " | ".join(f"{x:.4f}" for x in cells)
              + f" | {100 * share:.0f} % |")
    print()
    sums = collections.defaultdict(lambda: collections.defaultdict(list))
    unjudged = collections.Counter()
    for round_ in ROUNDS:
        for c in titles.CORPORA:
            own, graded = titles.qrels(round_, c)
            useful = [q for q, ds in own.items() if max(ds.values()) >= 1]
            lexical = run(f"{out}/{round_}_{c}__lexical.run")
            runs = {w: run(f"{out}/{round_}_{c}__w{w}.run") for w in weights}
            for form in forms:
                for q in useful:
                    docs = choose(runs, lexical, q, form)
                    sums[(form[0], half(q))][f"{round_}_{c}"].append(ndcg(docs, graded[q]))
                    unjudged[form[0]] += sum(1 for d in docs[:10] if d not in graded[q])
    n_useful = sum(len(v) for v in sums[(forms[0][0], "odd")].values()) + sum(
        len(v) for v in sums[(forms[0][0], "even")].values())
    print("| titles, product order | odd half | even half | unjudged in a top 10 |")
    print("|---|---|---|---|")
    for name, _ in forms:
        means = []
        for h in ("odd", "even"):
            sets = [v for v in sums[(name, h)].values() if v]
            means.append(sum(sum(v) / len(v) for v in sets) / len(sets))
        print(f"| weight {name} | {means[0]:.4f} | {means[1]:.4f} | {unjudged[name] / n_useful:.2f} |")


if __name__ == "__main__":
    main()
