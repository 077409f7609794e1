"""Exploratory probe (issue #27): does fine-tuning e5's layers 8..11 with quantisation-aware
training (QAT) on the written demands improve semantic-only ranking on demand sets never
trained on?

    /tmp/ft-venv/bin/python scripts/finetune/qat_probe.py

1. Caches the states after layer 7 (act_q8 on, as the Rust engine) of every window of all
   5,655 corpus documents (both corpora), the training queries (cut to 160 tokens) and the
   training passages cut to 256 tokens, and every window of the evaluation queries. fp16.
2. Trains layers 8..11 (weights, biases, layer norms) with QAT, AdamW lr 5e-5, batch 16,
   in-batch negatives (a batch's other copies of the same document are masked out of the
   negatives), temperature 0.01, one epoch, shuffled with seed 0, act_q8 off while training
   (its rounding has no gradient).
3. Rounds the tuned weights to Q4_0 and checks that changes nothing against QAT's forward.
4. Ranks every corpus document by cosine for each demand of demands_dev and blind..blind9
   (papers and patents), with (a) the shipped model, (b) the tuned model rounded to Q4_0,
   (c) the shipped model with the shipped adapter (normalise(W v) on both sides, model.rs).
   Multi-window texts are pooled as model.rs does (sum of all windows' token states, L2).
   nDCG@10 (gain = grade, ideal from all known grades, unjudged = 0) over the demands with a
   grade >= 1 in the round's own qrels (scripts/demand-titles.py `qrels()`).

Writes target/finetune/qat_probe.md. bench/demands_blind10 is never read.
"""
import importlib.util
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e5torch as E  # noqa: E402

_spec = importlib.util.spec_from_file_location(
    "demand_titles", os.path.join(E.ROOT, "scripts", "demand-titles.py"))
titles = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(titles)

torch.set_num_threads(2)
torch.manual_seed(0)
FROZEN, QT, PT, B, LR, TEMP = 8, 160, 256, 16, 5e-5, 0.01
ROUNDS = ["dev"] + ["blind" + s for s in ["", "2", "3", "4", "5", "6", "7", "8", "9"]]
CORPORA = ["csl", "kppatent_zh"]
T0 = time.time()


def log(*a):
    print(f"[{time.time() - T0:7.1f}s]", *a, flush=True)


c = E.Container()
m = E.E5(c).eval()
for p in m.parameters():
    p.requires_grad_(False)
m.set_act_q8(True)
tok = m.tok


clip, batches, stack = m.clip, E.length_batches, E.stack_states


def cache7(seqs):
    """Layer-7 states (fp16) of id sequences, act_q8 on."""
    return m.states_upto(seqs, FROZEN)


@torch.no_grad()
def upper_vectors(states, owner, n):
    """Runs cached states through layers 8..11; sums token states per owner; L2."""
    sums = torch.zeros(n, m.h["hidden"])
    for idx in batches([s.shape[0] for s in states]):
        x, valid, add = stack([states[i] for i in idx])
        x = m.run_layers(x, add, FROZEN)
        s = (x * valid[..., None]).sum(1)
        for r, i in enumerate(idx):
            sums[owner[i]] += s[r]
    return F.normalize(sums, dim=-1)


# ------------------------------------------------------------------ corpus cache
SMOKE = int(os.environ.get("QAT_PROBE_SMOKE", "0"))  # >0: a quick check of the code on a few documents
docs = {cn: E.load_jsonl(f"{E.DATA}/{cn}/corpus.jsonl") for cn in CORPORA}
if SMOKE:
    docs = {cn: ds[:SMOKE] for cn, ds in docs.items()}
all_docs = [(cn, d) for cn in CORPORA for d in docs[cn]]
doc_windows, doc_owner, doc_first = [], [], {}
multi = 0
for i, (cn, d) in enumerate(all_docs):
    ws = m.windows(E.corpus_passage(d), "passage: ")
    multi += len(ws) > 1
    doc_first[d["id"]] = (len(doc_windows), len(ws))
    for w in ws:
        doc_windows.append(w); doc_owner.append(i)
log(f"corpus: {len(all_docs)} documents, {len(doc_windows)} windows, {multi} with more than one window")
doc_states = cache7(doc_windows)
log(f"corpus layer-7 cache done: {sum(s.shape[0] for s in doc_states)} tokens")

# ------------------------------------------------------------------ evaluation queries
evalq = {}  # (round, corpus) -> list of (id, text)
for r in ROUNDS:
    d = f"{E.DATA}/demands_dev" if r == "dev" else f"{E.ROOT}/bench/demands_{r}"
    for cn in CORPORA:
        evalq[(r, cn)] = [(q["id"], q["text"]) for q in E.load_jsonl(f"{d}/queries_{cn}.jsonl")]
eq_list = [(k, qid, t) for k, qs in evalq.items() for qid, t in qs]
eq_windows, eq_owner = [], []
eq_multi = 0
for i, (_, _, t) in enumerate(eq_list):
    ws = m.windows(t, "query: ")
    eq_multi += len(ws) > 1
    for w in ws:
        eq_windows.append(w); eq_owner.append(i)
eq_states = cache7(eq_windows)
log(f"eval queries: {len(eq_list)} ({eq_multi} with more than one window) cached")

# ------------------------------------------------------------------ base vectors (a), (c)
base_docv = upper_vectors(doc_states, doc_owner, len(all_docs))
base_qv = upper_vectors(eq_states, eq_owner, len(eq_list))
W = torch.from_numpy(np.fromfile(f"{E.ROOT}/crates/qiao-embed/adapter/demands-half.f32", "<f4").reshape(384, 384).copy())
adapt = lambda v: F.normalize(v @ W.T, dim=-1)  # out_i = sum_j W[i, j] v_j, then L2 (model.rs)
log("base vectors done")

# ------------------------------------------------------------------ training data
pairs = E.load_jsonl(f"{E.ROOT}/bench/written-demands/demands.jsonl") + \
    E.load_jsonl(f"{E.ROOT}/bench/written-demands/wave3.jsonl")
doc_by_id = {d["id"]: (cn, d) for cn, d in all_docs}
if SMOKE:
    pairs = [p for p in pairs if p["doc"] in doc_by_id][:48]
tq = [clip(tok.pieces("query: " + p["text"]), QT) for p in pairs]
tq_states = cache7(tq)
# passages cut to 256: reuse the corpus cache when the cut sequence is the document's only window
tp_states, extra_ids, extra_at = [], [], {}
for p in pairs:
    start, nw = doc_first[p["doc"]]
    ids = clip(tok.pieces("passage: " + E.corpus_passage(doc_by_id[p["doc"]][1])), PT)
    if nw == 1 and doc_windows[start] == ids:
        tp_states.append(doc_states[start])
    else:
        if p["doc"] not in extra_at:
            extra_at[p["doc"]] = len(extra_ids); extra_ids.append(ids)
        tp_states.append(extra_at[p["doc"]])
ex_states = cache7(extra_ids)
tp_states = [ex_states[s] if isinstance(s, int) else s for s in tp_states]
log(f"training cache: {len(pairs)} pairs, {len(extra_ids)} passages recomputed cut to {PT}, "
    f"{sum(len(x) >= QT for x in tq)} queries cut to {QT}")


# ------------------------------------------------------------------ training
def pool(x, valid):
    return F.normalize((x * valid[..., None]).sum(1) / valid.sum(1, keepdim=True), dim=-1)


def enc(states):
    x, valid, add = stack(states)
    return pool(m.run_layers(x, add, FROZEN), valid)


def batch_loss(idx):
    q = enc([tq_states[i] for i in idx]); p = enc([tp_states[i] for i in idx])
    logits = q @ p.T / TEMP
    dd = [pairs[i]["doc"] for i in idx]
    same = torch.tensor([[a == b and r != s for s, b in enumerate(dd)] for r, a in enumerate(dd)])
    logits = logits.masked_fill(same, float("-inf"))
    return F.cross_entropy(logits, torch.arange(len(idx)))


m.set_act_q8(False)
train = [p for l in m.layers[FROZEN:] for p in l.parameters()]
for p in train:
    p.requires_grad_(True)
for l in m.layers[FROZEN:]:
    l.qat = True
opt = torch.optim.AdamW(train, lr=LR, weight_decay=0.0)
perm = np.random.default_rng(0).permutation(len(pairs))
steps = [perm[i:i + B] for i in range(0, len(perm), B)]
probe = steps[0]
with torch.no_grad():
    probe0 = batch_loss(probe).item()
curve, run = [], []
t_train = time.time()
for it, idx in enumerate(steps):
    loss = batch_loss(idx)
    opt.zero_grad(); loss.backward(); opt.step()
    run.append(loss.item())
    if (it + 1) % 20 == 0 or it + 1 == len(steps):
        curve.append((it + 1, float(np.mean(run))))
        log(f"step {it + 1}/{len(steps)} loss (mean of last {len(run)}) {np.mean(run):.4f}")
        run = []
t_train = time.time() - t_train
log(f"training: {t_train / 60:.1f} min")
for p in train:
    p.requires_grad_(False)

# ------------------------------------------------------------------ rounding to Q4_0
with torch.no_grad():
    probe_qat = batch_loss(probe).item()
    maxdiff, changed, tot = 0.0, 0, 0
    for li in range(FROZEN, len(m.layers)):
        l = m.layers[li]
        for n in ("q", "k", "v", "ao", "fi", "fo"):
            w = getattr(l, n).weight
            fq = E.fake_q4(w)
            rq = E.quantise_q4(w.numpy())
            deq = torch.from_numpy(E.dequantise_q4(rq).reshape(w.shape))
            maxdiff = max(maxdiff, (deq - fq).abs().max().item())
            orig = np.frombuffer(c.raw(f"l{li}.{n}.w")[2], np.uint8)
            new = np.frombuffer(rq, np.uint8)
            changed += int((orig.reshape(-1, 18) != new.reshape(-1, 18)).any(1).sum()); tot += len(orig) // 18
            w.copy_(deq)
        l.qat = False
    probe_round = batch_loss(probe).item()
log(f"rounding: max |Q4_0(w) - fake_q4(w)| = {maxdiff:.3g}; probe-batch loss before training {probe0:.4f}, "
    f"QAT {probe_qat:.4f}, rounded {probe_round:.4f}; Q4_0 blocks changed vs container {changed}/{tot}")

# ------------------------------------------------------------------ tuned vectors (b)
m.set_act_q8(True)
tuned_docv = upper_vectors(doc_states, doc_owner, len(all_docs))
tuned_qv = upper_vectors(eq_states, eq_owner, len(eq_list))
log("tuned vectors done")

# ------------------------------------------------------------------ evaluation
rankers = {"a": (base_qv, base_docv), "b": (tuned_qv, tuned_docv), "c": (adapt(base_qv), adapt(base_docv))}
doc_rows = {cn: [i for i, (k, _) in enumerate(all_docs) if k == cn] for cn in CORPORA}
q_row = {(k, qid): i for i, (k, qid, _) in enumerate(eq_list)}


def ndcg(ranked, grades):
    dcg = sum(grades.get(d, 0) / math.log2(r + 2) for r, d in enumerate(ranked[:10]))
    ideal = sorted((g for g in grades.values() if g > 0), reverse=True)[:10]
    idcg = sum(g / math.log2(r + 2) for r, g in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


rows = []
for r in ROUNDS:
    for cn in CORPORA:
        own, graded = titles.qrels(r, cn)
        counted = [qid for qid, _ in evalq[(r, cn)] if any(g >= 1 for g in own.get(qid, {}).values())]
        dr = doc_rows[cn]; ids = [all_docs[i][1]["id"] for i in dr]
        res = {}
        for name, (qv, dv) in rankers.items():
            sims = qv[[q_row[((r, cn), q)] for q in counted]] @ dv[dr].T
            top = sims.topk(10, dim=1).indices.tolist()
            nd, un = [], []
            for q, t in zip(counted, top):
                ranked = [ids[j] for j in t]
                nd.append(ndcg(ranked, graded[q])); un.append(sum(d not in graded[q] for d in ranked))
            res[name] = (float(np.mean(nd)), float(np.mean(un)))
        rows.append((r, cn, len(counted), res))
        log(f"{r:7s} {cn:12s} n={len(counted):2d} " + " ".join(f"{k}={v[0]:.4f}/{v[1]:.1f}" for k, v in res.items()))

out = ["# QAT probe: layers 8..11 tuned on the written demands (scripts/finetune/qat_probe.py)", "",
       f"Training: {len(pairs)} pairs, {len(steps)} steps of {B}, lr {LR}, T {TEMP}, QAT, one epoch, "
       f"{t_train / 60:.1f} min. Loss (mean per 20 steps): " + ", ".join(f"{s}:{l:.3f}" for s, l in curve), "",
       f"Rounding: max |Q4_0(w) - fake_q4(w)| = {maxdiff:.3g}; probe-batch loss before {probe0:.4f}, after QAT "
       f"{probe_qat:.4f}, after rounding {probe_round:.4f}; Q4_0 blocks whose bytes (scale or nibbles) differ from the container {changed}/{tot}.", "",
       f"Corpus documents with more than one window: {multi} (pooled as model.rs); eval queries: {eq_multi}.", "",
       "nDCG@10 semantic only; (a) shipped model, (b) tuned + Q4_0, (c) shipped + adapter; unjudged@10 in brackets.", "",
       "| set | corpus | n | (a) | (b) | (c) |", "|---|---|---|---|---|---|"]
for r, cn, n, res in rows:
    out.append(f"| {r} | {cn} | {n} | " + " | ".join(f"{res[k][0]:.4f} ({res[k][1]:.1f})" for k in "abc") + " |")
blind = [x for x in rows if x[0] != "dev"]
out.append("| mean of 18 blind sets | | | " + " | ".join(
    f"{np.mean([x[3][k][0] for x in blind]):.4f} ({np.mean([x[3][k][1] for x in blind]):.1f})" for k in "abc") + " |")
os.makedirs(E.OUT, exist_ok=True)
open(f"{E.OUT}/qat_probe{'_smoke' if SMOKE else ''}.md", "w").write("\n".join(out) + "\n")
print("\n".join(out))
log("done")
