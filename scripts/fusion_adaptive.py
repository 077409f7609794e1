#!/usr/bin/env python3
"""Fusion research, follow-up (docs/fusion-research.md, "Lexical confidence"): does the lexical
ranking's own confidence (its top-1 score over its top-2 score) tell which queries the 3-list
RRF should leave to the lexical ranking? Scores the demand sets and the known-item sets from the
same cache as fusion_eval.py (run that pipeline first, with FUSION_KNOWN_ITEM=1).

  python3 scripts/fusion_adaptive.py [CACHE [SHARED_DATA]]
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fusion_eval as F  # noqa: E402

C = sys.argv[1] if len(sys.argv) > 1 else "/tmp/fusion-cache"
D = sys.argv[2] if len(sys.argv) > 2 else F.DATA


def ratio(s, qi):
    """Lexical top-1 score over top-2 score (10 when there is no second document)."""
    q = s.qids[qi]; r = s.lex_rank[q]
    if len(r) < 2: return 10.0
    a, b = s.lex[qi, r[0]], s.lex[qi, r[1]]
    return float(a / b) if b > 0 else 10.0
sets = [F.Set(n, C, D) for n in F.SETS] + [F.Set(c, C, D, t) for c, t in F.KNOWN_ITEM]
for s in sets:
    rs = np.array([ratio(s, qi) for qi in range(len(s.qids))])
    print(f"{s.name:22s} top1/top2 median {np.median(rs):.2f}  p10 {np.percentile(rs,10):.2f}  p90 {np.percentile(rs,90):.2f}")


def m_weighted(s, power):
    """3-list RRF with the plain lexical list weighted (top1/top2) ** power."""
    run = F.load_run(os.path.join(s.dir, "lexical_expanded_1.run"))
    out = {}
    for qi, q in enumerate(s.qids):
        w = ratio(s, qi) ** power
        lst = [s.doc_index[d] for d, _ in run.get(q, [])]
        c = s.cos["query"][qi]
        f = F.rrf_scores(len(s.doc_ids), [s.lex_rank[q], lst, list(F.top(c, 200))], k=60, weights=[w, 1.0, 1.0])
        out[q] = F.order(f + 1e-9 * c)
    return out
def m_gate(s, tau):
    """The lexical ranking when top1/top2 >= tau, else the 3-list RRF."""
    best = F.m_expanded(s, 1, "rrf3"); lex = F.m_lexical(s)
    return {q: (lex[q] if ratio(s, qi) >= tau else best[q]) for qi, q in enumerate(s.qids)}
print("| set | lexical | e5 | 3-list RRF | lexical weight = top1/top2 | (top1/top2)^2 | (top1/top2)^4 | lexical if top1/top2 >= 2 |")
print("|---|---|---|---|---|---|---|---|")
for s in sets:
    cells = [F.mean(F.evaluate(s, fn(s))) for fn in (F.m_lexical, F.m_e5, lambda s: F.m_expanded(s, 1, "rrf3"),
             lambda s: m_weighted(s, 1), lambda s: m_weighted(s, 2), lambda s: m_weighted(s, 4), lambda s: m_gate(s, 2.0))]
    print(f"| {s.name} | " + " | ".join(f"{c:.4f}" for c in cells) + " |")
