"""multilingual-e5-small in PyTorch, read from Qiao's "E5S1" container (e5-small-q4.bin).

Research code for fine-tuning the model's upper layers (issue #27; README.md here), not shipped
and not part of the tests. Needs torch and numpy from PyPI. Ports of:
  crates/qiao-embed/src/container.rs  (layout)
  crates/qiao-embed/src/quant.rs      (Q4_0 dequantisation)
  crates/qiao-embed/src/tokenizer.rs  (unigram Viterbi over the container's pieces)
  crates/qiao-embed/src/model.rs      (embeddings, 12 post-LN layers, erf GELU, mean pool, L2)
  crates/qiao-search/src/semantic.rs  (corpus_passage: title + " " + text, trimmed, 1000 chars)

`act_q8=True` additionally emulates the Rust engine's Q8_0 quantisation of the activations
before every linear layer (per row, per block of 32 inputs, scale max|x|/127, ties-to-even).
"""
import hashlib
import json
import math
import os
import struct

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DATA = os.environ.get("QIAO_SHARED_DATA", os.path.join(ROOT, "..", "shared", "data"))
MODEL_PATH = os.path.join(os.environ.get("QIAO_MODEL_DIR", os.path.join(ROOT, "data", "model")), "e5-small-q4.bin")
OUT = os.path.join(ROOT, "target", "finetune")
SPACE_MARK = "\u2581"
EMBED_CHARS = 1000


# ---------------------------------------------------------------- container
class Container:
    def __init__(self, path=MODEL_PATH):
        b = open(path, "rb").read()
        self.bytes = b
        assert b[:4] == b"E5S1", "not an E5S1 container"
        pos = 4
        (version, hidden, layers, heads, ff, vocab_rows, positions, token_types) = struct.unpack_from("<8I", b, pos)
        pos += 32
        (eps,) = struct.unpack_from("<f", b, pos)
        pos += 4
        (quant_block, pieces, bos, eos, pad, unk) = struct.unpack_from("<6I", b, pos)
        pos += 24
        (text_len,) = struct.unpack_from("<Q", b, pos)
        pos += 8
        assert version == 1 and quant_block == 32
        self.h = dict(version=version, hidden=hidden, layers=layers, heads=heads, ff=ff,
                      vocab_rows=vocab_rows, positions=positions, token_types=token_types,
                      eps=eps, quant_block=quant_block, pieces=pieces, bos=bos, eos=eos, pad=pad, unk=unk)
        n = pieces
        offsets = np.frombuffer(b, "<u4", n + 1, pos); pos += 4 * (n + 1)
        self.scores = np.frombuffer(b, "<f4", n, pos).copy(); pos += 4 * n
        text = b[pos:pos + text_len]; pos += text_len
        self.pieces = [text[offsets[i]:offsets[i + 1]].decode("utf-8") for i in range(n)]
        (entries, table_len) = struct.unpack_from("<2I", b, pos); pos += 8
        start = pos
        self.normalisation = {}
        for _ in range(entries):
            cp, cnt = struct.unpack_from("<IB", b, pos); pos += 5
            to = struct.unpack_from(f"<{cnt}I", b, pos); pos += 4 * cnt
            self.normalisation[chr(cp)] = "".join(chr(t) for t in to)
        assert pos - start == table_len
        (count,) = struct.unpack_from("<I", b, pos); pos += 4
        self.tensors = {}
        for _ in range(count):
            (nl,) = struct.unpack_from("<H", b, pos); pos += 2
            name = b[pos:pos + nl].decode(); pos += nl
            dtype, elements, offset, size = struct.unpack_from("<BIQQ", b, pos); pos += 1 + 4 + 8 + 8
            self.tensors[name] = (dtype, elements, offset, size)

    def raw(self, name):
        dtype, elements, offset, size = self.tensors[name]
        return dtype, elements, self.bytes[offset:offset + size]

    def f32(self, name, shape):
        dtype, elements, data = self.raw(name)
        if dtype == 0:
            a = np.frombuffer(data, "<f4").copy()
        else:
            a = dequantise_q4(data)
        return a.reshape(shape)


def dequantise_q4(data):
    """Q4_0: per 18-byte block an f16 scale d and 16 bytes; byte j = weight j (low nibble),
    weight j+16 (high nibble); value = (nibble - 8) * d."""
    blk = np.frombuffer(data, np.uint8).reshape(-1, 18)
    d = blk[:, :2].copy().view("<f2").astype(np.float32)  # [nb, 1]
    q = blk[:, 2:]
    lo = (q & 0x0F).astype(np.int8) - 8
    hi = (q >> 4).astype(np.int8) - 8
    vals = np.concatenate([lo, hi], axis=1).astype(np.float32) * d
    return vals.reshape(-1)


def quantise_q4(w):
    """f32 [rows, cols] -> Q4_0 bytes, ggml's rule (d = signed max-abs value / -8,
    q = min(15, trunc(x/d + 8.5))). For the study of writing tuned layers back."""
    x = np.asarray(w, np.float32).reshape(-1, 32)
    idx = np.abs(x).argmax(axis=1)
    mx = x[np.arange(len(x)), idx]
    d = (mx / -8.0).astype(np.float32)
    d16 = d.astype(np.float16)
    inv = np.where(d != 0, 1.0 / np.where(d != 0, d, 1), 0).astype(np.float32)
    q = np.minimum(15, np.trunc(x * inv[:, None] + 8.5)).astype(np.uint8)
    out = np.empty((len(x), 18), np.uint8)
    out[:, :2] = d16.view(np.uint8).reshape(-1, 2)
    out[:, 2:] = q[:, :16] | (q[:, 16:] << 4)
    return out.tobytes()


# ---------------------------------------------------------------- tokenizer
class Tokenizer:
    def __init__(self, c: Container):
        h = c.h
        special = {h["bos"], h["eos"], h["pad"], h["unk"]}
        self.vocab = {}
        min_score = np.float32(np.inf)
        self.max_piece_bytes = 1
        for i, (p, s) in enumerate(zip(c.pieces, c.scores)):
            if i in special or p == "" or p == "<mask>":
                continue
            min_score = min(min_score, np.float32(s))
            self.max_piece_bytes = max(self.max_piece_bytes, len(p.encode()))
            self.vocab.setdefault(p, (i, np.float32(s)))
        self.unk_score = np.float32(min_score - np.float32(10.0))
        self.norm = c.normalisation
        self.bos, self.eos, self.unk = h["bos"], h["eos"], h["unk"]

    def normalise(self, text):
        out = []
        pending = False
        for ch in text:
            mapped = self.norm.get(ch, ch)
            for m in mapped:
                if m == " ":
                    pending = True
                else:
                    if pending or not out:
                        out.append(SPACE_MARK)
                        pending = False
                    out.append(m)
        if pending and out:
            out.append(SPACE_MARK)
        return "".join(out)

    def pieces(self, text):
        norm = self.normalise(text)
        if not norm:
            return []
        chars = norm
        nc = len(chars)
        blen = [len(ch.encode()) for ch in chars]
        NEG = np.float32(-np.inf)
        best = [NEG] * (nc + 1)   # indexed by char position (same boundaries as byte positions)
        back = [(0, 0)] * (nc + 1)
        best[0] = np.float32(0.0)
        vocab, maxb, unk_score, unk = self.vocab, self.max_piece_bytes, self.unk_score, self.unk
        for k in range(nc):
            bk = best[k]
            if bk == NEG:
                continue
            covered = False
            nbytes = 0
            for e in range(k + 1, nc + 1):
                nbytes += blen[e - 1]
                if nbytes > maxb:
                    break
                hit = vocab.get(chars[k:e])
                if hit is not None:
                    pid, sc = hit
                    if e == k + 1:
                        covered = True
                    s = np.float32(bk + sc)
                    if s > best[e]:
                        best[e] = s
                        back[e] = (k, pid)
            if not covered:
                s = np.float32(bk + unk_score)
                if s > best[k + 1]:
                    best[k + 1] = s
                    back[k + 1] = (k, unk)
        ids = []
        i = nc
        while i > 0:
            st, pid = back[i]
            ids.append(pid)
            i = st
        ids.reverse()
        return ids


# ---------------------------------------------------------------- model
def q8_act(x):
    """Emulates QuantisedRows: per row, per block of 32, scale amax/127, round ties-to-even."""
    sh = x.shape
    b = x.reshape(*sh[:-1], sh[-1] // 32, 32)
    amax = b.abs().amax(-1, keepdim=True)
    scale = amax / 127.0
    inv = torch.where(amax > 0, 127.0 / amax.clamp_min(1e-30), torch.zeros_like(amax))
    q = torch.round(b * inv)
    return (q * scale).reshape(sh)


def fake_q4(w):
    """Q4_0 round trip of a weight matrix (ggml rule, f16 scale) with a straight-through
    gradient: forward sees the Q4_0 weights, backward updates the latent f32 ones."""
    x = w.reshape(-1, 32)
    mx = x.gather(1, x.abs().argmax(1, keepdim=True))
    d = mx / -8.0
    inv = torch.where(d != 0, 1.0 / torch.where(d != 0, d, torch.ones_like(d)), torch.zeros_like(d))
    q = torch.clamp(torch.floor(x * inv + 8.5), max=15.0)
    deq = ((q - 8.0) * d.half().float()).reshape(w.shape)
    return w + (deq - w).detach()


class Layer(nn.Module):
    def __init__(self, d, ff, heads, eps):
        super().__init__()
        self.heads = heads
        self.q = nn.Linear(d, d); self.k = nn.Linear(d, d); self.v = nn.Linear(d, d)
        self.ao = nn.Linear(d, d); self.aln = nn.LayerNorm(d, eps=eps)
        self.fi = nn.Linear(d, ff); self.fo = nn.Linear(ff, d); self.oln = nn.LayerNorm(d, eps=eps)
        self.act_q8 = False
        self.qat = False

    def lin(self, m, x):
        if self.act_q8:
            x = q8_act(x)
        if self.qat:
            return F.linear(x, fake_q4(m.weight), m.bias)
        return m(x)

    def forward(self, x, mask_add):
        B, T, D = x.shape
        H = self.heads
        q = self.lin(self.q, x).view(B, T, H, D // H).transpose(1, 2)
        k = self.lin(self.k, x).view(B, T, H, D // H).transpose(1, 2)
        v = self.lin(self.v, x).view(B, T, H, D // H).transpose(1, 2)
        ctx = F.scaled_dot_product_attention(q, k, v, attn_mask=mask_add)
        ctx = ctx.transpose(1, 2).reshape(B, T, D)
        x = self.aln(self.lin(self.ao, ctx) + x)
        y = self.lin(self.fo, F.gelu(self.lin(self.fi, x)))  # erf GELU
        return self.oln(y + x)


class E5(nn.Module):
    def __init__(self, c: Container):
        super().__init__()
        h = c.h
        d, ff, L = h["hidden"], h["ff"], h["layers"]
        self.h = h
        t = lambda a: torch.from_numpy(np.ascontiguousarray(a))
        self.word = nn.Embedding(h["vocab_rows"], d)
        self.word.weight.data = t(c.f32("emb.word", (h["vocab_rows"], d)))
        self.pos = nn.Parameter(t(c.f32("emb.pos", (h["positions"], d))))
        self.tt = nn.Parameter(t(c.f32("emb.type", (h["token_types"], d))[0]))
        self.emb_ln = nn.LayerNorm(d, eps=h["eps"])
        self.emb_ln.weight.data = t(c.f32("emb.ln.w", (d,))); self.emb_ln.bias.data = t(c.f32("emb.ln.b", (d,)))
        self.layers = nn.ModuleList()
        for i in range(L):
            l = Layer(d, ff, h["heads"], h["eps"])
            for n, (r, cc) in dict(q=(d, d), k=(d, d), v=(d, d), ao=(d, d), fi=(ff, d), fo=(d, ff)).items():
                m = getattr(l, n)
                m.weight.data = t(c.f32(f"l{i}.{n}.w", (r, cc)))
                m.bias.data = t(c.f32(f"l{i}.{n}.b", (r,)))
            for n in ("aln", "oln"):
                m = getattr(l, n)
                m.weight.data = t(c.f32(f"l{i}.{n}.w", (d,))); m.bias.data = t(c.f32(f"l{i}.{n}.b", (d,)))
            self.layers.append(l)
        self.tok = Tokenizer(c)

    def set_act_q8(self, on):
        for l in self.layers:
            l.act_q8 = on

    @staticmethod
    def mask_of(lengths, T):
        valid = torch.arange(T)[None, :] < torch.tensor(lengths)[:, None]  # [B, T]
        add = torch.zeros(valid.shape, dtype=torch.float32).masked_fill(~valid, float("-inf"))
        return valid, add[:, None, None, :]

    def embed_ids(self, batch):
        """batch: list of id lists (each <= 512). Returns x after embeddings, valid, mask."""
        T = max(len(b) for b in batch)
        ids = torch.full((len(batch), T), self.h["pad"], dtype=torch.long)
        for i, b in enumerate(batch):
            ids[i, :len(b)] = torch.tensor(b)
        x = self.word(ids) + self.pos[:T][None] + self.tt
        valid, add = self.mask_of([len(b) for b in batch], T)
        return self.emb_ln(x), valid, add

    def run_layers(self, x, add, lo=0, hi=None):
        for l in self.layers[lo:hi]:
            x = l(x, add)
        return x

    def clip(self, ids, n):
        """BOS + ids + EOS, cut to n ids."""
        return ([self.tok.bos] + ids)[:n - 1] + [self.tok.eos]

    @torch.no_grad()
    def states_upto(self, seqs, hi):
        """The states after layer `hi` - 1 (fp16, one [tokens, hidden] per id sequence): what
        training the layers from `hi` up caches once."""
        out = [None] * len(seqs)
        for idx in length_batches([len(s) for s in seqs]):
            x, _, a = self.embed_ids([seqs[i] for i in idx])
            x = self.run_layers(x, a, 0, hi)
            for r, i in enumerate(idx):
                out[i] = x[r, :len(seqs[i])].to(torch.float16).clone()
        return out

    def windows(self, text, prefix):
        p = self.tok.pieces(prefix + text)
        w = self.h["positions"] - 2
        chunks = [p[i:i + w] for i in range(0, len(p), w)] or [[]]
        return [[self.tok.bos] + ch + [self.tok.eos] for ch in chunks]

    @torch.no_grad()
    def embed(self, texts, prefix, batch_tokens=8192):
        """L2-normalised embeddings [n, 384]; long texts windowed like model.rs."""
        seqs = []  # (doc index, ids)
        for i, t in enumerate(texts):
            for w in self.windows(t, prefix):
                seqs.append((i, w))
        sums = torch.zeros(len(texts), self.h["hidden"])
        for idx in length_batches([len(w) for _, w in seqs], batch_tokens):
            x, valid, add = self.embed_ids([seqs[o][1] for o in idx])
            x = self.run_layers(x, add)
            s = (x * valid[..., None]).sum(1)
            for r, o in enumerate(idx):
                sums[seqs[o][0]] += s[r]
        return F.normalize(sums, dim=-1)


def length_batches(lens, max_tokens=4096):
    """Index batches of sequences sorted by length, each at most `max_tokens` padded tokens."""
    order = sorted(range(len(lens)), key=lambda j: lens[j])
    j = 0
    while j < len(order):
        k = j
        while k < len(order) and (k - j + 1) * lens[order[k]] <= max_tokens:
            k += 1
        k = max(k, j + 1)
        yield order[j:k]
        j = k


def stack_states(states):
    """Cached per-sequence states [tokens, hidden] padded into one batch: x, valid, mask."""
    T = max(s.shape[0] for s in states)
    x = torch.zeros(len(states), T, states[0].shape[1])
    for i, s in enumerate(states):
        x[i, :s.shape[0]] = s.float()
    valid, add = E5.mask_of([s.shape[0] for s in states], T)
    return x, valid, add


def corpus_passage(doc):
    title, text = doc.get("title", ""), doc["text"]
    s = text if not title else f"{title} {text}"
    return s.strip()[:EMBED_CHARS]


def passages_digest(passages):
    h = hashlib.sha256()
    for p in passages:
        h.update(p.encode()); h.update(b"\0")
    return h.hexdigest()[:24]


def load_jsonl(path):
    with open(path) as f:
        return [json.loads(l) for l in f if l.strip()]
