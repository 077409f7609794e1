"""Per-batch train timing of the upper layers on cached lower-layer states, plus what
requantising the tuned layers to Q4_0 does (on the one batch trained on)."""
import os
import sys, time, resource, numpy as np, torch, torch.nn.functional as F
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e5torch as E
torch.set_num_threads(2); torch.manual_seed(0)
def load(): return " ".join(open("/proc/loadavg").read().split()[:3])
def rss(): return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
FROZEN = int(sys.argv[1]) if len(sys.argv) > 1 else 8
LR = float(sys.argv[2]) if len(sys.argv) > 2 else 2e-5
STEPS = int(sys.argv[3]) if len(sys.argv) > 3 else 8
QAT = len(sys.argv) > 4 and sys.argv[4] == "qat"
QT, PT, B = 80, 256, 16
c = E.Container(); m = E.E5(c).eval()
corpus = {d["id"]: d for f in ("csl", "kppatent_zh") for d in E.load_jsonl(f"{E.DATA}/{f}/corpus.jsonl")}
pairs = E.load_jsonl(f"{E.ROOT}/bench/written-demands/demands.jsonl")
rng = np.random.default_rng(1)
def batch(idx):
    ps = [pairs[i] for i in idx]
    qi = [([0] + m.tok.pieces("query: " + p["text"]))[:QT - 1] + [2] for p in ps]
    pi = [([0] + m.tok.pieces("passage: " + E.corpus_passage(corpus[p["doc"]])))[:PT - 1] + [2] for p in ps]
    return qi, pi
def lower(ids):
    with torch.no_grad():
        x, v, a = m.embed_ids(ids); return m.run_layers(x, a, 0, FROZEN), v, a
def pool(x, valid):
    return F.normalize((x * valid[..., None]).sum(1) / valid.sum(1, keepdim=True), dim=-1)
def loss_of(cq, cp):
    q = pool(m.run_layers(cq[0], cq[2], FROZEN), cq[1]); p = pool(m.run_layers(cp[0], cp[2], FROZEN), cp[1])
    return F.cross_entropy(q @ p.T / 0.01, torch.arange(q.shape[0]))
qi, pi = batch(range(B))
qh, ph = batch(rng.choice(np.arange(B, len(pairs)), B, replace=False))   # held-out batch
t0 = time.time(); cq, cp = lower(qi), lower(pi); dt = time.time() - t0
ntok = sum(map(len, qi)) + sum(map(len, pi))
print(f"FROZEN={FROZEN} LR={LR} QAT={QAT}: layers 0..{FROZEN-1} on {ntok} tokens {dt:.2f}s ({dt/ntok*1e3:.3f} ms/tok)  loadavg {load()}")
hq, hp = lower(qh), lower(ph)
for p in m.parameters(): p.requires_grad_(False)
train = [p for l in m.layers[FROZEN:] for p in l.parameters()]
for p in train: p.requires_grad_(True)
with torch.no_grad(): l0, h0 = loss_of(cq, cp).item(), loss_of(hq, hp).item()
for l in m.layers[FROZEN:]: l.qat = QAT
opt = torch.optim.AdamW(train, lr=LR, weight_decay=0.0)
times = []
for it in range(STEPS):
    t0 = time.time()
    loss = loss_of(cq, cp); opt.zero_grad(); loss.backward(); opt.step()
    times.append(time.time() - t0)
    print(f"  step {it}: {times[-1]:.3f}s loss {loss.item():.4f} loadavg {load()}")
st = float(np.median(times[1:]))
print(f"min s/batch {min(times):.3f}; median s/batch {st:.3f} -> epoch (248 batches) {248*st/60:.1f} min; peak RSS {rss()} MB  loadavg {load()}")
with torch.no_grad():
    l1, h1 = loss_of(cq, cp).item(), loss_of(hq, hp).item()
    # requantise every tuned weight matrix to Q4_0 and back
    for l in m.layers: l.qat = False
    changed = tot = 0; dW = []; dd = []
    for li in range(FROZEN, len(m.layers)):
        l = m.layers[li]
        for n in ("q", "k", "v", "ao", "fi", "fo"):
            w = getattr(l, n).weight
            orig = np.frombuffer(c.raw(f"l{li}.{n}.w")[2], np.uint8).reshape(-1, 18)
            rq = E.quantise_q4(w.numpy())
            new = np.frombuffer(rq, np.uint8).reshape(-1, 18)
            on = np.concatenate([orig[:, 2:] & 15, orig[:, 2:] >> 4], 1); nn_ = np.concatenate([new[:, 2:] & 15, new[:, 2:] >> 4], 1)
            changed += (on != nn_).sum(); tot += on.size
            deq = torch.from_numpy(E.dequantise_q4(orig.tobytes()).reshape(w.shape))
            dW.append((w - deq).abs().flatten())
            w.copy_(torch.from_numpy(E.dequantise_q4(rq).reshape(w.shape)))
    dW = torch.cat(dW)
    l2, h2 = loss_of(cq, cp).item(), loss_of(hq, hp).item()
    m.set_act_q8(True); l3, h3 = loss_of(cq, cp).item(), loss_of(hq, hp).item()
print(f"|dW| after {STEPS} steps: mean {dW.mean():.2e} max {dW.max():.2e}; nibbles changed on requantising {changed/tot:.3%}")
print(f"train-batch loss: original {l0:.4f} | tuned f32 {l1:.4f} | tuned->Q4_0 {l2:.4f} | Q4_0 + Q8 activations (Rust-like) {l3:.4f}")
print(f"held-out-batch loss: original {h0:.4f} | tuned f32 {h1:.4f} | tuned->Q4_0 {h2:.4f} | Q4_0 + Q8 act {h3:.4f}")
