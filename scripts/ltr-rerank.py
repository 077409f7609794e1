#!/usr/bin/env python3
"""A learned re-ranker over the hybrid's top K (issue #27; BENCHMARKS.md "2026-12-07: a learned
re-ranker over the hybrid's top 30 — not adopted"): data loading, features, nDCG, leave-one-set-out.

Runs come from scripts/bench-ltr (target/ltr/runs). Usage, from the repository's root:
  python3 scripts/ltr-rerank.py check   # reproduce the binary's per-query nDCG@10 from the run files
  python3 scripts/ltr-rerank.py loso    # leave-one-set-out (nested lambda choice), table + verdict
  python3 scripts/ltr-rerank.py final   # model trained on all 6 sets (lambda by LOSO on all 6)
"""
import json
import os
import math
import sys
from collections import defaultdict

import numpy as np

ROOT = os.environ.get("LTR_DIR", "target/ltr")
SH = os.environ.get("QIAO_SHARED_DATA", "../shared/data")
SETS = [(s, c) for s in ("dev", "blind", "blind2") for c in ("csl", "kppatent_zh")]
K = 30
LAMBDAS = [0.01, 0.1, 1.0, 10.0, 100.0]
STRONG_BG, STRONG_MARGIN, STRONG_LEX = "c200", 0.0325, 10
FEATURES = ["log_fused_rank", "fused_rel", "cos_minus_c10", "cos_z", "log_sem_rank",
            "log_lex_rank", "lex_rel_top", "lex_coverage", "strong", "agree10",
            "bigram_idf_share", "log_doclen"]


def set_dir(s):
    return {"dev": f"{SH}/demands_dev", "blind": "bench/demands_blind",
            "blind2": "bench/demands_blind2"}[s]


def read_qrels(paths):
    q = defaultdict(dict)
    for p in paths:
        for i, line in enumerate(open(p, encoding="utf-8")):
            cols = line.rstrip("\n").split("\t")
            if not line.strip():
                continue
            if i == 0 and not cols[2].strip().isdigit():
                continue
            q[cols[0]][cols[1]] = int(cols[2])  # later files override, as add_qrels
    return q


def qrels_for(s, c):
    paths = [f"{set_dir(s)}/qrels_{c}.tsv"]
    if s == "dev":
        paths.append(f"docs/judgements/demands_dev_{c}.tsv")
    return read_qrels(paths)


def ndcg10(ranked, judged):
    """As qiao_search::eval::score_query: gain = grade, log2 discount, ideal over all grades."""
    top = max(judged.values(), default=0)
    if top == 0:
        return None
    dcg = sum(judged.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:10]))
    ideal = sorted(judged.values(), reverse=True)[:10]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    unj = sum(1 for d in ranked[:10] if d not in judged)
    return dcg / idcg, unj


def read_run(path):
    runs = defaultdict(list)
    for line in open(path, encoding="utf-8"):
        q, r, d, score, strength = line.rstrip("\n").split("\t")
        runs[q].append((int(r), d, float(score), strength))
    return {q: [x[1:] for x in sorted(v)] for q, v in runs.items()}


def read_perq(path):
    out = {}
    for line in open(path, encoding="utf-8"):
        q, n, u = line.rstrip("\n").split("\t")
        out[q] = (float(n), float(u))
    return out


def read_features(path):
    rows = defaultdict(list)
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            r = dict(zip(header, line.rstrip("\n").split("\t")))
            rows[r["query"]].append(r)
    for q in rows:
        rows[q].sort(key=lambda r: int(r["rank"]))
    return rows


def cjk(ch):
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def bigrams(text):
    return {text[i:i + 2] for i in range(len(text) - 1) if cjk(text[i]) and cjk(text[i + 1])}


_corpus_cache = {}


def corpus(c):
    """id -> text, and the bigram IDF table over the corpus."""
    if c not in _corpus_cache:
        docs = {}
        for line in open(f"{SH}/{c}/corpus.jsonl", encoding="utf-8"):
            d = json.loads(line)
            docs[d.get("id") or d.get("_id")] = (d.get("title") or "") + (d.get("text") or "")
        df = defaultdict(int)
        bg = {}
        for i, t in docs.items():
            b = bigrams(t)
            bg[i] = b
            for x in b:
                df[x] += 1
        n = len(docs)
        _corpus_cache[c] = (docs, bg, df, n)
    return _corpus_cache[c]


def idf(df, n, b):
    d = df.get(b, 0)
    return math.log((n - d + 0.5) / (d + 0.5) + 1.0)


def queries(s, c):
    out = {}
    for line in open(f"{set_dir(s)}/queries_{c}.jsonl", encoding="utf-8"):
        d = json.loads(line)
        out[d.get("id") or d.get("_id")] = d["text"]
    return out


def fl(x, default):
    return float(x) if x != "" else default


def load_set(s, c):
    """Per judged query with a useful document: candidates (fused order), features, grades,
    the default's (strong-first) ranking, lexical/semantic rankings, binary per-query."""
    base = f"{ROOT}/runs/{s}_{c}"
    qrels = qrels_for(s, c)
    feats = read_features(f"{base}_hybrid.features.tsv")
    hyb = read_run(f"{base}_hybrid.run.tsv")
    lex = read_run(f"{base}_lexical.run.tsv")
    sem = read_run(f"{base}_semantic.run.tsv")
    perq = {r: read_perq(f"{base}_{r}.perq.tsv") for r in ("hybrid", "lexical", "semantic")}
    docs, bg, df, n = corpus(c)
    qtext = queries(s, c)
    out = []
    for q, rows in feats.items():
        judged = qrels.get(q, {})
        if max(judged.values(), default=0) == 0:
            continue
        fused_score = {d: sc for d, sc, _ in hyb[q]}
        qb = bigrams(qtext[q])
        qidf = {b: idf(df, n, b) for b in qb}
        qidf_sum = sum(qidf.values()) or 1.0
        form = rows[0]["form"]
        top_fused = max(fused_score.values())
        cand = [r["doc"] for r in rows]
        X = []
        for r in rows[:K]:
            d = r["doc"]
            c10, c200 = fl(r["c10"], 0.0), fl(r["c200"], 0.0)
            mean, sd = fl(r["mean"], 0.0), fl(r["sd"], 1.0) or 1.0
            cos = fl(r["cosine"], c200)
            lr, sr = int(r["lexical_rank"]), int(r["semantic_rank"])
            lcount = int(r["lexical_count"])
            ls, ltop, lceil = float(r["lexical_score"]), float(r["lexical_top"]), float(r["lexical_ceiling"])
            strong = 1.0 if (r["cosine"] != "" and cos - c200 >= STRONG_MARGIN and 1 <= lr <= STRONG_LEX) else 0.0
            share = sum(v for b, v in qidf.items() if b in bg[d]) / qidf_sum
            X.append([
                math.log2(1 + int(r["rank"])),
                fused_score[d] / top_fused if top_fused > 0 else 0.0,
                cos - c10,
                (cos - mean) / sd,
                math.log2(1 + (sr if sr > 0 else 201)),
                math.log2(1 + (lr if lr > 0 else lcount + 1)),
                ls / ltop if ltop > 0 else 0.0,
                ls / lceil if lceil > 0 else 0.0,
                strong,
                1.0 if (1 <= lr <= 10 and 1 <= sr <= 10) else 0.0,
                share,
                math.log(1 + len(docs[d])),
            ])
        out.append(dict(
            q=q, judged=judged, form=form, cand=cand, X=np.array(X),
            y=np.array([judged.get(d, 0) for d in cand[:K]], dtype=float),
            default=[d for d, _, _ in hyb[q]],
            lexical=[d for d, _, _ in lex[q]], semantic=[d for d, _, _ in sem[q]],
            perq={r: perq[r][q] for r in perq},
            strong_default=[st for _, _, st in hyb[q]],
        ))
    return out


def rerank(qd, w, mu, sdv):
    if qd["form"] == "Document" or w is None:
        return qd["default"]
    X = (qd["X"] - mu) / sdv
    s = X @ w
    k = len(s)
    order = sorted(range(k), key=lambda i: (-s[i], i))
    return [qd["cand"][i] for i in order] + qd["cand"][k:]


def pairs(data):
    """Pairwise differences (better - worse) with weights: each query's pairs sum to 1."""
    D, W = [], []
    for qd in data:
        if qd["form"] == "Document":
            continue
        y, X = qd["y"], qd["X"]
        idx = [(i, j) for i in range(len(y)) for j in range(len(y)) if y[i] > y[j]]
        if not idx:
            continue
        for i, j in idx:
            D.append(X[i] - X[j])
            W.append(1.0 / len(idx))
    return np.array(D), np.array(W)


def fit(data, lam):
    Xall = np.vstack([qd["X"] for qd in data if qd["form"] != "Document"])
    mu, sdv = Xall.mean(0), Xall.std(0)
    sdv[sdv == 0] = 1.0
    D, W = pairs(data)
    D = D / sdv  # (xi - mu)/sd - (xj - mu)/sd
    w = np.zeros(D.shape[1])
    # Newton's method on sum_p W_p log(1 + exp(-w.D_p)) + lam * |w|^2
    for _ in range(100):
        z = D @ w
        p = 1.0 / (1.0 + np.exp(z))          # sigma(-z)
        grad = -(D * (W * p)[:, None]).sum(0) + 2 * lam * w
        h = (W * p * (1 - p))
        H = (D * h[:, None]).T @ D + 2 * lam * np.eye(len(w))
        step = np.linalg.solve(H, grad)
        w -= step
        if np.abs(step).max() < 1e-10:
            break
    return w, mu, sdv


def mean_ndcg(data, ranker):
    vals = [ndcg10(ranker(qd), qd["judged"]) for qd in data]
    return float(np.mean([v[0] for v in vals])), float(np.mean([v[1] for v in vals]))


def choose_lambda(train_sets, all_data):
    """Inner leave-one-set-out over the training sets; best mean inner-held-out nDCG@10."""
    scores = {}
    for lam in LAMBDAS:
        vals = []
        for inner in train_sets:
            tr = [qd for t in train_sets if t != inner for qd in all_data[t]]
            w, mu, sdv = fit(tr, lam)
            vals.append(mean_ndcg(all_data[inner], lambda qd: rerank(qd, w, mu, sdv))[0])
        scores[lam] = float(np.mean(vals))
    best = max(LAMBDAS, key=lambda l: (round(scores[l], 10), l))  # ties -> larger lambda
    return best, scores


def load_all():
    return {sc: load_set(*sc) for sc in SETS}


def cmd_check():
    bad = 0
    tot = 0
    for s, c in SETS:
        qrels = qrels_for(s, c)
        for r in ("hybrid", "lexical", "semantic"):
            base = f"{ROOT}/runs/{s}_{c}_{r}"
            run, perq = read_run(f"{base}.run.tsv"), read_perq(f"{base}.perq.tsv")
            mine = {}
            for q, hits in run.items():
                v = ndcg10([d for d, _, _ in hits], qrels.get(q, {}))
                if v is not None:
                    mine[q] = v
            assert set(mine) == set(perq), (s, c, r, set(mine) ^ set(perq))
            diff = max(abs(mine[q][0] - perq[q][0]) for q in perq)
            udiff = max(abs(mine[q][1] - perq[q][1]) for q in perq)
            m = np.mean([v[0] for v in mine.values()])
            b = np.mean([v[0] for v in perq.values()])
            j = json.load(open(f"{base}.json"))
            ok = diff < 5e-5 and udiff == 0 and abs(m - j["ndcg@10"]) < 5e-5
            bad += not ok
            tot += 1
            print(f"{s:6s} {c:11s} {r:8s} n={len(perq):2d} mine={m:.4f} perq={b:.4f} "
                  f"json={j['ndcg@10']:.4f} max|diff|={diff:.2e} unj-diff={udiff} {'OK' if ok else 'MISMATCH'}")
        # The features file's fused order with strong hits first (stable) equals the run.
        feats = read_features(f"{ROOT}/runs/{s}_{c}_hybrid.features.tsv")
        hyb = read_run(f"{ROOT}/runs/{s}_{c}_hybrid.run.tsv")
        same = 0
        for q, rows in feats.items():
            fused = [r["doc"] for r in rows]
            st = {d: x for d, _, x in hyb[q]}
            strong_first = sorted(fused, key=lambda d: st[d] != "strong")
            same += strong_first == [d for d, _, _ in hyb[q]]
        print(f"  fused order (features) + strong first == run for {same}/{len(feats)} queries")
    print(f"{tot - bad}/{tot} runs reproduce")


def cmd_loso():
    data = load_all()
    rows = []
    for held in SETS:
        train = [t for t in SETS if t != held]
        lam, inner = choose_lambda(train, data)
        w, mu, sdv = fit([qd for t in train for qd in data[t]], lam)
        hd = data[held]
        res = {
            "default": mean_ndcg(hd, lambda qd: qd["default"]),
            "lexical": mean_ndcg(hd, lambda qd: qd["lexical"]),
            "semantic": mean_ndcg(hd, lambda qd: qd["semantic"]),
            "fused": mean_ndcg(hd, lambda qd: qd["cand"]),
            "rerank": mean_ndcg(hd, lambda qd: rerank(qd, w, mu, sdv)),
        }
        rows.append((held, len(hd), lam, res, w / sdv))
        print(f"held {held}: lambda={lam} inner={ {k: round(v, 4) for k, v in inner.items()} }")
        print("   w(std) = " + " ".join(f"{f}={x:+.3f}" for f, x in zip(FEATURES, w)))
    print()
    print("| held out | n | lambda | default | lexical | semantic | fused order | re-ranker | re-ranker - default | beats better part |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    diffs, a_ok, c_ok = [], True, True
    for held, n, lam, res, _ in rows:
        f = lambda k: f"{res[k][0]:.4f} ({res[k][1]:.2f})"
        better = max(res["lexical"][0], res["semantic"][0])
        beat = res["rerank"][0] > better
        d = res["rerank"][0] - res["default"][0]
        diffs.append(d)
        a_ok &= d >= -0.010
        c_ok &= beat
        print(f"| {held[0]} {held[1]} | {n} | {lam} | {f('default')} | {f('lexical')} | {f('semantic')} | "
              f"{f('fused')} | {f('rerank')} | {d:+.4f} | {'yes' if beat else 'no'} |")
    md = np.mean([r[3]["default"][0] for r in rows])
    mr = np.mean([r[3]["rerank"][0] for r in rows])
    b2 = [r for r in rows if r[0][0] == "blind2"]
    print(f"\nmean over 6: default {md:.4f}, re-ranker {mr:.4f} (diff {mr - md:+.4f})")
    print(f"blind2 mean: default {np.mean([r[3]['default'][0] for r in b2]):.4f}, "
          f"re-ranker {np.mean([r[3]['rerank'][0] for r in b2]):.4f}")
    ra = mr - md >= 0.010
    print(f"(a) mean >= default + 0.010: {ra}; (b) no set < default - 0.010: {a_ok}; "
          f"(c) beats better part on every set: {c_ok}; ADOPTED: {ra and a_ok and c_ok}")


def cmd_final():
    data = load_all()
    lam, inner = choose_lambda(SETS, data)
    w, mu, sdv = fit([qd for t in SETS for qd in data[t]], lam)
    print(f"lambda={lam} inner={inner}")
    print("feature, training mean, training sd, weight on standardised, weight on raw")
    for f, m, s, x in zip(FEATURES, mu, sdv, w):
        print(f"{f}\t{m:.6f}\t{s:.6f}\t{x:+.6f}\t{x / s:+.6f}")


if __name__ == "__main__":
    {"check": cmd_check, "loso": cmd_loso, "final": cmd_final}[sys.argv[1]]()
