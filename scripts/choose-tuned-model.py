#!/usr/bin/env python3
"""The rule of BENCHMARKS.md "the tuned model as a candidate" (issue #27), applied to the files of
scripts/bench-tuned-model. Fixed before the tuned model's first fused ranking was measured:

- the sets are both corpora of each round given (dev and blind..blind7; blind8 and blind9 are left
  out because many of their useful documents are training documents of the written demands), in
  the hybrid ranker's fused order, judged with docs/judgements after every unjudged document in
  the tuned configurations' top 10 has been judged;
- the candidate is whichever of `tuned` (the tuned model alone) and `tunedadapter` (with the
  shipped adapter on top) has the better mean nDCG@10 over those sets;
- it is adopted if its mean is at least 0.010 above the shipped model's (`shipped`: the wheel's
  model with the shipped adapter) and no set falls more than 0.05 below the shipped model's;
- an adopted candidate is confirmed once on blind10 (both corpora), read for nothing else: its mean
  there must not be below the shipped model's.

    scripts/choose-tuned-model.py DIR ROUNDS        # ROUNDS comma-separated

Standard library only.
"""
import glob
import json
import os
import sys

d, rounds = sys.argv[1], sys.argv[2].split(",")
res = {}
for f in glob.glob(f"{d}/*.json"):
    s, cfg = os.path.basename(f)[:-5].split("__")
    j = json.load(open(f))
    res[(s, cfg)] = (j["ndcg@10"], j["unjudged@10"])
sets = [f"{r}_{c}" for r in rounds for c in ("csl", "kppatent_zh")]
models = ["shipped", "tuned", "tunedadapter"]
rows = [f"{r}-{m}" for r in ("hybrid", "semantic") for m in models] + ["lexical"]


def mean(c, sets_=sets):
    return sum(res[(s, c)][0] for s in sets_) / len(sets_)


print("nDCG@10 (unjudged documents in the top 10, where any)\n")
print("| config | " + " | ".join(sets) + " | mean |")
print("|---" * (len(sets) + 2) + "|")
for c in rows:
    cells = [f"{res[(s, c)][0]:.3f}" + (f" ({res[(s, c)][1]:.2f})" if res[(s, c)][1] > 0 else "")
             for s in sets]
    print(f"| {c} | " + " | ".join(cells) + f" | {mean(c):.4f} |")
print()
for corpus in ("csl", "kppatent_zh"):
    part = [s for s in sets if s.endswith("_" + corpus)]
    print(f"{corpus}: " + ", ".join(f"{m} {mean('hybrid-' + m, part):.4f}" for m in models))
cand = max(["hybrid-tuned", "hybrid-tunedadapter"], key=mean)
gain = mean(cand) - mean("hybrid-shipped")
worst = min(sets, key=lambda s: res[(s, cand)][0] - res[(s, "hybrid-shipped")][0])
drop = res[(worst, "hybrid-shipped")][0] - res[(worst, cand)][0]
print(f"\ncandidate: {cand}, mean {mean(cand):.4f} against shipped {mean('hybrid-shipped'):.4f} "
      f"({gain:+.4f}); worst set {worst} ({-drop:+.3f})")
print("adopted by the rule" if gain >= 0.010 and drop <= 0.05 else "not adopted by the rule")
for c in ("hybrid-shipped", cand):
    m = c.split("-", 1)[1]
    for s in sets:
        part = max(res[(s, "lexical")][0], res[(s, "semantic-" + m)][0])
        if res[(s, c)][0] <= part:
            print(f"  {c} does not beat its better part on {s}: {res[(s, c)][0]:.3f} vs {part:.3f}")
