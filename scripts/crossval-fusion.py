#!/usr/bin/env python3
"""Choose fusion settings by cross-validation on the demand sets (issue #27, point 1).

Reads the `--per-query` files of `qiao bench retrieval` (query id, nDCG@10, unjudged@10), one
per ranker configuration and demand set, named DIR/SET__CONFIG.tsv, where CONFIG is `lexical`,
`semantic` or a hybrid configuration (any other name). A set whose name starts with `blind` is a
blind set (bench/demands_blind), the others demands_dev. `qiao bench retrieval` writes only the
demands with a judged useful document (grade >= 1), so a blind set's nDCG@10 is over those.
Standard library only.

    scripts/crossval-fusion.py DIR

On the tuning demands, the hybrid configuration with the best mean over the sets (each set's
mean nDCG@10, then their mean) is chosen and measured on the held-out demands, per set, beside
its parts (lexical, semantic) and the product's default (PRODUCT) on the same demands. Schemes:
(a) tune on the demands_dev sets, measure on the blind sets; (b) the reverse; (c) odd and even
demand numbers over all sets, both ways.
"""

import os
import sys
from collections import defaultdict

PRODUCT = "hybrid-w3-c2"


def fold_of(qid):
    n = int("".join(ch for ch in qid if ch.isdigit()))
    return "A" if n % 2 else "B"


def main():
    d = sys.argv[1]
    scores = defaultdict(dict)  # (set, config) -> {qid: (ndcg, unjudged)}
    for f in sorted(os.listdir(d)):
        if not f.endswith(".tsv") or "__" not in f:
            continue
        s, config = f[:-4].split("__", 1)
        with open(os.path.join(d, f), encoding="utf-8") as fh:
            for line in fh:
                qid, ndcg, unjudged = line.rstrip("\n").split("\t")
                scores[(s, config)][qid] = (float(ndcg), float(unjudged))
    sets = sorted({s for s, _ in scores})
    configs = sorted({c for _, c in scores})
    # "x-" configurations are reported, never chosen (e.g. the default without strong first).
    hybrids = [c for c in configs if c not in ("lexical", "semantic") and not c.startswith("x-")]
    dev = [s for s in sets if not s.startswith("blind")]
    blind = [s for s in sets if s.startswith("blind")]

    def mean(s, c, fold, i=0):
        vals = [v[i] for q, v in scores[(s, c)].items() if fold in (None, "all") or fold_of(q) == fold]
        return sum(vals) / len(vals) if vals else float("nan")

    def overall(c, units):
        return sum(mean(s, c, f) for s, f in units) / len(units)

    schemes = []
    if dev and blind:
        schemes.append(("(a)", "demands_dev", [(s, "all") for s in dev], [(s, "all") for s in blind]))
        schemes.append(("(b)", "blind", [(s, "all") for s in blind], [(s, "all") for s in dev]))
    for tune, test in (("A", "B"), ("B", "A")):
        schemes.append(("(c)", f"fold {tune}", [(s, tune) for s in sets], [(s, test) for s in sets]))

    print("| scheme | tuned on | chosen | held out | n | chosen (unjudged@10) | lexical (unj.) | semantic (unj.) | beats the better part | product default (unj.) | product beats the better part |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    held = defaultdict(lambda: defaultdict(list))  # scheme -> who -> [(ndcg, beats)]
    for scheme, tuned, tune_units, test_units in schemes:
        best = max(hybrids, key=lambda c: (overall(c, tune_units), c))
        for s, f in test_units:
            n = sum(1 for q in scores[(s, "lexical")] if f == "all" or fold_of(q) == f)
            cell = lambda c: f"{mean(s, c, f):.3f} ({mean(s, c, f, 1):.2f})"
            parts = max(mean(s, "lexical", f), mean(s, "semantic", f))
            h, p = mean(s, best, f), mean(s, PRODUCT, f)
            held[scheme]["chosen"].append((h, h > parts))
            held[scheme]["product"].append((p, p > parts))
            where = s if f == "all" else f"{s} fold {f}"
            print(f"| {scheme} | {tuned} | {best} | {where} | {n} | {cell(best)} | {cell('lexical')} | {cell('semantic')} "
                  f"| {'yes' if h > parts else 'no'} | {cell(PRODUCT)} | {'yes' if p > parts else 'no'} |")
    print()
    print("| scheme | who | held-out nDCG@10 mean / worst | units where it beats the better part |")
    print("|---|---|---|---|")
    for scheme in held:
        for who in ("chosen", "product"):
            u = held[scheme][who]
            print(f"| {scheme} | {who} | {sum(v for v, _ in u) / len(u):.3f} / {min(v for v, _ in u):.3f} | {sum(b for _, b in u)} of {len(u)} |")
    print()
    best = max(hybrids, key=lambda c: (overall(c, [(s, "all") for s in sets]), c))
    print(f"Chosen on every demand of every set (in sample): {best}")
    print()
    print("| configuration | " + " | ".join(f"{s} fold A / fold B / all" for s in sets) + " |")
    print("|---|" + "---|" * len(sets))
    for c in configs:
        print(f"| {c} | " + " | ".join(
            f"{mean(s, c, 'A'):.3f} / {mean(s, c, 'B'):.3f} / {mean(s, c, None):.3f}" for s in sets) + " |")


if __name__ == "__main__":
    main()
