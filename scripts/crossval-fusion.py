#!/usr/bin/env python3
"""Choose fusion settings by 2-fold cross-validation on the demand sets (issue #27, point 1).

Reads the `--per-query` files of `qiao bench retrieval` (query id, nDCG@10, unjudged@10), one
per ranker configuration and demand set, named DIR/SET__CONFIG.tsv, where CONFIG is `lexical`,
`semantic` or a hybrid configuration (any other name). Standard library only.

    scripts/crossval-fusion.py DIR

Folds: odd and even query numbers (each half of each set split the same way). On each fold the
hybrid configuration with the best mean over the sets (each set's mean nDCG@10 on the fold, then
their mean, as the demand set's README asks) is chosen and measured on the other fold, beside
its parts (lexical, semantic) on the same fold.
"""

import os
import sys
from collections import defaultdict


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

    def mean(s, c, fold, i=0):
        vals = [v[i] for q, v in scores[(s, c)].items() if fold is None or fold_of(q) == fold]
        return sum(vals) / len(vals) if vals else float("nan")

    def overall(c, fold):
        return sum(mean(s, c, fold) for s in sets) / len(sets)

    print("| tuned on | chosen | held out | " + " | ".join(f"{s} chosen / lexical / semantic (unjudged@10)" for s in sets) + " | beats the better part on every set |")
    print("|---|---|---|" + "---|" * len(sets) + "---|")
    held = defaultdict(list)
    for tune, test in (("A", "B"), ("B", "A")):
        best = max(hybrids, key=lambda c: (overall(c, tune), c))
        cells, beats = [], True
        for s in sets:
            h, l, m = mean(s, best, test), mean(s, "lexical", test), mean(s, "semantic", test)
            held[s].append(h)
            beats &= h > max(l, m)
            cells.append(f"{h:.3f} / {l:.3f} / {m:.3f} ({mean(s, best, test, 1):.2f})")
        print(f"| {tune} | {best} | {test} | " + " | ".join(cells) + f" | {'yes' if beats else 'no'} |")
    print()
    print("Held-out nDCG@10 of the chosen configuration: " + "; ".join(
        f"{s} mean {sum(v) / len(v):.3f}, worst fold {min(v):.3f}" for s, v in held.items()))
    print()
    print("| configuration | " + " | ".join(f"{s} fold A / fold B / all" for s in sets) + " |")
    print("|---|" + "---|" * len(sets))
    for c in configs:
        print(f"| {c} | " + " | ".join(
            f"{mean(s, c, 'A'):.3f} / {mean(s, c, 'B'):.3f} / {mean(s, c, None):.3f}" for s in sets) + " |")


if __name__ == "__main__":
    main()
