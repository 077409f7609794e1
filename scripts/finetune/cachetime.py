"""Throughput of caching layer-(FROZEN-1) states for corpus passages (length-sorted batches,
no padding waste), stored as fp16; projected to all 5,655 docs and the 3,960 queries."""
import os
import sys, time, json, resource, numpy as np, torch
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e5torch as E
torch.set_num_threads(2)
def load(): return " ".join(open("/proc/loadavg").read().split()[:3])
FROZEN = 8; N = int(sys.argv[1]) if len(sys.argv) > 1 else 200
c = E.Container(); m = E.E5(c).eval()
docs = E.load_jsonl(f"{E.DATA}/csl/corpus.jsonl")[:N // 2] + E.load_jsonl(f"{E.DATA}/kppatent_zh/corpus.jsonl")[:N // 2]
t0 = time.time()
seqs = [w for d in docs for w in m.windows(E.corpus_passage(d), "passage: ")]
ttok = time.time() - t0
seqs.sort(key=len)
store = []; ntok = 0
t0 = time.time(); l0 = load()
with torch.no_grad():
    j = 0
    while j < len(seqs):
        k = j
        while k < len(seqs) and (k - j + 1) * len(seqs[k]) <= 4096: k += 1
        k = max(k, j + 1)
        b = seqs[j:k]
        x, v, a = m.embed_ids(b); x = m.run_layers(x, a, 0, FROZEN)
        for r, ids in enumerate(b):
            store.append(x[r, :len(ids)].to(torch.float16).clone()); ntok += len(ids)
        j = k
dt = time.time() - t0
nbytes = sum(s.numel() * 2 for s in store)
lens = json.load(open(f"{E.OUT}/lengths.json"))
P = sum(lens["plen"].values()); Q = sum(lens["qlen"])
ms = dt / ntok * 1e3
print(f"{len(docs)} docs, {ntok} tokens: tokenise {ttok:.1f}s, layers 0..7 {dt:.1f}s = {ms:.3f} ms/token; loadavg {l0} -> {load()}")
print(f"fp16 store {nbytes/1e6:.1f} MB = {nbytes/ntok:.0f} B/token")
print(f"projection all 5,655 docs ({P} tokens): {P*ms/60e3:.1f} min, {P*768/1e9:.2f} GB fp16 ({P*1536/1e9:.2f} GB f32)")
print(f"projection 3,960 queries ({Q} tokens): {Q*ms/60e3:.1f} min, {Q*768/1e9:.2f} GB fp16")
print("peak RSS MB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
