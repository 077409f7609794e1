#!/usr/bin/env python3
"""The rules of BENCHMARKS.md "the semantic weight and the adapter share", "the query side's
adapter share", "a demand's focus" and "the adapter trained on more pairs" (issue #27), applied
to the files of scripts/bench-weight-share, scripts/bench-query-share, scripts/bench-demand-focus
and scripts/bench-adapter-compare. ROUNDS: comma-separated.

    scripts/choose-weight-share.py DIR [ROUNDS] [--query-share | --focus | --adapter]

The configuration with the best mean nDCG@10 over the rounds' sets, among those with no set more
than 0.02 below the reference configuration (the default when the rule was fixed); then
leave-one-round-out: chosen on the other rounds by the same rule, measured on the one left out.
Standard library only.
"""
import glob
import json
import os
import sys

args = [a for a in sys.argv[1:] if not a.startswith("--")]
query_share = "--query-share" in sys.argv
focus = "--focus" in sys.argv
other_adapter = "--adapter" in sys.argv
d = args[0]
rounds = args[1].split(",") if len(args) > 1 else ["dev", "blind", "blind2", "blind3"]
if other_adapter:
    # Rule 5: another adapter against the shipped one, at the product's weight.
    cfgs = ["hybrid-shipped", "hybrid-other"]
    reference = "hybrid-shipped"
    parts = ["lexical", "semantic-shipped", "semantic-other"]
    part_of = lambda c: "semantic-" + c.split("-", 1)[1]
elif focus:
    # Rule 3: the semantic list from the demand's focus instead of its whole text.
    cfgs = [f"hybrid-w{w}-{f}" for f in ("whole", "focus") for w in (2, 3)]
    reference = "hybrid-w2-whole"  # the default when the rule was fixed
    parts = ["lexical", "semantic-whole", "semantic-focus"]
    part_of = lambda c: "semantic-" + c.rsplit("-", 1)[1]
elif query_share:
    # Rule 2: the corpus keeps the shipped share ½; the queries' share varies.
    cfgs = [f"hybrid-w{w}-q{a}" for a in ("050", "075", "100") for w in (2, 3)]
    reference = "hybrid-w2-q050"  # the default when the rule was fixed: weight 2, share ½
    parts = ["lexical"] + [f"semantic-q{a}" for a in ("050", "075", "100")]
    part_of = lambda c: f"semantic-q{c[-3:]}"
else:
    cfgs = [f"hybrid-w{w}-a{a}" for a in ("050", "075") for w in (2, 3, 4, 6)]
    reference = "hybrid-w3-a050"  # the default when the rule was fixed: weight 3, share ½
    parts = ["lexical", "semantic-a050", "semantic-a075"]
    part_of = lambda c: f"semantic-a{c[-3:]}"

res = {}
for f in glob.glob(f"{d}/*.json"):
    s, cfg = os.path.basename(f)[:-5].split("__")
    j = json.load(open(f))
    res[(s, cfg)] = (j["ndcg@10"], j["unjudged@10"])
sets = [f"{r}_{c}" for r in rounds for c in ("csl", "kppatent_zh")]


def mean(c, sets_):
    return sum(res[(s, c)][0] for s in sets_) / len(sets_)


def choose(sets_):
    ok = [c for c in cfgs if all(res[(s, c)][0] >= res[(s, reference)][0] - 0.02 for s in sets_)]
    return max(ok, key=lambda c: (mean(c, sets_), c == reference))


print("| config | " + " | ".join(sets) + " | mean |")
print("|---" * (len(sets) + 2) + "|")
for c in cfgs + ([] if other_adapter else ["x-product"]) + parts:
    cells = [f"{res[(s, c)][0]:.3f}" + (f" ({res[(s, c)][1]:.2f})" if res[(s, c)][1] > 0 else "")
             for s in sets]
    print(f"| {c} | " + " | ".join(cells) + f" | {mean(c, sets):.4f} |")
print()
best = choose(sets)
print(f"chosen on {','.join(rounds)}: {best}")
for c in sorted({best, reference}):
    for s in sets:
        part = max(res[(s, "lexical")][0], res[(s, part_of(c))][0])
        if res[(s, c)][0] <= part:
            print(f"  {c} does not beat its better part on {s}: {res[(s, c)][0]:.3f} vs {part:.3f}")
print()
print("| held-out round | chosen on the others | held-out mean | the reference's | worst set (chosen / reference) |")
print("|---|---|---|---|---|")
for r in rounds:
    tune = [s for s in sets if not s.startswith(r + "_")]
    test = [s for s in sets if s.startswith(r + "_")]
    c = choose(tune)
    worst = min(test, key=lambda s: res[(s, c)][0] - res[(s, reference)][0])
    print(f"| {r} | {c} | {mean(c, test):.4f} | {mean(reference, test):.4f} "
          f"| {worst}: {res[(worst, c)][0]:.3f} / {res[(worst, reference)][0]:.3f} |")
