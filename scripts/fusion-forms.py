#!/usr/bin/env python3
"""Simulate other fusions of Qiao's lexical and semantic rankings from `qiao bench retrieval` runs
(issue #27; BENCHMARKS.md "2026-12-07: fusing by scores instead of ranks"). The runs are made by
scripts/bench-fusion-forms, which calls this script at the end.

Each candidate keeps the product's routing (fuse::form, the confident-lexical shortcut, `combine`
for titles/term lists) and the product's "strong first" reordering, and replaces only the fusion
of prose queries. Two lists only (lexical, semantic): the neighbour list is not in the run files.

Modes:
  tune      check the metric against the binary, reproduce the product's 2-list RRF, run the
            family on the four TUNE sets, 2-fold cross-validation; writes tune_results.json.
  heldout   measure ONE named candidate (the frozen choice) on blind2 against the binary's
            lexical / semantic / hybrid runs.
"""
import json
import math
import os
import re
import statistics
import sys
from pathlib import Path

import numpy as np

F32 = np.float32

ROOT = Path(__file__).resolve().parent.parent
# Where the runs are and the results go (scripts/bench-fusion-forms sets it).
HERE = Path(os.environ.get("QIAO_FUSION_OUT", ROOT / "target/fusion-forms"))
DATA = Path(os.environ.get("QIAO_SHARED_DATA", ROOT.parent / "shared/data"))
BENCH = ROOT / "bench"
JUDG = ROOT / "docs/judgements"

TUNE_SETS = {
    "dev_csl": ("csl", DATA / "demands_dev/queries_csl.jsonl",
                [DATA / "demands_dev/qrels_csl.tsv", JUDG / "demands_dev_csl.tsv"], HERE / "runs"),
    "dev_kpp": ("kppatent_zh", DATA / "demands_dev/queries_kppatent_zh.jsonl",
                [DATA / "demands_dev/qrels_kppatent_zh.tsv", JUDG / "demands_dev_kppatent_zh.tsv"],
                HERE / "runs"),
    "b1_csl": ("csl", BENCH / "demands_blind/queries_csl.jsonl",
               [BENCH / "demands_blind/qrels_csl.tsv"], HERE / "runs"),
    "b1_kpp": ("kppatent_zh", BENCH / "demands_blind/queries_kppatent_zh.jsonl",
               [BENCH / "demands_blind/qrels_kppatent_zh.tsv"], HERE / "runs"),
}
HELDOUT_SETS = {
    "b2_csl": ("csl", BENCH / "demands_blind2/queries_csl.jsonl",
               [BENCH / "demands_blind2/qrels_csl.tsv"], HERE / "heldout/runs"),
    "b2_kpp": ("kppatent_zh", BENCH / "demands_blind2/queries_kppatent_zh.jsonl",
               [BENCH / "demands_blind2/qrels_kppatent_zh.tsv"], HERE / "heldout/runs"),
}

# --- the product's routing constants (crates/qiao-search/src/fuse.rs, strength.rs) ---
SENTENCE_MARKS = set("，。；！？,;!?、")
DOCUMENT_CHARS = 500
DEMAND_CUES = ["我们", "我司", "我公司", "本公司", "我厂", "本厂", "希望", "需要", "寻求", "求购",
               "征集", "急需", "想找", "想要", "难题", "痛点", "需求", "揭榜", "亟待", "亟需"]
DOCUMENT_MARKS = ["所述", "其特征在于", "权利要求", "本发明", "本实用新型"]
CONFIDENT = F32(2.0)
TERMS_W = F32(0.5)
BG_RANK, MARGIN, STRONG_LEX_RANK = 200, F32(0.0325), 10


def form(q):
    if len(q) >= DOCUMENT_CHARS and (any(m in q for m in DOCUMENT_MARKS)
                                     or not any(c in q for c in DEMAND_CUES)):
        return "document"
    if any(c in SENTENCE_MARKS for c in q):
        return "prose"
    return "terms"


def confident(scores):
    if len(scores) < 2:
        return False
    return scores[1] <= 0 or scores[0] >= CONFIDENT * scores[1]


# --- files ---
def read_qrels(paths):
    out = {}
    for p in paths:
        for i, line in enumerate(Path(p).read_text(encoding="utf-8").splitlines()):
            cols = line.split("\t")
            if not line.strip():
                continue
            if i == 0 and not cols[2].strip().isdigit():
                continue
            q, d, g = cols
            out.setdefault(q, {})[d] = int(g)  # later files override, as add_qrels adds
    return out


def read_run(path):
    """query id -> list of (doc, f32 score, strength), in rank order."""
    out = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        q, rank, d, s, st = line.split("\t")
        out.setdefault(q, []).append((d, F32(float(s)), st))
    return out


_corpus_pos = {}


def corpus_pos(corpus):
    if corpus not in _corpus_pos:
        pos = {}
        with open(DATA / corpus / "corpus.jsonl", encoding="utf-8") as f:
            for i, line in enumerate(x for x in f if x.strip()):
                r = json.loads(line)
                pos[r.get("id", r.get("_id"))] = i
        _corpus_pos[corpus] = pos
    return _corpus_pos[corpus]


def load_set(name, spec):
    corpus, qpath, qrels_paths, rundir = spec
    queries = [json.loads(l) for l in qpath.read_text(encoding="utf-8").splitlines() if l.strip()]
    qrels = read_qrels(qrels_paths)
    runs = {r: read_run(rundir / f"{name}_{r}.run.tsv") for r in ("lexical", "semantic", "hybrid")}
    twol = rundir / f"{name}_hybrid2l.run.tsv"
    if twol.exists():
        runs["hybrid2l"] = read_run(twol)
    binary = {r: json.loads((rundir / f"{name}_{r}.json").read_text())
              for r in ("lexical", "semantic", "hybrid")}
    return dict(name=name, corpus=corpus, pos=corpus_pos(corpus), queries=queries, qrels=qrels,
                runs=runs, binary=binary)


# --- metric (crates/qiao-search/src/eval.rs) ---
def score_query(ranked, judged):
    if max(judged.values(), default=0) == 0:
        return None
    dcg = lambda gs: sum(g / math.log2(i + 2) for i, g in enumerate(gs[:10]))
    ideal = sorted(judged.values(), reverse=True)
    ndcg = dcg([judged.get(d, 0) for d in ranked]) / dcg(ideal)
    unj = sum(1 for d in ranked[:10] if d not in judged)
    return ndcg, unj


def evaluate(s, rankings, qids=None):
    """rankings: qid -> list of doc ids. Returns (mean nDCG@10, mean unjudged@10, per-query)."""
    per = {}
    for q in s["queries"]:
        qid = q["id"]
        if qid not in s["qrels"] or (qids is not None and qid not in qids):
            continue
        r = score_query(rankings.get(qid, []), s["qrels"][qid])
        if r is not None:
            per[qid] = r
    if not per:
        return float("nan"), float("nan"), per
    return (statistics.fmean(v[0] for v in per.values()),
            statistics.fmean(v[1] for v in per.values()), per)


# --- fusions ---
def gather(parts, pos, first_ranks):
    """parts: list of (doc, share) in the product's accumulation order; ties by first-list rank, id."""
    acc = {}
    for d, share in parts:
        acc[d] = acc.get(d, F32(0)) + share if isinstance(share, np.floating) else acc.get(d, 0.0) + share
    big = 1 << 62
    return [d for d, _ in sorted(acc.items(),
                                 key=lambda kv: (-kv[1], first_ranks.get(kv[0], big), pos[kv[0]]))]


def rrf(lex, sem, k, w, pos, lex_ranks):
    k, w = F32(k), F32(w)
    norm = (F32(1.0) + w) / (k + F32(1.0))
    parts = [(d, F32(1.0) / (k + F32(i + 1)) / norm) for i, (d, _, _) in enumerate(lex)]
    parts += [(d, w / (k + F32(i + 1)) / norm) for i, (d, _, _) in enumerate(sem)]
    return gather(parts, pos, lex_ranks)


def combine(lex, sem, w, pos, lex_ranks):
    """The product's `combine` (f32): BM25/best + w * minmax(cosine), over 1 + w."""
    w = F32(w)
    norm = F32(1.0) + w
    best = max(lex[0][1] if lex else F32(1.0), F32(np.finfo(np.float32).tiny))
    top, bottom = (sem[0][1], sem[-1][1]) if sem else (F32(1.0), F32(0.0))
    rng = top - bottom
    parts = [(d, max(s / best, F32(0.0)) / norm) for d, s, _ in lex]
    parts += [(d, w * ((c - bottom) / rng if rng > F32(1e-6) else F32(1.0)) / norm) for d, c, _ in sem]
    return gather(parts, pos, lex_ranks)


def minmax(xs):
    lo, hi = min(xs), max(xs)
    return [(x - lo) / (hi - lo) if hi - lo > 1e-12 else 1.0 for x in xs]


def zs(xs):
    m = statistics.fmean(xs)
    sd = statistics.pstdev(xs) if len(xs) > 1 else 0.0
    return [(x - m) / sd if sd > 1e-12 else 0.0 for x in xs]


def combsum(lex, sem, w, pos, lex_ranks, how):
    ls = [float(s) for _, s, _ in lex]
    ss = [float(s) for _, s, _ in sem]
    if how == "minmax" or how == "mnz":
        ln, sn = (minmax(ls) if ls else []), (minmax(ss) if ss else [])
        lmiss = smiss = 0.0
    elif how == "max":
        best = max(ls[0], 1e-30) if ls else 1.0
        ln, sn = [max(x / best, 0.0) for x in ls], (minmax(ss) if ss else [])
        lmiss = smiss = 0.0
    elif how == "z":
        ln, sn = (zs(ls) if ls else []), (zs(ss) if ss else [])
        lmiss, smiss = (min(ln) if ln else 0.0), (min(sn) if sn else 0.0)
    ld = {d: v for (d, _, _), v in zip(lex, ln)}
    sd = {d: v for (d, _, _), v in zip(sem, sn)}
    docs = list(dict.fromkeys([d for d, _, _ in lex] + [d for d, _, _ in sem]))
    sc = {}
    for d in docs:
        v = ld.get(d, lmiss) + w * sd.get(d, smiss)
        if how == "mnz":
            v *= (d in ld) + (d in sd)
        sc[d] = v
    big = 1 << 62
    return sorted(docs, key=lambda d: (-sc[d], lex_ranks.get(d, big), pos[d]))


FAMILY = []
for k in (10, 20, 30, 60, 100):
    for w in (1, 1.5, 2, 3, 4):
        FAMILY.append((f"rrf_k{k}_w{w}", ("rrf", k, w)))
for how in ("minmax", "max", "z", "mnz"):
    for w in (0.5, 1, 1.5, 2, 3, 4):
        FAMILY.append((f"sum-{how}_w{w}" if how != "mnz" else f"combmnz_w{w}", (how, None, w)))


def rank_all(s, cand, strong_first=True, route_counts=None):
    """The product's pipeline with the prose fusion replaced by `cand`: qid -> doc ids."""
    kind, k, w = cand
    lexr, semr = s["runs"]["lexical"], s["runs"]["semantic"]
    pos = s["pos"]
    out = {}
    for q in s["queries"]:
        qid, text = q["id"], q["text"]
        if qid not in s["qrels"]:
            continue
        lex, sem = lexr.get(qid, []), semr.get(qid, [])
        lex_ranks = {d: i + 1 for i, (d, _, _) in enumerate(lex)}
        f = form(text)
        if f == "document":
            route, ranked = "document", [d for d, _, _ in lex]
        elif f == "terms":
            route, ranked = "terms", combine(lex, sem, TERMS_W, pos, lex_ranks)
        elif confident([s_ for _, s_, _ in lex]):
            route, ranked = "confident", [d for d, _, _ in lex]
        else:
            route = "fused"
            ranked = (rrf(lex, sem, k, w, pos, lex_ranks) if kind == "rrf"
                      else combsum(lex, sem, w, pos, lex_ranks, kind))
        if route_counts is not None:
            route_counts[route] = route_counts.get(route, 0) + 1
        ranked = ranked[:200]
        if strong_first and f != "document":
            cos = {d: c for d, c, _ in sem}
            bg = sem[min(BG_RANK, len(sem)) - 1][1] if sem else None

            def strong(d):
                c = cos.get(d)
                r = lex_ranks.get(d)
                return (c is not None and bg is not None and r is not None
                        and r <= STRONG_LEX_RANK and (c - bg) >= MARGIN)
            ranked = [d for d in ranked if strong(d)] + [d for d in ranked if not strong(d)]
        out[qid] = ranked
    return out


def parity_ids(s, odd):
    return {q["id"] for q in s["queries"] if (int(re.findall(r"\d+", q["id"])[-1]) % 2 == 1) == odd}


def run_lists(s, r):
    return {q: [d for d, _, _ in v] for q, v in s["runs"][r].items()}


def tune():
    sets = {n: load_set(n, spec) for n, spec in TUNE_SETS.items()}
    report = {}
    print("## Metric check: script nDCG@10 vs binary --json ndcg@10")
    ok = True
    for n, s in sets.items():
        for r in ("lexical", "semantic", "hybrid"):
            mine = evaluate(s, run_lists(s, r))[0]
            theirs = s["binary"][r]["ndcg@10"]
            same = round(mine, 3) == round(theirs, 3)
            ok &= same
            print(f"{n:8s} {r:9s} script {mine:.4f} binary {theirs:.4f} {'OK' if same else 'MISMATCH'}")
    if not ok:
        sys.exit("metric check failed")

    print("\n## Reproduction: simulated 2-list RRF (k=60, w=3, product routing + strong first)")
    for n, s in sets.items():
        rc = {}
        sim = rank_all(s, ("rrf", 60, 3), route_counts=rc)
        hyb = run_lists(s, "hybrid")
        a, b = evaluate(s, sim)[0], evaluate(s, hyb)[0]
        ov = statistics.fmean(len(set(sim[q][:10]) & set(hyb[q][:10])) / 10 for q in sim)
        line = (f"{n:8s} routes {rc}  sim {a:.4f}  binary hybrid {b:.4f}  diff {a - b:+.4f}  "
                f"top10 overlap {ov:.2f}")
        if "hybrid2l" in s["runs"]:
            two = run_lists(s, "hybrid2l")
            exact = sum(sim[q][:200] == two.get(q, [])[:200] for q in sim)
            e10 = sum(sim[q][:10] == two.get(q, [])[:10] for q in sim)
            line += (f"  | binary --two-lists {evaluate(s, two)[0]:.4f}, identical lists "
                     f"{exact}/{len(sim)} (top10 {e10}/{len(sim)})")
        print(line)

    print("\n## Family on TUNE (nDCG@10)")
    rows = []
    prod = {n: evaluate(s, run_lists(s, "hybrid"))[0] for n, s in sets.items()}
    base = {r: {n: evaluate(s, run_lists(s, r))[0] for n, s in sets.items()} for r in ("lexical", "semantic")}
    per_query = {}
    for name, cand in FAMILY:
        res = {}
        for n, s in sets.items():
            m, u, per = evaluate(s, rank_all(s, cand))
            res[n] = m
            per_query[(name, n)] = {q: v[0] for q, v in per.items()}
        rows.append((name, res, statistics.fmean(res.values())))
    hdr = f"{'candidate':18s} " + " ".join(f"{n:>8s}" for n in sets) + "     mean"
    print(hdr)
    fmt = lambda name, res: (f"{name:18s} " + " ".join(f"{res[n]:8.4f}" for n in sets)
                             + f" {statistics.fmean(res.values()):8.4f}")
    print(fmt("PRODUCT hybrid", prod))
    for r in ("lexical", "semantic"):
        print(fmt(r, base[r]))
    order = {name: i for i, (name, _) in enumerate(FAMILY)}
    ranked = sorted(rows, key=lambda r: (-round(r[2], 4), order[r[0]]))
    for name, res, _ in ranked:
        print(fmt(name, res))
    choice = ranked[0][0]
    print(f"\nChosen on TUNE: {choice} (mean {ranked[0][2]:.4f}; product hybrid "
          f"{statistics.fmean(prod.values()):.4f})")

    print("\n## 2-fold cross-validation inside TUNE (odd / even demand ids)")
    prod_per = {n: {q: v[0] for q, v in evaluate(s, run_lists(s, "hybrid"))[2].items()} for n, s in sets.items()}

    def fold_mean(per_by_set, odd):
        vals = []
        for n, s in sets.items():
            ids = parity_ids(s, odd)
            xs = [v for q, v in per_by_set[n].items() if q in ids]
            vals.append(statistics.fmean(xs))
        return statistics.fmean(vals)
    held = []
    for tune_odd in (True, False):
        scores = [(name, fold_mean({n: per_query[(name, n)] for n in sets}, tune_odd)) for name, _ in FAMILY]
        scores.sort(key=lambda x: (-round(x[1], 4), order[x[0]]))
        pick = scores[0][0]
        h = fold_mean({n: per_query[(pick, n)] for n in sets}, not tune_odd)
        p = fold_mean(prod_per, not tune_odd)
        held.append((h, p))
        print(f"tune on {'odd' if tune_odd else 'even'}: pick {pick} (tune-fold {scores[0][1]:.4f}); "
              f"held-out fold ({'even' if tune_odd else 'odd'}): {h:.4f} vs product hybrid {p:.4f} ({h - p:+.4f})")
    print(f"CV mean: candidate {statistics.fmean(h for h, _ in held):.4f} vs product "
          f"{statistics.fmean(p for _, p in held):.4f}; worst fold diff "
          f"{min(h - p for h, p in held):+.4f}")
    json.dump({"choice": choice, "rows": [(n, r, m) for n, r, m in ranked], "product": prod},
              open(HERE / "tune_results.json", "w"), indent=1)


def heldout(choice):
    cand = dict(FAMILY)[choice]
    sets = {n: load_set(n, spec) for n, spec in HELDOUT_SETS.items()}
    res = {}
    print(f"## Held out (blind2), candidate {choice}")
    for n, s in sets.items():
        for r in ("lexical", "semantic", "hybrid"):
            mine = evaluate(s, run_lists(s, r))[0]
            assert round(mine, 3) == round(s["binary"][r]["ndcg@10"], 3), (n, r)
        m, u, per = evaluate(s, rank_all(s, cand))
        hm, hu, _ = evaluate(s, run_lists(s, "hybrid"))
        lx = evaluate(s, run_lists(s, "lexical"))[0]
        se = evaluate(s, run_lists(s, "semantic"))[0]
        sim60 = evaluate(s, rank_all(s, ("rrf", 60, 3)))
        res[n] = dict(cand=m, cand_unj=u, hybrid=hm, hybrid_unj=hu, lexical=lx, semantic=se,
                      n=len(per), rrf60w3_2l=sim60[0], rrf60w3_2l_unj=sim60[1])
        print(f"{n}: n={len(per)} candidate {m:.4f} (unjudged@10 {u:.2f}) | product hybrid {hm:.4f} "
              f"(unjudged@10 {hu:.2f}) | lexical {lx:.4f} | semantic {se:.4f} | "
              f"2-list rrf k60 w3 {sim60[0]:.4f} (unj {sim60[1]:.2f})")
    cm = statistics.fmean(r["cand"] for r in res.values())
    pm = statistics.fmean(r["hybrid"] for r in res.values())
    a = cm >= pm + 0.01
    b = all(r["cand"] > max(r["lexical"], r["semantic"]) for r in res.values())
    print(f"mean candidate {cm:.4f} vs product hybrid {pm:.4f} (diff {cm - pm:+.4f}): (a) {'PASS' if a else 'FAIL'}")
    print(f"(b) beats max(lexical, semantic) on each set: {'PASS' if b else 'FAIL'}")
    print("ADOPTED" if a and b else "NOT ADOPTED")
    json.dump(res, open(HERE / "heldout_results.json", "w"), indent=1)


if __name__ == "__main__":
    if sys.argv[1] == "tune":
        tune()
    elif sys.argv[1] == "heldout":
        heldout(sys.argv[2])
