#!/usr/bin/env python3
"""Measures a blind demand round (issue #27) from the files `scripts/bench-blind-round` writes:
nDCG@10 of the default, lexical and semantic rankers over the demands with a useful document
(`--per-query` files), and the strength of the hybrid ranking (`--run` files): how many
demands without a grade-2 document get a strong top hit; how many whose pool holds nothing
useful (no grade 1 or 2: the issue's "corpus holds nothing useful") do; how many strong top hits
were judged useful; and how many grade-2 answers in the top 10 are strong.

  scripts/blind-round.py bench/demands_blind2 target/blind2
"""
import os, sys, collections
bench, out_dir = sys.argv[1], sys.argv[2]
sets = {"csl": "papers", "kppatent_zh": "patents"}
def read_grades(path, into):
    for l in open(path):
        q, d, s = l.rstrip("\n").split("\t")
        if q == "query-id": continue
        into[q][d] = int(s)
    return into
def qrels(c):
    """The round's own grades, and those plus the ones judged later (docs/judgements/), which
    grade documents but do not change which demands count as having a useful one."""
    own = read_grades(f"{bench}/qrels_{c}.tsv", collections.defaultdict(dict))
    graded = collections.defaultdict(dict, {q: dict(ds) for q, ds in own.items()})
    later = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "docs", "judgements",
                         f"{os.path.basename(os.path.normpath(bench))}_{c}.tsv")
    if os.path.exists(later):
        read_grades(later, graded)
    return own, graded
out = []
for c, name in sets.items():
    g, graded = qrels(c)
    useful = {q for q, ds in g.items() if max(ds.values()) >= 1}
    answered = {q for q, ds in g.items() if max(ds.values()) == 2}
    row = {"set": name}
    for r in ["hybrid", "lexical", "semantic"]:
        pq = {}
        for l in open(f"{out_dir}/{c}-{r}.pq"):
            f = l.rstrip("\n").split("\t")
            if f[0] == "query-id" or len(f) < 2: continue
            pq[f[0]] = (float(f[1]), float(f[2]) if len(f) > 2 else 0.0)
        vals = [pq[q][0] for q in useful if q in pq]
        unj = [pq[q][1] for q in useful if q in pq]
        row[r] = (sum(vals) / len(vals), sum(unj) / len(unj), len(vals))
    # strength from the hybrid run
    top = {}
    strong_docs = collections.defaultdict(set)
    ranked = collections.defaultdict(list)
    for l in open(f"{out_dir}/{c}-hybrid.run"):
        f = l.rstrip("\n").split("\t")
        if len(f) < 5 or not f[1].isdigit(): continue
        q, rank, d, s = f[0], int(f[1]), f[2], f[4]
        if rank == 1: top[q] = s
        if rank <= 10: ranked[q].append((d, s))
    lacking = [q for q in g if q not in answered]
    row["answerless_strong"] = (sum(1 for q in lacking if top.get(q) == "strong"), len(lacking))
    nothing = [q for q in g if q not in useful]
    row["nothing_strong"] = (sum(1 for q in nothing if top.get(q) == "strong"), len(nothing))
    strong_tops = [q for q in g if top.get(q) == "strong"]
    row["strong_useful"] = (sum(1 for q in strong_tops if graded[q].get(ranked[q][0][0], 0) >= 1), len(strong_tops))
    a_in = [q for q in answered if any(g[q].get(d) == 2 for d, _ in ranked[q])]
    a_strong = [q for q in a_in if next(s for d, s in ranked[q] if g[q].get(d) == 2) == "strong"]
    row["answers_strong"] = (len(a_strong), len(a_in))
    out.append(row)
print("| set | demands with a useful doc | hybrid (default) nDCG@10 (unjudged@10) | lexical | semantic | default beats the better part | answer-less: top hit strong | nothing useful: top hit strong | strong top hits judged useful | answers strong |")
print("|---|---|---|---|---|---|---|---|---|---|")
for r in out:
    h, lx, se = r["hybrid"], r["lexical"], r["semantic"]
    beats = "yes" if h[0] > max(lx[0], se[0]) else "no"
    a, n = r["answerless_strong"]; s, m = r["answers_strong"]
    e, k = r["nothing_strong"]; u, t = r["strong_useful"]
    print(f"| {r['set']} | {h[2]} | {h[0]:.3f} ({h[1]:.2f}) | {lx[0]:.3f} ({lx[1]:.2f}) | {se[0]:.3f} ({se[1]:.2f}) | {beats} | {a}/{n} ({100*a/max(n, 1):.0f} %) | {e}/{k} ({100*e/max(k, 1):.0f} %) | {u}/{t} | {s}/{m} |")
