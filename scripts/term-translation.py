#!/usr/bin/env python3
"""A translation table for a demand's words (issue #27; BENCHMARKS.md "documents' sentences
embedded apart; a translation table for the words"). Needs jieba, opencc and numpy (the peers'
venv of scripts/bench-retrieval, plus numpy).

    term-translation.py train TABLE.pkl                    # from bench/written-demands
    term-translation.py expand TABLE.pkl K OUT ROUND...    # OUT/queries_ROUND_C.jsonl
    term-translation.py table OUT K...                     # nDCG@10 table on stdout

The idea: enterprises and abstracts name the same thing in different words (发霉 / 霉变,
散热 / 导热). The 3,960 written demands of bench/written-demands, each paired with the document
it was written from, are a small parallel corpus of company words and document words. IBM
model 1 (six EM rounds, a null word on the demand side) learns t(document word | demand word)
over jieba words of two or more characters, leaving out words in more than 8 % of the demands
or 5 % of the documents and words seen once. A demand's lexical query is then the demand
followed by the K document words its own words translate to most (sum over its words of
t(w | word), words it already holds left out). No demand set of bench/ or demands_dev is used
to learn the table.
"""
import collections
import importlib.util
import json
import math
import os
import pickle
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
_spec = importlib.util.spec_from_file_location(
    "demand_titles", os.path.join(ROOT, "scripts", "demand-titles.py"))
titles = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(titles)
DATA = titles.DATA
WORD = re.compile(r"^[\u4e00-\u9fff]{2,}$|^[a-z][a-z0-9\-]{2,}$")
_convert = None


def words(text):
    global _convert
    import jieba
    import opencc
    if _convert is None:
        jieba.setLogLevel(60)
        _convert = opencc.OpenCC("t2s")
    return [w for w in jieba.lcut(_convert.convert(text).lower()) if WORD.match(w)]


def train(path):
    import numpy as np
    docs = {}
    for c in titles.CORPORA:
        with open(f"{DATA}/{c}/corpus.jsonl", encoding="utf-8") as f:
            for line in f:
                d = json.loads(line)
                docs[d["id"]] = set(words(d["text"]))
    df = collections.Counter(w for s in docs.values() for w in s)
    pairs = []
    for name in ["demands.jsonl", "wave3.jsonl"]:
        with open(f"{ROOT}/bench/written-demands/{name}", encoding="utf-8") as f:
            for line in f:
                d = json.loads(line)
                pairs.append((set(words(d["text"])), d["doc"]))
    qdf = collections.Counter(w for s, _ in pairs for w in s)
    source, target, rows = {"<null>": 0}, {}, []
    for qs, doc in pairs:
        qs = [w for w in qs if 2 <= qdf[w] <= 0.08 * len(pairs)]
        ws = [w for w in docs[doc] if 2 <= df[w] <= 0.05 * len(docs)]
        if qs and ws:
            rows.append((np.array([0] + [source.setdefault(w, len(source)) for w in qs]),
                         np.array([target.setdefault(w, len(target)) for w in ws])))
    n_target = len(target)
    keys = np.concatenate([(q[:, None] * n_target + w[None, :]).ravel() for q, w in rows])
    cells, index = np.unique(keys, return_inverse=True)
    # Each (pair, document word) is one normalisation group: t(w | q) over the pair's q.
    groups, offset = [], 0
    for q, w in rows:
        groups.append(np.broadcast_to(np.arange(len(w))[None, :] + offset, (len(q), len(w))).ravel())
        offset += len(w)
    groups = np.concatenate(groups)
    src = cells // n_target
    t = np.ones(len(cells))
    for _ in range(6):
        p = t[index]
        share = p / np.bincount(groups, weights=p, minlength=offset)[groups]
        counts = np.bincount(index, weights=share, minlength=len(cells))
        t = counts / np.bincount(src, weights=counts, minlength=len(source))[src]
    names_s = {i: w for w, i in source.items()}
    names_t = {i: w for w, i in target.items()}
    table = collections.defaultdict(list)
    for cell, p in zip(cells, t):
        s, w = divmod(int(cell), n_target)
        if s and p >= 0.01:
            table[names_s[s]].append((names_t[w], float(p)))
    table = {s: sorted(ts, key=lambda x: -x[1])[:20] for s, ts in table.items()}
    with open(path, "wb") as f:
        pickle.dump(table, f)
    print(f"{path}: {len(pairs)} pairs, {len(table)} demand words", file=sys.stderr)


def expand(path, k, out, rounds):
    with open(path, "rb") as f:
        table = pickle.load(f)
    os.makedirs(out, exist_ok=True)
    for r in rounds:
        own = f"{DATA}/demands_dev" if r == "dev" else f"{ROOT}/bench/demands_{r}"
        for c in titles.CORPORA:
            with open(f"{own}/queries_{c}.jsonl", encoding="utf-8") as f, \
                    open(f"{out}/queries_{r}_{c}.jsonl", "w", encoding="utf-8") as w:
                for line in f:
                    d = json.loads(line)
                    held = words(d["text"])
                    score = collections.Counter()
                    for s, n in collections.Counter(held).items():
                        for t, p in table.get(s, []):
                            score[t] += p * (1 + math.log(n))
                    extra = [t for t, _ in score.most_common()
                             if t not in held and t not in d["text"]][:k]
                    if extra:
                        d["text"] += " " + " ".join(extra)
                    w.write(json.dumps(d, ensure_ascii=False) + "\n")


def print_table(out, ks):
    rounds = ["dev", "blind"] + [f"blind{n}" for n in range(2, 10)]
    tags = ["lexical"] + [f"k{k}" for k in ks]
    for c, name in titles.CORPORA.items():
        print(f"\n| {name}, lexical | demands | " + " | ".join(
            "as written" if t == "lexical" else f"+{t[1:]} words" for t in tags) + " |")
        print("|---" * (len(tags) + 2) + "|")
        means = collections.defaultdict(list)
        for r in rounds:
            own, _ = titles.qrels(r, c)
            useful = [q for q, ds in own.items() if max(ds.values()) >= 1]
            row = []
            for t in tags:
                pq = titles.per_query(f"{out}/{r}_{c}__{t}.pq")
                m, shown = titles.cell([pq[q] for q in useful if q in pq])
                if r != "dev":
                    means[t].append(m)
                row.append(shown)
            print(f"| {r} | {len(useful)} | " + " | ".join(row) + " |")
        print("| mean of blind rounds | | " + " | ".join(f"{sum(means[t]) / len(means[t]):.3f}" for t in tags) + " |")


if __name__ == "__main__":
    a = sys.argv[1:]
    if a[0] == "train":
        train(a[1])
    elif a[0] == "expand":
        expand(a[1], int(a[2]), a[3], a[4:])
    else:
        print_table(a[1], a[2:])
