//! Issue #23, step 6: is a well-kept inference crate faster than `qiao-embed`'s hand-written
//! encoder at equal vectors?
//!
//! This program loads the very container the product loads (`e5-small-q4.bin`, "E5S1"),
//! through `qiao-embed`'s own reader and tokenizer, and runs the BERT forward pass of
//! multilingual-e5-small twice: once by `qiao_embed::Model` (the product's code), once by
//! candle (`candle-core`'s quantized matmul on the container's Q4_0 blocks, its f32 batched
//! matmul for attention, `candle-nn`'s softmax and layer norm, candle's erf GELU). Both quantise
//! the activations to 8 bits per block of 32 inside each product, so the vectors should agree
//! to within rounding; the program reports the lowest and mean cosine between them over every
//! text it embeds, then times both on the texts `qiao bench embed` uses (passages in one
//! batch, queries one at a time), `--runs` times, engines interleaved, with the CPU time used.
//!
//! Q4_0 is the same layout in both: 18-byte blocks of an f16 scale and 16 bytes, byte j holding
//! weight j in its low nibble and weight j + 16 in its high nibble, weight = (nibble − 8) ·
//! scale (`qiao_embed::quant`, and candle's `BlockQ4_0`, whose size it asserts to be 18). The
//! container's bytes are handed to candle unchanged (`qtensor_from_ggml`), [out, in] as candle's
//! `QMatMul` expects them.
//!
//! Not part of the Qiao workspace (candle and its gemm kernels take minutes to build); see
//! BENCHMARKS.md, "Embedding: candle's quantized path against qiao-embed", for the command.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use candle_core::quantized::ggml_file::qtensor_from_ggml;
use candle_core::quantized::{GgmlDType, QMatMul};
use candle_core::{Device, Module, Tensor};
use qiao_embed::container::{Container, DType, Q4_BLOCK_BYTES};
use qiao_embed::quant::dequantise;
use qiao_embed::tokenizer::Tokenizer;
use qiao_embed::{MODEL_FILE, Model};
use rayon::prelude::*;
use serde_json::json;

type Error = Box<dyn std::error::Error + Send + Sync>;

/// Attention heads are 32 wide in e5-small (12 × 32 = 384).
const HEAD: usize = 32;

/// One transformer layer with its products as candle quantized matrices.
struct Layer {
    qkv: QMatMul,
    qkv_b: Tensor,
    ao: QMatMul,
    ao_b: Tensor,
    aln: (Tensor, Tensor),
    fi: QMatMul,
    fi_b: Tensor,
    fo: QMatMul,
    fo_b: Tensor,
    oln: (Tensor, Tensor),
}

/// multilingual-e5-small run by candle, from the same container.
struct CandleE5 {
    tokenizer: Tokenizer,
    hidden: usize,
    heads: usize,
    eps: f32,
    window: usize,
    /// The word embeddings stay Q4_0, as in `qiao-embed`: a text's rows are dequantised.
    word_q4: Vec<u8>,
    pos: Tensor,
    token_type: Tensor,
    emb_ln: (Tensor, Tensor),
    layers: Vec<Layer>,
}

impl CandleE5 {
    fn load(bytes: &[u8]) -> Result<CandleE5, Error> {
        let c = Container::parse(bytes)?;
        let h = &c.header;
        let (d, ff) = (h.hidden, h.ff);
        let cpu = Device::Cpu;
        let f32s = |name: &str, rows: usize, cols: usize| -> Result<Tensor, Error> {
            let t = c.tensor(name, DType::F32, rows, cols)?;
            let v: Vec<f32> = bytes[t.offset..t.offset + t.size]
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect();
            let shape = if rows == 1 {
                vec![cols]
            } else {
                vec![rows, cols]
            };
            Ok(Tensor::from_vec(v, shape, &cpu)?)
        };
        let q4_bytes = |name: &str, rows: usize, cols: usize| -> Result<&[u8], Error> {
            let t = c.tensor(name, DType::Q4_0, rows, cols)?;
            Ok(&bytes[t.offset..t.offset + t.size])
        };
        let qmatmul = |raw: &[u8], rows: usize, cols: usize| -> Result<QMatMul, Error> {
            let q = qtensor_from_ggml(GgmlDType::Q4_0, raw, vec![rows, cols], &cpu)?;
            Ok(QMatMul::from_qtensor(q)?)
        };
        let ln = |name: &str| -> Result<(Tensor, Tensor), Error> {
            Ok((
                f32s(&format!("{name}.w"), 1, d)?,
                f32s(&format!("{name}.b"), 1, d)?,
            ))
        };
        let mut layers = Vec::with_capacity(h.layers);
        for i in 0..h.layers {
            let p = |n: &str| format!("l{i}.{n}");
            // Q, K and V as one [3·d, d] product, as qiao-embed does: one call per layer.
            let mut qkv = q4_bytes(&p("q.w"), d, d)?.to_vec();
            qkv.extend_from_slice(q4_bytes(&p("k.w"), d, d)?);
            qkv.extend_from_slice(q4_bytes(&p("v.w"), d, d)?);
            let qkv_b = Tensor::cat(
                &[
                    f32s(&p("q.b"), 1, d)?,
                    f32s(&p("k.b"), 1, d)?,
                    f32s(&p("v.b"), 1, d)?,
                ],
                0,
            )?;
            layers.push(Layer {
                qkv: qmatmul(&qkv, 3 * d, d)?,
                qkv_b,
                ao: qmatmul(q4_bytes(&p("ao.w"), d, d)?, d, d)?,
                ao_b: f32s(&p("ao.b"), 1, d)?,
                aln: ln(&p("aln"))?,
                fi: qmatmul(q4_bytes(&p("fi.w"), ff, d)?, ff, d)?,
                fi_b: f32s(&p("fi.b"), 1, ff)?,
                fo: qmatmul(q4_bytes(&p("fo.w"), d, ff)?, d, ff)?,
                fo_b: f32s(&p("fo.b"), 1, d)?,
                oln: ln(&p("oln"))?,
            });
        }
        let word = c.tensor("emb.word", DType::Q4_0, h.vocab_rows, d)?;
        Ok(CandleE5 {
            tokenizer: Tokenizer::new(&c),
            hidden: d,
            heads: h.heads,
            eps: h.eps,
            window: h.positions - 2,
            word_q4: bytes[word.offset..word.offset + word.size].to_vec(),
            pos: f32s("emb.pos", h.positions, d)?,
            token_type: f32s("emb.type", h.token_types, d)?.get(0)?,
            emb_ln: ln("emb.ln")?,
            layers,
        })
    }

    /// The L2-normalised embedding of `prefix + text`, windowed exactly as
    /// `qiao_embed::Model::embed` does (510 pieces a window, token states summed over all).
    fn embed(&self, text: &str, prefix: &str) -> Result<Vec<f32>, Error> {
        let pieces = self.tokenizer.pieces(&format!("{prefix}{text}"));
        let chunks: Vec<&[u32]> = if pieces.is_empty() {
            vec![&[]]
        } else {
            pieces.chunks(self.window).collect()
        };
        let mut sum = vec![0f32; self.hidden];
        for chunk in chunks {
            let mut ids = Vec::with_capacity(chunk.len() + 2);
            ids.push(self.tokenizer.bos);
            ids.extend_from_slice(chunk);
            ids.push(self.tokenizer.eos);
            let states: Vec<f32> = self.encode(&ids)?.sum(0)?.to_vec1()?;
            sum.iter_mut().zip(states).for_each(|(s, v)| *s += v);
        }
        let norm = sum.iter().map(|v| v * v).sum::<f32>().sqrt().max(1e-12);
        sum.iter_mut().for_each(|v| *v /= norm);
        Ok(sum)
    }

    /// Last hidden states [tokens, hidden] of one window.
    fn encode(&self, ids: &[u32]) -> Result<Tensor, Error> {
        let (m, d) = (ids.len(), self.hidden);
        let row_bytes = d / 32 * Q4_BLOCK_BYTES;
        let mut emb = vec![0f32; m * d];
        for (row, &id) in emb.chunks_exact_mut(d).zip(ids) {
            let start = id as usize * row_bytes;
            dequantise(&self.word_q4[start..start + row_bytes], row);
        }
        let x = Tensor::from_vec(emb, (m, d), &Device::Cpu)?;
        let x = (x + self.pos.narrow(0, 0, m)?)?.broadcast_add(&self.token_type)?;
        let norm =
            |x: &Tensor, (w, b): &(Tensor, Tensor)| candle_nn::ops::layer_norm(x, w, b, self.eps);
        let mut x = norm(&x, &self.emb_ln)?;
        let scale = 1.0 / (HEAD as f64).sqrt();
        for l in &self.layers {
            let qkv = l.qkv.forward(&x)?.broadcast_add(&l.qkv_b)?;
            // [tokens, 3·d] → three [heads, tokens, 32].
            let split = |part: usize| -> candle_core::Result<Tensor> {
                qkv.narrow(1, part * d, d)?
                    .reshape((m, self.heads, HEAD))?
                    .transpose(0, 1)?
                    .contiguous()
            };
            let (q, k, v) = (split(0)?, split(1)?, split(2)?);
            let scores = (q.matmul(&k.t()?.contiguous()?)? * scale)?;
            let probs = candle_nn::ops::softmax_last_dim(&scores)?;
            let ctx = probs
                .matmul(&v)?
                .transpose(0, 1)?
                .contiguous()?
                .reshape((m, d))?;
            let y = l.ao.forward(&ctx)?.broadcast_add(&l.ao_b)?;
            x = norm(&(y + &x)?, &l.aln)?;
            let inner = l.fi.forward(&x)?.broadcast_add(&l.fi_b)?.gelu_erf()?;
            let y = l.fo.forward(&inner)?.broadcast_add(&l.fo_b)?;
            x = norm(&(y + &x)?, &l.oln)?;
        }
        Ok(x)
    }
}

/// Command-line options (hand-read: this program has five).
struct Options {
    model_dir: PathBuf,
    passages: usize,
    queries: usize,
    runs: usize,
    corpus: Vec<PathBuf>,
    query_files: Vec<PathBuf>,
}

fn options() -> Result<Options, Error> {
    let data = PathBuf::from(std::env::var("QIAO_SHARED_DATA").unwrap_or("../shared/data".into()));
    let mut o = Options {
        model_dir: qiao_embed::default_dir(),
        passages: 500,
        queries: 300,
        runs: 3,
        // The texts `qiao bench embed` takes by default.
        corpus: vec![
            data.join("csl/corpus.jsonl"),
            data.join("kppatent_zh/corpus.jsonl"),
        ],
        query_files: vec![
            data.join("csl/queries_title.jsonl"),
            data.join("kppatent_zh/queries_title.jsonl"),
            data.join("csl/queries_keywords.jsonl"),
        ],
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--model-dir" => o.model_dir = value()?.into(),
            "--passages" => o.passages = value()?.parse()?,
            "--queries" => o.queries = value()?.parse()?,
            "--runs" => o.runs = value()?.parse()?,
            _ => {
                return Err(format!(
                    "unknown argument {a}; options: --model-dir DIR --passages N --queries N --runs N \
                     (texts from $QIAO_SHARED_DATA, default ../shared/data)"
                )
                .into());
            }
        }
    }
    Ok(o)
}

/// `n` texts taken from the files in turn, as `qiao bench embed` takes them.
fn texts_in_turn(files: &[PathBuf], n: usize) -> Result<Vec<String>, Error> {
    let mut lists = Vec::new();
    for file in files {
        let raw = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
        let mut texts = Vec::new();
        for line in raw.lines().filter(|l| !l.trim().is_empty()) {
            let v: serde_json::Value = serde_json::from_str(line)?;
            texts.push(
                v["text"]
                    .as_str()
                    .ok_or("a line without `text`")?
                    .to_owned(),
            );
        }
        lists.push(texts);
    }
    let longest = lists.iter().map(Vec::len).max().unwrap_or(0);
    let out: Vec<String> = (0..longest)
        .flat_map(|i| lists.iter().filter_map(move |l| l.get(i).cloned()))
        .take(n)
        .collect();
    if out.len() < n {
        return Err(format!("the files hold only {} texts, {n} asked", out.len()).into());
    }
    Ok(out)
}

/// CPU seconds this process has used (user + system, all threads).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rfind(')')
        .map(|i| stat[i + 2..].split(' ').collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split(' ').next().map(str::to_owned))
        .unwrap_or_default()
}

fn percentile_ms(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1e3
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// One engine's timing in one run.
struct Timing {
    passages_per_s: f64,
    passages_per_cpu_s: f64,
    query_p50_ms: f64,
    query_p99_ms: f64,
    query_cpu_ms: f64,
}

type PassageFn<'a> = dyn Fn(&[String]) -> Result<Vec<Vec<f32>>, Error> + 'a;
type QueryFn<'a> = dyn Fn(&str) -> Result<Vec<f32>, Error> + 'a;

/// Times one batch of passages and then every query one at a time; returns the vectors too.
fn time(
    passage_fn: &PassageFn<'_>,
    query_fn: &QueryFn<'_>,
    passages: &[String],
    queries: &[String],
) -> Result<(Timing, Vec<Vec<f32>>, Vec<Vec<f32>>), Error> {
    let (cpu, start) = (cpu_seconds(), Instant::now());
    let pv = passage_fn(passages)?;
    let (wall, cpu) = (start.elapsed().as_secs_f64(), cpu_seconds() - cpu);
    let mut latencies = Vec::with_capacity(queries.len());
    let mut qv = Vec::with_capacity(queries.len());
    let qcpu = cpu_seconds();
    for q in queries {
        let start = Instant::now();
        qv.push(query_fn(q)?);
        latencies.push(start.elapsed());
    }
    let qcpu = (cpu_seconds() - qcpu) * 1e3 / queries.len() as f64;
    latencies.sort();
    Ok((
        Timing {
            passages_per_s: passages.len() as f64 / wall,
            passages_per_cpu_s: passages.len() as f64 / cpu.max(1e-9),
            query_p50_ms: percentile_ms(&latencies, 0.5),
            query_p99_ms: percentile_ms(&latencies, 0.99),
            query_cpu_ms: qcpu,
        },
        pv,
        qv,
    ))
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn main() -> Result<(), Error> {
    let o = options()?;
    let passages = texts_in_turn(&o.corpus, o.passages)?;
    let queries = texts_in_turn(&o.query_files, o.queries)?;
    let bytes = std::fs::read(o.model_dir.join(MODEL_FILE))?;

    let start = Instant::now();
    let qiao = Model::from_bytes(&bytes)?;
    let qiao_load = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let candle = CandleE5::load(&bytes)?;
    let candle_load = start.elapsed().as_secs_f64();
    eprintln!(
        "loaded: qiao-embed {qiao_load:.2} s ({} kernel), candle {candle_load:.2} s; {} threads; \
         {} passages, {} queries, {} runs",
        qiao.kernel().name(),
        rayon::current_num_threads(),
        passages.len(),
        queries.len(),
        o.runs
    );

    let qiao_passages =
        |p: &[String]| -> Result<Vec<Vec<f32>>, Error> { Ok(qiao.embed_passages(p)) };
    let qiao_query = |q: &str| -> Result<Vec<f32>, Error> { Ok(qiao.embed_query(q)) };
    // candle's own threads inside each product, passages one after another.
    let candle_in_op = |p: &[String]| -> Result<Vec<Vec<f32>>, Error> {
        p.iter().map(|t| candle.embed(t, "passage: ")).collect()
    };
    // Passages spread over rayon's pool, one per task, as qiao-embed spreads them.
    let candle_spread = |p: &[String]| -> Result<Vec<Vec<f32>>, Error> {
        p.par_iter()
            .with_max_len(1)
            .map(|t| candle.embed(t, "passage: "))
            .collect()
    };
    let candle_query = |q: &str| -> Result<Vec<f32>, Error> { candle.embed(q, "query: ") };

    // Warm up: caches, thread pools, candle's repacking.
    for t in passages.iter().take(4) {
        qiao.embed(t, qiao_embed::Side::Passage);
        candle.embed(t, "passage: ")?;
    }
    for q in queries.iter().take(10) {
        qiao.embed_query(q);
        candle.embed(q, "query: ")?;
    }

    let engines: [(&str, &PassageFn<'_>, &QueryFn<'_>); 3] = [
        ("qiao-embed", &qiao_passages, &qiao_query),
        ("candle (threads in each op)", &candle_in_op, &candle_query),
        (
            "candle (passages over rayon)",
            &candle_spread,
            &candle_query,
        ),
    ];
    let mut timings: Vec<Vec<Timing>> = (0..engines.len()).map(|_| Vec::new()).collect();
    let mut vectors: Vec<(Vec<Vec<f32>>, Vec<Vec<f32>>)> = Vec::new();
    for run in 0..o.runs {
        for (e, (name, pf, qf)) in engines.iter().enumerate() {
            let (t, pv, qv) = time(*pf, *qf, &passages, &queries)?;
            println!(
                "{}",
                json!({
                    "run": run + 1, "engine": name,
                    "passages_per_s": t.passages_per_s, "passages_per_cpu_s": t.passages_per_cpu_s,
                    "query_p50_ms": t.query_p50_ms, "query_p99_ms": t.query_p99_ms,
                    "query_cpu_ms": t.query_cpu_ms, "loadavg_1min": load_average(),
                })
            );
            timings[e].push(t);
            if run == 0 && e < 2 {
                vectors.push((pv, qv));
            }
        }
    }

    // Equal vectors: every passage and query, candle's against qiao-embed's.
    let (qiao_v, candle_v) = (&vectors[0], &vectors[1]);
    let cosines: Vec<f32> = qiao_v
        .0
        .iter()
        .zip(&candle_v.0)
        .chain(qiao_v.1.iter().zip(&candle_v.1))
        .map(|(a, b)| cosine(a, b))
        .collect();
    let lowest = cosines.iter().copied().fold(f32::INFINITY, f32::min);
    let mean = cosines.iter().sum::<f32>() / cosines.len() as f32;
    let below = cosines.iter().filter(|&&c| c < 0.999).count();

    let summary: Vec<_> = engines
        .iter()
        .zip(&timings)
        .map(|((name, ..), ts)| {
            let m = |f: fn(&Timing) -> f64| median(ts.iter().map(f).collect());
            json!({
                "engine": name,
                "passages_per_s_median": m(|t| t.passages_per_s),
                "passages_per_cpu_s_median": m(|t| t.passages_per_cpu_s),
                "query_p50_ms_median": m(|t| t.query_p50_ms),
                "query_p99_ms_median": m(|t| t.query_p99_ms),
                "query_cpu_ms_median": m(|t| t.query_cpu_ms),
            })
        })
        .collect();
    println!(
        "{}",
        json!({
            "texts_compared": cosines.len(), "cosine_lowest": lowest, "cosine_mean": mean,
            "below_0_999": below, "load_s": {"qiao-embed": qiao_load, "candle": candle_load},
            "medians": summary,
        })
    );
    Ok(())
}
