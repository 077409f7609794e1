#!/usr/bin/env python3
"""Train the linear adapter W (384x384) applied to multilingual-e5-small vectors.

Why: e5 puts every text close to one shared direction. Any two texts score a cosine of about
0.9, and a demand's best document is only 0.03-0.04 above its 200th nearest. W is trained to
spread them apart. An adapted vector is normalise(W v), and W is applied to both query and passage
vectors. The training is self-supervised on the corpora's own sentences ("inverse cloze"). A
sentence of an abstract (the first sentence, and a sentence stating a problem or purpose) is the
pseudo-query, and the rest of the abstract is its positive. No demand set, query set, qrels or
other judgement is read. With `--demands`, demands written for the purpose are added: each was
written for one document of the training split, in company voice (problem and wanted effect, not
the document's method), and that document's whole abstract is its positive
(`bench/written-demands`). The shipped adapter is `--alpha 0.5 --demands
bench/written-demands/demands.jsonl`.

Steps:
1. pairs from csl/corpus.jsonl and kppatent_zh/corpus.jsonl (a seeded 10 % of documents held out);
2. embed them with `qiao bench vectors` and the model's own vectors (`QIAO_EMBED_ADAPTER=off`):
   pseudo-queries as queries, remainders as passages. Files already in the work directory with
   the right row count are kept;
3. train: W starts at I. The loss is symmetric InfoNCE over in-batch negatives (tau 0.05), with
   the other pair of the same document masked, plus 0.01 * |W - I|^2. Adam, lr 3e-4, batch 256
   = 128 csl + 128 kppatent_zh train pairs, 35 steps per epoch, 7 epochs, seed 0. The gradients
   are written by hand. It runs on one BLAS thread, so a rerun gives the same bytes;
4. write (1 - alpha) I + alpha W (alpha 1 by default: W itself) as raw little-endian f32,
   row-major, 384x384, and print its sha256.

Run from the repository root (needs numpy and the release binary; embedding takes ~7 minutes,
training a few seconds):

    scripts/train-adapter.py [--alpha A] [--work DIR] [--out FILE] [--pairs-per-doc N]

Environment: QIAO_SHARED_DATA (default ../shared/data), QIAO_BIN (default target/release/qiao),
QIAO_MODEL_DIR (the model, passed on to qiao; its default is data/model).
"""

import argparse
import hashlib
import json
import os
import random
import re
import subprocess

# One BLAS thread: the training is then exactly reproducible. This must be set before numpy loads.
os.environ["OPENBLAS_NUM_THREADS"] = "1"
os.environ["OMP_NUM_THREADS"] = "1"
import numpy as np  # noqa: E402

CORPORA = ["csl", "kppatent_zh"]
DIM = 384

# ---------- 1. inverse-cloze pairs ----------
# Sentence ends: 。；;!?！？, and '.' unless it is a decimal point.
SPLIT = re.compile(r"(?<=[。；;!?！？])|(?<=(?<!\d)\.)|(?<=\d\.)(?!\d)")
# Cues of a sentence that states a problem or a purpose.
CUE = re.compile(r"目的|为了|为解决|解决|针对|旨在|问题|难题|不足|缺陷|提高|改善|降低|克服|需求|困难|瓶颈")


def sentences(text):
    parts = [p.strip() for p in SPLIT.split(text.strip())]
    return [p for p in parts if p]


def make_pairs(data, per_doc=2):
    """Returns (pairs, held-out document ids). Up to two pairs per abstract: (A) the first
    sentence (>= 8 chars) and (B) a problem/purpose sentence (10-200 chars; else any other
    sentence of 12-200 chars, picked at random), each against the abstract without it, kept if
    that remainder has >= 30 chars. A seeded 10 % of each corpus's documents is held out."""
    rng = random.Random(0)
    pairs = []
    held_out = set()
    for corpus in CORPORA:
        with open(os.path.join(data, corpus, "corpus.jsonl"), encoding="utf-8") as f:
            rows = [json.loads(line) for line in f]
        ids = [r["id"] for r in rows]
        rng.shuffle(ids)
        val = set(ids[: len(ids) // 10])
        held_out |= val
        for r in rows:
            s = sentences(r["text"])
            if len(s) < 2:
                continue
            chosen = [0] if len(s[0]) >= 8 else []
            cand = [i for i in range(1, len(s)) if CUE.search(s[i]) and 10 <= len(s[i]) <= 200]
            if not cand:
                cand = [i for i in range(1, len(s)) if 12 <= len(s[i]) <= 200]
            if cand:
                chosen.append(rng.choice(cand))
            # `--pairs-per-doc` above 2: more sentences of 12-200 chars, picked at random (the
            # default draws nothing more, so its pairs and bytes are as before).
            more = [i for i in range(1, len(s)) if i not in chosen and 12 <= len(s[i]) <= 200]
            if per_doc > 2 and more:
                chosen.extend(rng.sample(more, min(per_doc - len(chosen), len(more))))
            for k, i in enumerate(chosen):
                rest = "".join(s[:i] + s[i + 1 :])
                if len(rest) < 30:
                    continue
                pairs.append(dict(id=f"{r['id']}#{k}", doc=r["id"], corpus=corpus,
                                  train=r["id"] not in val, q=s[i], p=rest))
    return pairs, held_out


def write_texts(path, pairs, field):
    with open(path, "w", encoding="utf-8") as f:
        for p in pairs:
            f.write(json.dumps(dict(id=p["id"], text=p[field]), ensure_ascii=False) + "\n")


# ---------- 2. embedding ----------
def embed(qiao, jsonl, side, prefix, ids):
    """prefix.npy / prefix.ids from `qiao bench vectors`, unless present with len(ids) rows."""
    if not (os.path.exists(prefix + ".npy") and os.path.exists(prefix + ".ids")
            and np.load(prefix + ".npy", mmap_mode="r").shape[0] == len(ids)):
        # The model's own vectors: the adapter is trained on them, not on an earlier adapter's.
        env = dict(os.environ, QIAO_EMBED_ADAPTER="off")
        subprocess.run([qiao, "bench", "vectors", "--input", jsonl, "--side", side,
                        "--out", prefix], check=True, env=env)
    X = np.load(prefix + ".npy").astype(np.float32)
    with open(prefix + ".ids", encoding="utf-8") as f:
        assert f.read().split("\n")[:-1] == ids, f"{prefix}.ids is not the pairs' id list"
    return X


def written_pairs(data, files, work, qiao, held_out):
    """Written demands against the whole abstract of the document each was written for. The
    documents must be in the adapter's training split: a demand for a held-out document is an
    error, not something to drop quietly."""
    texts = {}
    for corpus in CORPORA:
        with open(os.path.join(data, corpus, "corpus.jsonl"), encoding="utf-8") as f:
            for line in f:
                r = json.loads(line)
                texts[r["id"]] = r["text"]
    rows = []
    for path in files:
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                r = json.loads(line)
                if r.get("doc") not in texts or not r.get("text", "").strip():
                    raise SystemExit(f"{path}:{n}: no such document or an empty text")
                if r["doc"] in held_out:
                    raise SystemExit(f"{path}:{n}: {r['doc']} is in the held-out split")
                rows.append(dict(id=r["id"], doc=r["doc"], q=r["text"], p=texts[r["doc"]]))
    print(f"{len(rows)} written demands", flush=True)
    ids = [r["id"] for r in rows]
    vec = {}
    for field, side in (("q", "query"), ("p", "passage")):
        jsonl = os.path.join(work, f"demand_{field}.jsonl")
        write_texts(jsonl, rows, field)
        vec[field] = embed(qiao, jsonl, side, os.path.join(work, f"demand_{field}"), ids)
    return vec["q"], vec["p"], np.array([r["doc"] for r in rows])


# ---------- 3. training ----------
def norm(X):
    return X / np.linalg.norm(X, axis=1, keepdims=True)


def norm_back(U, Un, g):
    """Un = U / |U| row-wise; g = dL/dUn -> dL/dU."""
    n = np.linalg.norm(U, axis=1, keepdims=True)
    return (g - Un * np.sum(Un * g, axis=1, keepdims=True)) / n


def cross_entropy(S):
    """Mean cross-entropy of the rows of S with the diagonal as targets, and its gradient."""
    B = len(S)
    S = S - S.max(1, keepdims=True)
    E = np.exp(S)
    Pr = E / E.sum(1, keepdims=True)
    loss = -np.mean(np.log(Pr[np.arange(B), np.arange(B)] + 1e-30))
    G = Pr.copy()
    G[np.arange(B), np.arange(B)] -= 1
    return loss, G / B


def loss_grad(W, Q, P, mask, tau, lam):
    """Symmetric InfoNCE of q' = norm(W q) against p' = norm(W p) (row i of Q and P is a positive
    pair, the other rows its negatives, masked ones left out), plus lam * |W - I|^2."""
    Uq = Q @ W.T
    Qn = norm(Uq)
    Up = P @ W.T
    Pn = norm(Up)
    S = Qn @ Pn.T / tau
    S = np.where(mask, -1e9, S)
    l1, G1 = cross_entropy(S)
    l2, G2 = cross_entropy(S.T)
    G = (G1 + G2.T) / 2
    G = G / tau  # dL/d(Qn Pn^T)
    gQn = G @ Pn
    gPn = G.T @ Qn
    gW = norm_back(Uq, Qn, gQn).T @ Q
    gW += norm_back(Up, Pn, gPn).T @ P
    D = W - np.eye(W.shape[0], dtype=W.dtype)
    gW += 2 * lam * D
    return (l1 + l2) / 2 + lam * np.sum(D * D), gW


def train(Q, P, docs, corpus, tau=0.05, lam=0.01, lr=3e-4, bs=256, epochs=7, seed=0, written=0):
    """Adam from W = I. Each batch holds (bs - written)/2 inverse-cloze pairs of each corpus and
    `written` written-demand pairs (corpus "demand"), drawn from per-group permutations that are
    reshuffled when used up; an epoch is (number of inverse-cloze pairs) // bs steps."""
    rng = np.random.default_rng(seed)
    W = np.eye(Q.shape[1], dtype=np.float64)
    m = np.zeros_like(W)
    v = np.zeros_like(W)
    t = 0
    groups = [np.flatnonzero(corpus == c) for c in CORPORA]
    if written:
        groups.append(np.flatnonzero(corpus == "demand"))
    state = [[rng.permutation(g), 0] for g in groups]

    def draw(k, n):
        out = []
        while n > 0:
            perm, pos = state[k]
            if pos >= len(perm):
                state[k] = [rng.permutation(groups[k]), 0]
                continue
            take = perm[pos : pos + n]
            out.append(take)
            state[k][1] = pos + len(take)
            n -= len(take)
        return np.concatenate(out)

    steps = (len(groups[0]) + len(groups[1])) // bs
    half = (bs - written) // 2
    for ep in range(epochs):
        losses = []
        for _ in range(steps):
            parts = [draw(0, half), draw(1, bs - written - half)]
            if written:
                parts.append(draw(2, written))
            b = np.concatenate(parts)
            db = docs[b]
            mask = (db[:, None] == db[None, :]) & ~np.eye(len(b), dtype=bool)
            loss, g = loss_grad(W, Q[b].astype(np.float64), P[b].astype(np.float64), mask, tau, lam)
            losses.append(loss)
            t += 1
            m = 0.9 * m + 0.1 * g
            v = 0.999 * v + 0.001 * g * g
            W -= lr * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
        print(f"epoch {ep + 1}: mean loss {np.mean(losses):.4f}", flush=True)
    return W.astype(np.float32)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--alpha", type=float, default=1.0, help="write (1-alpha) I + alpha W")
    ap.add_argument("--work", default="target/adapter", help="work directory (pairs, vectors)")
    ap.add_argument("--out", help="output file (default WORK/adapter.f32)")
    ap.add_argument("--pairs-per-doc", type=int, default=2,
                    help="pseudo-queries per abstract (2: the first and a problem sentence)")
    ap.add_argument("--demands", nargs="*", default=[],
                    help='JSONL files of written demands, {"id", "doc", "text"}: each demand is a '
                    "query whose positive is the whole abstract of its document")
    ap.add_argument("--demands-per-batch", type=int, default=32,
                    help="written-demand pairs in each batch of 256 (with --demands)")
    args = ap.parse_args()
    data = os.environ.get("QIAO_SHARED_DATA", "../shared/data")
    qiao = os.environ.get("QIAO_BIN", "target/release/qiao")
    out = args.out or os.path.join(args.work, "adapter.f32")
    os.makedirs(args.work, exist_ok=True)

    pairs, held_out = make_pairs(data, args.pairs_per_doc)
    train_rows = [p for p in pairs if p["train"]]
    print(f"{len(pairs)} pairs, {len(train_rows)} for training", flush=True)
    ids = [p["id"] for p in pairs]
    vec = {}
    for field, side in (("q", "query"), ("p", "passage")):
        jsonl = os.path.join(args.work, f"pair_{field}.jsonl")
        write_texts(jsonl, pairs, field)
        vec[field] = embed(qiao, jsonl, side, os.path.join(args.work, f"pair_{field}"), ids)

    tr = np.array([p["train"] for p in pairs])
    docs = np.array([p["doc"] for p in pairs])
    corpus = np.array([p["corpus"] for p in pairs])
    Q, P = vec["q"][tr], vec["p"][tr]
    docs, corpus = docs[tr], corpus[tr]
    written = 0
    if args.demands:
        dq, dp, ddocs = written_pairs(data, args.demands, args.work, qiao, held_out)
        Q, P = np.concatenate([Q, dq]), np.concatenate([P, dp])
        docs = np.concatenate([docs, ddocs])
        corpus = np.concatenate([corpus, np.array(["demand"] * len(ddocs))])
        written = args.demands_per_batch
    W = train(Q, P, docs, corpus, written=written)

    M = ((1 - args.alpha) * np.eye(DIM) + args.alpha * W).astype("<f4")
    raw = np.ascontiguousarray(M).tobytes()
    assert len(raw) == DIM * DIM * 4
    with open(out, "wb") as f:
        f.write(raw)
    print(f"{out} (alpha {args.alpha}) sha256 {hashlib.sha256(raw).hexdigest()}")


if __name__ == "__main__":
    main()
