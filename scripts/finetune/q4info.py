import os
import sys, numpy as np
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e5torch as E
c = E.Container()
print("container bytes", os.path.getsize(E.MODEL_PATH))
tot = {}
for name, (dt, el, off, size) in c.tensors.items():
    key = name.split(".")[0]
    tot.setdefault(key, [0, 0, 0]); tot[key][dt] += size; tot[key][2] += el
for k in ["emb", "l0", "l8", "l11"]:
    print(k, "f32 bytes", tot[k][0], "q4 bytes", tot[k][1], "elements", tot[k][2])
up = sum(tot[f"l{i}"][0] + tot[f"l{i}"][1] for i in range(8, 12))
print("layers 8..11 total bytes", up, "of which Q4_0", sum(tot[f"l{i}"][1] for i in range(8, 12)))
print("dtypes", {n: t[0] for n, t in c.tensors.items() if n.startswith("l8.")})
# round trip and scales
same = 0; nb = 0; ds = []; has0 = 0
for i in range(8, 12):
    for n in ("q", "k", "v", "ao", "fi", "fo"):
        _, el, raw = c.raw(f"l{i}.{n}.w")
        w = E.dequantise_q4(raw)
        rq = E.quantise_q4(w)
        a = np.frombuffer(raw, np.uint8).reshape(-1, 18); b = np.frombuffer(rq, np.uint8).reshape(-1, 18)
        same += (a == b).all(1).sum(); nb += len(a)
        ds.append(np.abs(a[:, :2].copy().view("<f2").astype(np.float32).ravel()))
        q = np.concatenate([a[:, 2:] & 15, a[:, 2:] >> 4], 1)
        has0 += (q == 0).any(1).sum()
ds = np.concatenate(ds)
print(f"blocks {nb}: requantise(dequantise) bit-identical {same/nb:.4%}; blocks with a nibble 0 (-8): {has0/nb:.4%}")
print("scale d: median", np.median(ds), "p10", np.percentile(ds, 10), "p90", np.percentile(ds, 90), "-> half-step median", np.median(ds)/2)
