#!/usr/bin/env python3
"""What the rules of BENCHMARKS.md "the adapter trained with written demands" (issue #27) read,
from the files of scripts/bench-written-demands: for every set (a round's papers or patents),
hybrid nDCG@10 in fused order with the shipped adapter (the one compiled into the binary that
ran) and with each candidate, and whether the hybrid beats the better of lexical and its own
semantic list; the means over the sets of the rules' groups; and, pooled over the sets, how often
the top hit (product order) is strong for a demand whose judged pool holds nothing useful.
Standard library only.

    scripts/written-demands-rule.py DIR NAMES ROUNDS        # NAMES, ROUNDS: comma-separated
"""
import json
import os
import sys

CORPORA = ["csl", "kppatent_zh"]
DATA = os.environ.get("QIAO_SHARED_DATA", "../shared/data")
# The groups the three rules read (a group is printed when all its rounds were given).
GROUPS = [
    ("step 1, choice: dev + blind1-3", ["dev", "blind", "blind2", "blind3"]),
    ("step 1, held out: blind4-6", ["blind4", "blind5", "blind6"]),
    ("step 2: dev + blind1-7", ["dev"] + ["blind" + s for s in ("", "2", "3", "4", "5", "6", "7")]),
    ("new round: blind8", ["blind8"]),
    ("step 3: dev + blind1-8", ["dev"] + ["blind" + s for s in ("", "2", "3", "4", "5", "6", "7", "8")]),
    ("new round: blind9", ["blind9"]),
]


def ndcg(d, r, c, tag):
    with open(f"{d}/{r}_{c}__{tag}.json") as f:
        return json.load(f)["ndcg@10"]


def answerless(r, c):
    """Demands whose judged documents (the round's qrels and the later judgements) are all 0."""
    base = f"{DATA}/demands_dev" if r == "dev" else f"bench/demands_{r}"
    judged, useful = set(), set()
    for path in (f"{base}/qrels_{c}.tsv", f"docs/judgements/demands_{r}_{c}.tsv"):
        if not os.path.exists(path):
            continue
        with open(path) as f:
            for line in f:
                a = line.rstrip("\n").split("\t")
                if len(a) < 3 or a[0] == "query-id":
                    continue
                judged.add(a[0])
                if a[2] in ("1", "2"):
                    useful.add(a[0])
    return judged - useful


def strong_tops(d, r, c, tag, ids):
    top = {}
    with open(f"{d}/{r}_{c}__{tag}.run") as f:
        for line in f:
            a = line.rstrip("\n").split("\t")
            if len(a) >= 5 and a[1] == "1":
                top[a[0]] = a[4]
    return sum(top.get(q) == "strong" for q in ids)


def main():
    d, names, rounds = sys.argv[1], sys.argv[2].split(","), sys.argv[3].split(",")
    configs = ["shipped"] + names
    sets = [(r, c) for r in rounds for c in CORPORA]
    score, beats = {}, {}
    print("| set | " + " | ".join(configs) + " | beats its parts (" + ", ".join(configs) + ") |")
    print("|---" * (len(configs) + 2) + "|")
    for r, c in sets:
        lex = ndcg(d, r, c, "lexical")
        row = []
        for a in configs:
            s = score[(r, c, a)] = ndcg(d, r, c, f"hybrid-{a}")
            beats[(r, c, a)] = s > max(lex, ndcg(d, r, c, f"semantic-{a}"))
            row.append(f"{s:.4f}")
        flags = ", ".join("yes" if beats[(r, c, a)] else "no" for a in configs)
        print(f"| {r} / {c} | " + " | ".join(row) + f" | {flags} |")
    print()
    for label, group in GROUPS:
        keys = [(r, c) for r, c in sets if r in group]
        if not keys or len({r for r, _ in keys}) < len(group):
            continue
        means = [sum(score[(r, c, a)] for r, c in keys) / len(keys) for a in configs]
        worst = [min(score[(r, c, a)] - score[(r, c, "shipped")] for r, c in keys) for a in configs]
        print(f"{label} ({len(keys)} sets): " + ", ".join(
            f"{a} {m:.4f} (worst set {w:+.4f})" for a, m, w in zip(configs, means, worst)))
    print("sets where the hybrid beats its parts: " + ", ".join(
        f"{a} {sum(beats[(r, c, a)] for r, c in sets)}/{len(sets)}" for a in configs))
    for a in configs:
        n = m = 0
        for r, c in sets:
            ids = answerless(r, c)
            n += strong_tops(d, r, c, f"product-{a}", ids)
            m += len(ids)
        print(f"answer-less demands with a strong top hit, {a}: {n}/{m} = {n / m:.3f}")


if __name__ == "__main__":
    main()
