#!/usr/bin/env python3
"""Compare forms of the match-strength rule (issue #27, point 3) by the held-out protocol of
scripts/calibrate-strength.py (same sets, schemes (a)-(c), same choice criterion).

    scripts/compare-strength-forms.py NAME=pair:KEPT.tsv,DROPPED.tsv ... NAME=blind:KEPT.tsv,QRELS.tsv ...

Each form is a procedure: its settings and threshold are chosen on the tuning demands (most
answers strong among rules giving at most 20 % of answer-less demands a strong top hit), then
measured on the held-out set-folds. Forms (fixed before the comparison, BENCHMARKS.md
"2026-12-06 (late): forms of the strength rule"):
- P0, the current procedure: cosine - c_K >= m or z >= t, optionally lexical rank <= L;
- F1: z + w * coverage (coverage: BM25 score over the query's lexical ceiling);
- F2: cosine - c_K >= m and coverage >= r;
- F3: cosine - c_K >= m and lexical rank <= L and semantic rank <= S;
- F4: a logistic score of z, coverage and log lexical rank, fitted on the tuning demands;
and the product's fixed rule (in sample everywhere). A form beats P0 if fewer of the 12
held-out set-folds exceed the 20 % bound, with pooled answers strong not lower (equal counts:
more answers strong). Standard library only.
"""
import importlib.util
import math
import os
import sys
from collections import defaultdict
spec = importlib.util.spec_from_file_location(
    "cal", os.path.join(os.path.dirname(os.path.abspath(__file__)), "calibrate-strength.py"))
cal = importlib.util.module_from_spec(spec); spec.loader.exec_module(cal)

SPECS = []

def parse(r):
    d = dict(r)
    for k in ("cosine","c1","c5","c10","c20","c50","c100","c200","mean","sd","lexical_score","lexical_top","lexical_ceiling"):
        d[k] = cal.num(r.get(k))
    for k in ("rank","lexical_rank","semantic_rank","lexical_count","query_chars","grade"):
        d[k] = int(r[k]) if r.get(k) not in (None,"") else 0
    return d

class D:
    def __init__(s, set_, qid, neg, pos):
        s.set, s.qid, s.neg, s.pos = set_, qid, neg, pos

def load():
    return [D(name, q, [parse(r) for r in neg] if neg is not None else None, parse(ans) if ans else None)
            for name, q, neg, ans in cal.demand_rows(SPECS)]

def cov(r):
    if not r["lexical_ceiling"]: return 0.0
    return (r["lexical_score"] or 0.0) / r["lexical_ceiling"]
def z(r):
    if r["cosine"] is None or not r["sd"]: return None
    return (r["cosine"] - r["mean"]) / r["sd"]
def lr(r):
    return r["lexical_rank"] if r["lexical_rank"] else 10**6
def sr(r):
    return r["semantic_rank"] if r["semantic_rank"] else 10**6

# ---- families: name -> list of (params, score(row) -> float|None)
def fam_P0():
    out = []
    for bg in cal.BACKGROUNDS:
        for L in cal.LEXICAL:
            out.append((("margin", bg, L), lambda r, bg=bg, L=L: (r["cosine"] - r[bg]) if r["cosine"] is not None and r[bg] is not None and (L is None or lr(r) <= L) else None))
    for L in cal.LEXICAL:
        out.append((("z", L), lambda r, L=L: z(r) if (L is None or lr(r) <= L) else None))
    return out
def fam_F1():
    out = []
    for w in (0.5, 1, 2, 4, 8, 16, 32, 64):
        out.append((("z+w*cov", w), lambda r, w=w: (z(r) + w * cov(r)) if z(r) is not None else None))
    return out
def fam_F2():
    out = []
    for bg in ("c10", "c50", "c200"):
        for rr in (0.0, 0.02, 0.04, 0.06, 0.08, 0.1, 0.12, 0.15, 0.2, 0.25, 0.3):
            out.append((("margin&cov", bg, rr), lambda r, bg=bg, rr=rr: (r["cosine"] - r[bg]) if r["cosine"] is not None and cov(r) >= rr else None))
    return out
def fam_F3():
    out = []
    for bg in ("c10", "c50", "c200"):
        for L in (3, 10, 50):
            for S in (1, 3, 5, 10):
                out.append((("margin&lex&sem", bg, L, S), lambda r, bg=bg, L=L, S=S: (r["cosine"] - r[bg]) if r["cosine"] is not None and lr(r) <= L and sr(r) <= S else None))
    return out

P0_GRID = True

def thresholds_grid(kind):
    if kind == "z":
        return [round(1.0 + 0.1 * i, 2) for i in range(71)]
    return [round(0.0025 * i, 4) for i in range(61)]

def evaluate(vals, t):
    """vals: list of (neg_max or None or 'NA', pos or None or 'NA')"""
    fp = nd = tp = nk = 0
    for n, p in vals:
        if n != "NA":
            nd += 1; fp += n is not None and n >= t - 1e-9
        if p != "NA":
            nk += 1; tp += p is not None and p >= t - 1e-9
    return fp, nd, tp, nk

def demand_vals(demands, f):
    out = []
    for d in demands:
        if d.neg is not None:
            ss = [f(r) for r in d.neg]; ss = [s for s in ss if s is not None]
            n = max(ss) if ss else None
        else:
            n = "NA"
        p = "NA" if d.pos is None else f(d.pos)
        out.append((n, p))
    return out

def key(fp, nd, tp, nk):
    fpr, tpr = fp / max(nd, 1), tp / max(nk, 1)
    ok = fpr <= 0.20
    return (ok, tpr if ok else -fpr, -fpr)

def choose(demands, family, grid_thresholds=False):
    best = None
    for params, f in family:
        vals = demand_vals(demands, f)
        if grid_thresholds:
            ts = thresholds_grid(params[0])
        else:
            u = sorted({v for pair in vals for v in pair if v not in (None, "NA")})
            ts = [u[0] - 1] + [(a + b) / 2 for a, b in zip(u, u[1:])] + [u[-1] + 1] if u else [0]
        for t in ts:
            k = key(*evaluate(vals, t)) + ((t,) if grid_thresholds else ())
            if best is None or k > best[0]:
                best = (k, params, f, t)
    return best[1], best[2], best[3]

def choose_mid(demands, family):
    allk = []
    for params, f in family:
        vals = demand_vals(demands, f)
        u = sorted({v for pair in vals for v in pair if v not in (None, "NA")})
        ts = ([u[0] - 1] + [(a + b) / 2 for a, b in zip(u, u[1:])] + [u[-1] + 1]) if u else [0]
        for t in ts:
            allk.append((key(*evaluate(vals, t)), params, f, t))
    bk = max(k for k, *_ in allk)
    ties = [x for x in allk if x[0] == bk]
    # the first family setting reaching it, at the middle of its equal-outcome thresholds
    p0 = ties[0][1]
    same = [x for x in ties if x[1] == p0]
    k, params, f, t = same[len(same) // 2]
    return params, f, t

def lfeat(r):
    zz = z(r)
    if zz is None: return None
    return (zz, cov(r), math.log(min(lr(r), 201)))

def fit_logistic(demands, iters=3000, lr_=0.1, l2=1e-3):
    X, Y, W = [], [], []
    for d in demands:
        if d.pos is not None and lfeat(d.pos) is not None:
            X.append(lfeat(d.pos)); Y.append(1); W.append(1.0)
        if d.neg is not None:
            rows = [lfeat(r) for r in d.neg if lfeat(r) is not None]
            for x in rows:
                X.append(x); Y.append(0); W.append(1.0 / len(rows))
    k = len(X[0])
    mu = [sum(x[j] for x in X) / len(X) for j in range(k)]
    sd = [max(1e-9, math.sqrt(sum((x[j] - mu[j]) ** 2 for x in X) / len(X))) for j in range(k)]
    Xs = [[(x[j] - mu[j]) / sd[j] for j in range(k)] for x in X]
    # Newton (IRLS) on [1, x], small ridge
    A = [[1.0] + x for x in Xs]; m = k + 1
    beta = [0.0] * m
    for _ in range(25):
        g = [0.0] * m; H = [[0.0] * m for _ in range(m)]
        for a, y, wt in zip(A, Y, W):
            s_ = sum(bj * aj for bj, aj in zip(beta, a))
            p = 1 / (1 + math.exp(-max(-30, min(30, s_))))
            for i in range(m):
                g[i] += wt * (p - y) * a[i]
                for j in range(m):
                    H[i][j] += wt * p * (1 - p) * a[i] * a[j]
        for i in range(1, m):
            g[i] += l2 * beta[i]; H[i][i] += l2
        # solve H d = g
        M = [H[i][:] + [g[i]] for i in range(m)]
        for c in range(m):
            piv = max(range(c, m), key=lambda r: abs(M[r][c])); M[c], M[piv] = M[piv], M[c]
            for r in range(m):
                if r != c:
                    fct = M[r][c] / M[c][c]
                    M[r] = [x - fct * y for x, y in zip(M[r], M[c])]
        d = [M[i][m] / M[i][i] for i in range(m)]
        beta = [bj - dj for bj, dj in zip(beta, d)]
    b, w = beta[0], beta[1:]
    # back to raw scale: s = b + sum w_j (x_j - mu_j)/sd_j
    coef = [wj / sdj for wj, sdj in zip(w, sd)]
    icpt = b - sum(c * m for c, m in zip(coef, mu))
    return coef, icpt

def choose_F4(demands):
    coef, icpt = fit_logistic(demands)
    f = lambda r, coef=coef, icpt=icpt: (icpt + sum(c * x for c, x in zip(coef, lfeat(r)))) if lfeat(r) is not None else None
    params, f, t = choose_mid(demands, [(("logit", tuple(round(c, 3) for c in coef), round(icpt, 3)), f)])
    return params, f, t

PRODUCT_NOW = (("margin", "c200", 10), lambda r: (r["cosine"] - r["c200"]) if r["cosine"] is not None and r["c200"] is not None and lr(r) <= 10 else None, 0.0325)

def procedures():
    return {
        "P0 current": lambda ds: choose(ds, fam_P0(), grid_thresholds=True),
        "F1 z+w*cov": lambda ds: choose_mid(ds, fam_F1()),
        "F2 margin&cov": lambda ds: choose_mid(ds, fam_F2()),
        "F3 margin&lex&sem": lambda ds: choose_mid(ds, fam_F3()),
        "F4 logistic": choose_F4,
        "fixed product rule": lambda ds: PRODUCT_NOW,
    }

def units(demands):
    sets = sorted({d.set for d in demands})
    dev = [s for s in sets if not s.startswith("blind")]; blind = [s for s in sets if s.startswith("blind")]
    of = lambda pred: [d for d in demands if pred(d)]
    sch = [("(a)", of(lambda d: d.set in dev), [(s, "all") for s in blind]),
           ("(b)", of(lambda d: d.set in blind), [(s, "all") for s in dev])]
    for tune, test in (("A", "B"), ("B", "A")):
        sch.append(("(c)", of(lambda d, t=tune: cal.fold_of(d.qid) == t), [(s, test) for s in sets]))
    for name, tune_ds, tests in sch:
        held = [(s, fold, of(lambda d, s=s, fold=fold: d.set == s and (fold == "all" or cal.fold_of(d.qid) == fold))) for s, fold in tests]
        yield name, tune_ds, held

def run(demands, procs, verbose=False):
    res = {}
    print("| form | held-out set-folds over 20 % | answers strong, pooled | answer-less strong, pooled |")
    print("|---|---|---|---|")
    for pname, proc in procs.items():
        over = 0; TP = NK = FP = ND = 0; lines = []
        for sname, tune_ds, held in units(demands):
            params, f, t = proc(tune_ds)
            for s, fold, ds in held:
                fp, nd, tp, nk = evaluate(demand_vals(ds, f), t)
                over += nd > 0 and fp / nd > 0.20
                TP += tp; NK += nk; FP += fp; ND += nd
                lines.append(f"  {sname} {params} t={t:.4f} {s} {fold}: answer-less {fp}/{nd} answers {tp}/{nk}")
        res[pname] = (over, TP, NK, FP, ND)
        if verbose:
            print("\n".join(lines))
        print(f"| {pname} | {over} of 12 | {TP}/{NK} ({100*TP/NK:.0f} %) | {FP}/{ND} ({100*FP/ND:.0f} %) |")
    return res

if __name__ == "__main__":
    SPECS = [a for a in sys.argv[1:] if a != "-v"]
    ds = load()
    run(ds, procedures(), verbose="-v" in sys.argv)
