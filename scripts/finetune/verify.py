import os
import sys, time, resource, numpy as np, torch
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e5torch as E
torch.set_num_threads(2)
def load(): return open("/proc/loadavg").read().split()[:3]
t0 = time.time(); c = E.Container(); m = E.E5(c).eval(); print("load s", round(time.time()-t0,1), "loadavg", load())
print({k: v for k, v in c.h.items()})
docs = E.load_jsonl(f"{E.DATA}/csl/corpus.jsonl")
P = [E.corpus_passage(d) for d in docs]
print("digest", E.passages_digest(P), "(cache file passages-59afc963cef7b7c537aa40b8)")
ref = np.fromfile(f"{E.ROOT}/data/bench-vectors/passages-59afc963cef7b7c537aa40b8.f32", "<f4")
assert ref.size == 2000*384, ref.size
ref = torch.from_numpy(ref.reshape(2000, 384))
N = int(sys.argv[1]) if len(sys.argv) > 1 else 50
ntok = [sum(len(w) for w in m.windows(p, "passage: ")) for p in P[:N]]
print("tokens: mean", np.mean(ntok), "max", max(ntok), "windows>1:", sum(t > 512 for t in ntok))
for q8 in (False, True):
    m.set_act_q8(q8)
    t0 = time.time(); v = m.embed(P[:N], "passage: "); dt = time.time()-t0
    cos = (v * ref[:N]).sum(-1)
    print(f"act_q8={q8}: {N} docs in {dt:.1f}s loadavg {load()}  cos min {cos.min():.6f} mean {cos.mean():.6f}  worst idx {int(cos.argmin())}")
print("maxrss MB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss//1024)
