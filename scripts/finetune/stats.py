import os
import sys, time, json, numpy as np
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e5torch as E
def load(): return " ".join(open("/proc/loadavg").read().split()[:3])
c = E.Container(); tok = E.Tokenizer(c); del c
corpus = {}
for f in ("csl", "kppatent_zh"):
    for d in E.load_jsonl(f"{E.DATA}/{f}/corpus.jsonl"):
        corpus[d["id"]] = d
pairs = E.load_jsonl(f"{E.ROOT}/bench/written-demands/demands.jsonl") + E.load_jsonl(f"{E.ROOT}/bench/written-demands/wave3.jsonl")
print("docs", len(corpus), "pairs", len(pairs), "pair docs missing", sum(p["doc"] not in corpus for p in pairs), "distinct docs in pairs", len({p["doc"] for p in pairs}))
t0 = time.time()
plen = {k: len(tok.pieces("passage: " + E.corpus_passage(d))) + 2 for k, d in corpus.items()}
t1 = time.time()
qlen = [len(tok.pieces("query: " + p["text"])) + 2 for p in pairs]
t2 = time.time()
print(f"tokenise 5655 passages {t1-t0:.1f}s, 3960 queries {t2-t1:.1f}s  loadavg {load()}")
def desc(a):
    a = np.array(a); return dict(mean=round(a.mean(),1), p50=int(np.median(a)), p90=int(np.percentile(a,90)), max=int(a.max()), over512=int((a>512).sum()), total=int(a.sum()))
print("passages all", desc(list(plen.values())))
for pre in ("csl", "kpz"):
    print(" ", pre, desc([v for k, v in plen.items() if k.startswith(pre)]))
print("passages of pairs", desc([plen[p["doc"]] for p in pairs]))
print("queries", desc(qlen))
os.makedirs(E.OUT, exist_ok=True)
json.dump(dict(plen=plen, qlen=qlen), open(f"{E.OUT}/lengths.json", "w"))
# kppatent digest check
kp = [E.corpus_passage(d) for d in E.load_jsonl(f"{E.DATA}/kppatent_zh/corpus.jsonl")]
print("kppatent digest", E.passages_digest(kp))
