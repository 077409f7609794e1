//! The BERT encoder of multilingual-e5-small: embeddings, 12 post-LN transformer layers, mean
//! pooling and L2 normalisation.
//!
//! The linear layers run in integer arithmetic on the 4-bit weights ([`crate::qmatmul`]: the
//! weights stay Q4_0, the activations are quantised to 8 bits per block of 32 at each product,
//! as the wheel's own engine does; per-row scales instead of per-block ones lowered the worst
//! reference cosine from 0.99996 to 0.9990). Q, K and V are one fused [3·hidden, hidden]
//! matrix, so a layer starts with a single product. Attention (per head, [tokens, 32]) stays
//! in f32, in [`crate::vecmath::attention_head`]; GELU, softmax and layer normalisation are
//! vectorised loops there too.
//!
//! Threads: a batch of passages is spread over rayon's pool (one thread per core), one
//! passage per task. A single text (a query) is too small for that, so each large product
//! splits its output panels in two halves with `rayon::join`, and the 12 heads of attention
//! are a parallel iterator; inside a batch both usually stay on the passage's own thread, so
//! the pool is never oversubscribed.

use std::ops::Range;
use std::path::{Path, PathBuf};

use ndarray::{Array2, ArrayView2, ArrayViewMut2, Axis};
use rayon::prelude::*;

use crate::container::{Container, DType, Q4_BLOCK_BYTES};
use crate::layers::TunedLayers;
use crate::qmatmul::{self, Kernel, PANEL, PackedWeights, QuantisedRows};
use crate::quant::dequantise;
use crate::tokenizer::Tokenizer;
use crate::vecmath;
use crate::{Error, MODEL_FILE};

/// One transformer layer, weights as [out, in] packed for the integer products.
struct Layer {
    qkv_w: PackedWeights,
    qkv_b: Vec<f32>,
    ao_w: PackedWeights,
    ao_b: Vec<f32>,
    aln: (Vec<f32>, Vec<f32>),
    fi_w: PackedWeights,
    fi_b: Vec<f32>,
    fo_w: PackedWeights,
    fo_b: Vec<f32>,
    oln: (Vec<f32>, Vec<f32>),
}

/// multilingual-e5-small, loaded and ready to embed. Cheap to share between threads (`&Model`
/// is all the embedding methods need).
pub struct Model {
    /// AVX-512 when the CPU has it, else scalar code (same results, much slower).
    kernel: Kernel,
    tokenizer: Tokenizer,
    hidden: usize,
    heads: usize,
    eps: f32,
    max_positions: usize,
    /// The word embeddings, still Q4_0: one row is `hidden / 32` blocks.
    word_q4: Vec<u8>,
    pos: Array2<f32>,
    token_type: Vec<f32>,
    emb_ln: (Vec<f32>, Vec<f32>),
    layers: Vec<Layer>,
    /// A linear map applied to every embedding, if one was given ([`Adapter`]).
    adapter: Option<Adapter>,
    /// The digest of the [`TunedLayers`] written over the wheel's, if any.
    tuned: Option<String>,
}

/// The environment variable that overrides the [`Adapter`] [`Model::load`] applies: a file's
/// path, or `off` for the model's own vectors. For experiments and benchmarks; a server started
/// with another adapter computes its stored vectors again ([`Model::embedder`]).
pub const ADAPTER_ENV: &str = "QIAO_EMBED_ADAPTER";

/// The environment variable that overrides the [`TunedLayers`] [`Model::load`] writes over the
/// wheel's: a file's path, or `off` for the wheel's model as it is. For experiments and
/// benchmarks, like [`ADAPTER_ENV`].
pub const LAYERS_ENV: &str = "QIAO_EMBED_LAYERS";

/// The tuned layers Qiao ships and applies by default (how they were made: `tuned/README.md`).
pub(crate) const TUNED: &[u8] = include_bytes!("../tuned/layers-8-11.e5l");

/// The adapter Qiao ships and applies by default ([`Adapter::shipped`]; how it was made:
/// `adapter/README.md`).
const SHIPPED: &[u8] = include_bytes!("../adapter/demands-half.f32");

/// A linear map W (384 × 384) applied to every embedding: the model's vector v becomes
/// normalise(W · v), on both sides. Why: e5's vectors share one direction along which every
/// Chinese technical text scores about 0.9 against every other, so what tells two texts apart
/// is a thin slice of each vector. A map trained on technical abstracts (a sentence against the
/// rest of its abstract) and on demands written for some of them (a company's problem against the
/// abstract that would help; no judgement and no measured demand set) widens that slice and
/// carries company language towards research language; the one shipped is halfway between the
/// identity and the trained map (issue #27, BENCHMARKS.md "a linear adapter on the embeddings",
/// "the adapter trained with written demands").
#[derive(Clone)]
pub struct Adapter {
    /// Row-major: `w[i * DIM + j]` multiplies input `j` into output `i`.
    w: Vec<f32>,
    /// The first 12 bytes of the file's SHA-256, in hex, to name caches by.
    digest: String,
}

impl std::fmt::Debug for Adapter {
    /// The digest only: the matrix is 147,456 numbers.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Adapter")
            .field("digest", &self.digest)
            .finish_non_exhaustive()
    }
}

impl Adapter {
    /// Parses raw little-endian f32s, row-major, [`Model::DIM`]² of them.
    pub fn from_bytes(bytes: &[u8]) -> Result<Adapter, Error> {
        let n = Model::DIM * Model::DIM;
        if bytes.len() != n * 4 {
            return Err(Error::Corrupt(format!(
                "an adapter holds {n} f32 values ({} bytes), this file {} bytes",
                n * 4,
                bytes.len()
            )));
        }
        let w: Vec<f32> = bytes
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        if w.iter().any(|v| !v.is_finite()) {
            return Err(Error::Corrupt(
                "the adapter holds a value that is not finite".into(),
            ));
        }
        use sha2::{Digest, Sha256};
        let digest = crate::setup::hex(&Sha256::digest(bytes)[..12]);
        Ok(Adapter { w, digest })
    }

    /// The adapter Qiao ships (`adapter/demands-half.f32`, compiled in).
    pub fn shipped() -> Adapter {
        Adapter::from_bytes(SHIPPED).expect("the shipped adapter is checked by its test")
    }

    /// Reads an adapter file.
    pub fn load(path: &Path) -> Result<Adapter, Error> {
        let bytes = std::fs::read(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Adapter::from_bytes(&bytes).map_err(|e| e.in_file(path))
    }

    /// normalise(W · v).
    pub fn apply(&self, v: &[f32]) -> Vec<f32> {
        let mut out: Vec<f32> = self
            .w
            .chunks_exact(v.len())
            .map(|row| row.iter().zip(v).map(|(a, b)| a * b).sum())
            .collect();
        let norm = out.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
        out.iter_mut().for_each(|x| *x /= norm);
        out
    }
}

impl std::fmt::Debug for Model {
    /// The shape only: the weights are 100 MB of numbers.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model")
            .field("hidden", &self.hidden)
            .field("heads", &self.heads)
            .field("layers", &self.layers.len())
            .field("max_positions", &self.max_positions)
            .finish_non_exhaustive()
    }
}

/// Which side of a search a text is on: e5 was trained with a prefix for each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// A search query: prefixed `query: `.
    Query,
    /// A document to be found: prefixed `passage: `.
    Passage,
    /// No prefix at all. Not what e5 was trained with; for ranking experiments
    /// (`qiao bench vectors --side bare`) that compare a query with and without its prefix.
    Bare,
}

impl Side {
    fn prefix(self) -> &'static str {
        match self {
            Side::Query => "query: ",
            Side::Passage => "passage: ",
            Side::Bare => "",
        }
    }
}

impl Model {
    /// Width of every embedding.
    pub const DIM: usize = 384;

    /// Loads `e5-small-q4.bin` from a model directory (see [`crate::setup::fetch`]) with the
    /// shipped [`TunedLayers`] written over the wheel's (or those [`LAYERS_ENV`] names; none for
    /// `off`) and the shipped [`Adapter`] (or the one [`ADAPTER_ENV`] names; none for `off`): the
    /// embedder every part of Qiao uses.
    pub fn load(dir: &Path) -> Result<Model, Error> {
        let layers = match std::env::var_os(LAYERS_ENV).filter(|p| !p.is_empty()) {
            Some(p) if p == "off" => None,
            Some(p) => Some(TunedLayers::load(Path::new(&p))?),
            None => Some(TunedLayers::shipped()),
        };
        let model = Model::read(dir, layers.as_ref())?;
        let adapter = match std::env::var_os(ADAPTER_ENV).filter(|p| !p.is_empty()) {
            Some(p) if p == "off" => None,
            Some(p) => Some(Adapter::load(Path::new(&p))?),
            // Trained on the wheel's vectors, it still helps over the tuned layers (BENCHMARKS.md
            // "the tuned model as a candidate").
            None => Some(Adapter::shipped()),
        };
        Ok(model.with_adapter(adapter))
    }

    /// The digest of the [`Adapter`] applied to every embedding (`None`: the model's own
    /// vectors).
    pub fn adapter_digest(&self) -> Option<&str> {
        self.adapter.as_ref().map(|a| a.digest.as_str())
    }

    /// The digest of the [`TunedLayers`] written over the wheel's (`None`: the wheel's model).
    pub fn tuned_digest(&self) -> Option<&str> {
        self.tuned.as_deref()
    }

    /// What makes this model's vectors: the model file, the tuned layers and the adapter.
    /// Vectors of two embedders do not compare, so stored vectors are kept under this name.
    pub fn embedder(&self) -> String {
        let tuned = match self.tuned_digest() {
            Some(d) => format!(" tuned {d}"),
            None => String::new(),
        };
        format!(
            "{MODEL_FILE}{tuned} {}",
            self.adapter_digest().unwrap_or("without adapter")
        )
    }

    /// The model with `adapter` applied to every embedding from now on.
    pub fn with_adapter(mut self, adapter: Option<Adapter>) -> Model {
        self.adapter = adapter;
        self
    }

    /// Removes the adapter and returns it: the model gives its own vectors until
    /// [`Model::with_adapter`] puts one back (a benchmark caches a corpus's own vectors once and
    /// applies each adapter it tries to them).
    pub fn take_adapter(&mut self) -> Option<Adapter> {
        self.adapter.take()
    }

    /// Loads the model alone: multilingual-e5-small's own vectors, as the wheel's file holds
    /// it, no tuned layers and no adapter (what the reference embeddings of the wheel's engine
    /// are compared with).
    pub fn load_plain(dir: &Path) -> Result<Model, Error> {
        Model::read(dir, None)
    }

    /// Reads the model file, writes `layers` over it and builds the model.
    fn read(dir: &Path, layers: Option<&TunedLayers>) -> Result<Model, Error> {
        let path = dir.join(MODEL_FILE);
        let mut bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::ModelMissing { path });
            }
            Err(source) => return Err(Error::Io { path, source }),
        };
        if let Some(l) = layers {
            l.apply(&mut bytes).map_err(|e| e.in_file(&path))?;
        }
        let mut model = Model::from_bytes(&bytes).map_err(|e| e.in_file(&path))?;
        model.tuned = layers.map(|l| l.digest.clone());
        Ok(model)
    }

    /// Parses a whole container held in memory.
    pub fn from_bytes(bytes: &[u8]) -> Result<Model, Error> {
        let c = Container::parse(bytes)?;
        let h = &c.header;
        if h.hidden != Self::DIM {
            return Err(Error::Unsupported(format!(
                "hidden width {} (this build embeds into {} dimensions)",
                h.hidden,
                Self::DIM
            )));
        }
        if h.heads * vecmath::HEAD != h.hidden {
            return Err(Error::Unsupported(format!(
                "{} attention heads over {} dimensions (this build runs heads {} wide)",
                h.heads,
                h.hidden,
                vecmath::HEAD
            )));
        }
        let (d, ff) = (h.hidden, h.ff);
        let f32s = |name: &str, rows: usize, cols: usize| -> Result<Vec<f32>, Error> {
            let t = c.tensor(name, DType::F32, rows, cols)?;
            Ok(bytes[t.offset..t.offset + t.size]
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect())
        };
        let q4_bytes = |name: &str, rows: usize, cols: usize| -> Result<&[u8], Error> {
            let t = c.tensor(name, DType::Q4_0, rows, cols)?;
            Ok(&bytes[t.offset..t.offset + t.size])
        };
        let pack = |src: &[u8], rows: usize, cols: usize| -> Result<PackedWeights, Error> {
            PackedWeights::from_q4(src, rows, cols).ok_or_else(|| {
                Error::Unsupported(format!(
                    "a [{rows}, {cols}] weight matrix (the integer products need multiples of 16 rows and 32 columns)"
                ))
            })
        };
        let q4 = |name: &str, rows: usize, cols: usize| -> Result<PackedWeights, Error> {
            pack(q4_bytes(name, rows, cols)?, rows, cols)
        };
        let ln = |name: &str| -> Result<(Vec<f32>, Vec<f32>), Error> {
            Ok((
                f32s(&format!("{name}.w"), 1, d)?,
                f32s(&format!("{name}.b"), 1, d)?,
            ))
        };
        let word = c.tensor("emb.word", DType::Q4_0, h.vocab_rows, d)?;
        let word_q4 = bytes[word.offset..word.offset + word.size].to_vec();
        let pos = Array2::from_shape_vec((h.positions, d), f32s("emb.pos", h.positions, d)?)
            .expect("size checked by tensor()");
        let mut token_type = f32s("emb.type", h.token_types, d)?;
        token_type.truncate(d);
        let emb_ln = ln("emb.ln")?;
        let mut layers = Vec::with_capacity(h.layers);
        for i in 0..h.layers {
            let p = |n: &str| format!("l{i}.{n}");
            // Q, K and V rows one after the other: one [3·d, d] product per layer.
            let mut qkv = q4_bytes(&p("q.w"), d, d)?.to_vec();
            qkv.extend_from_slice(q4_bytes(&p("k.w"), d, d)?);
            qkv.extend_from_slice(q4_bytes(&p("v.w"), d, d)?);
            let qkv_w = pack(&qkv, 3 * d, d)?;
            let mut qkv_b = f32s(&p("q.b"), 1, d)?;
            qkv_b.extend(f32s(&p("k.b"), 1, d)?);
            qkv_b.extend(f32s(&p("v.b"), 1, d)?);
            layers.push(Layer {
                qkv_w,
                qkv_b,
                ao_w: q4(&p("ao.w"), d, d)?,
                ao_b: f32s(&p("ao.b"), 1, d)?,
                aln: ln(&p("aln"))?,
                fi_w: q4(&p("fi.w"), ff, d)?,
                fi_b: f32s(&p("fi.b"), 1, ff)?,
                fo_w: q4(&p("fo.w"), d, ff)?,
                fo_b: f32s(&p("fo.b"), 1, d)?,
                oln: ln(&p("oln"))?,
            });
        }
        Ok(Model {
            kernel: Kernel::best(),
            tokenizer: Tokenizer::new(&c),
            hidden: d,
            heads: h.heads,
            eps: h.eps,
            max_positions: h.positions,
            word_q4,
            pos,
            token_type,
            emb_ln,
            layers,
            adapter: None,
            tuned: None,
        })
    }

    /// The code that runs the products ([`Kernel::best`]: the fastest this CPU has, unless
    /// `QIAO_EMBED_KERNEL` names another).
    pub fn kernel(&self) -> Kernel {
        self.kernel
    }

    /// The tokenizer (for token counts and tests).
    pub fn tokenizer(&self) -> &Tokenizer {
        &self.tokenizer
    }

    /// Token ids the model reads for `text` on `side` (prefix, `<s>`, pieces, `</s>`; before
    /// any windowing).
    pub fn token_ids(&self, text: &str, side: Side) -> Vec<u32> {
        self.tokenizer.encode(&format!("{}{text}", side.prefix()))
    }

    /// The embedding of a search query (`query: ` prefix), L2-normalised.
    pub fn embed_query(&self, text: &str) -> Vec<f32> {
        self.embed(text, Side::Query)
    }

    /// Embeddings of documents (`passage: ` prefix), L2-normalised, in input order; the batch
    /// is spread over all cores.
    pub fn embed_passages<S: AsRef<str> + Sync>(&self, texts: &[S]) -> Vec<Vec<f32>> {
        texts
            .par_iter()
            .with_max_len(1)
            .map(|t| self.embed(t.as_ref(), Side::Passage))
            .collect()
    }

    /// The embedding of one text on one side, L2-normalised.
    ///
    /// A text longer than the 512 positions is cut into windows of 510 pieces, each wrapped in
    /// `<s>` … `</s>`; the windows' mean-pooled states are averaged weighted by their token
    /// counts, which is the mean over all windows' tokens.
    pub fn embed(&self, text: &str, side: Side) -> Vec<f32> {
        let pieces = self.tokenizer.pieces(&format!("{}{text}", side.prefix()));
        let window = self.max_positions - 2;
        let mut sum = vec![0f32; self.hidden];
        let chunks: Vec<&[u32]> = if pieces.is_empty() {
            vec![&[]]
        } else {
            pieces.chunks(window).collect()
        };
        for chunk in chunks {
            let mut ids = Vec::with_capacity(chunk.len() + 2);
            ids.push(self.tokenizer.bos);
            ids.extend_from_slice(chunk);
            ids.push(self.tokenizer.eos);
            let states = self.encode_ids(&ids);
            // Summing token states and dividing by the total count is the token-weighted
            // average of the windows' means.
            for row in states.rows() {
                sum.iter_mut().zip(row).for_each(|(s, &v)| *s += v);
            }
        }
        let norm = sum.iter().map(|v| v * v).sum::<f32>().sqrt().max(1e-12);
        sum.iter_mut().for_each(|v| *v /= norm);
        match &self.adapter {
            Some(a) => a.apply(&sum),
            None => sum,
        }
    }

    /// Last hidden states [tokens, hidden] of one sequence of at most 512 ids.
    fn encode_ids(&self, ids: &[u32]) -> Array2<f32> {
        let (m, d) = (ids.len(), self.hidden);
        assert!(
            m <= self.max_positions,
            "windowing keeps sequences within 512"
        );
        let mut x = Array2::<f32>::zeros((m, d));
        let row_bytes = d / 32 * Q4_BLOCK_BYTES;
        for (i, (&id, mut row)) in ids.iter().zip(x.rows_mut()).enumerate() {
            let start = id as usize * row_bytes;
            let slice = row.as_slice_mut().expect("row-major");
            dequantise(&self.word_q4[start..start + row_bytes], slice);
            for ((v, &p), &t) in slice.iter_mut().zip(self.pos.row(i)).zip(&self.token_type) {
                *v += p + t;
            }
        }
        let (w, b) = &self.emb_ln;
        vecmath::layer_norm_rows(x.as_slice_mut().expect("row-major"), w, b, self.eps);

        let scale = 1.0 / (vecmath::HEAD as f32).sqrt();
        // Every product overwrites all of its output, so one buffer per shape serves all
        // twelve layers (`perf` put zeroing fresh ones at 3 % of a passage).
        let ff = self.layers.first().map_or(0, |l| l.fi_w.rows());
        let mut qkv = Array2::<f32>::zeros((m, 3 * d));
        let mut ctx = Array2::<f32>::zeros((m, d));
        let mut y = Array2::<f32>::zeros((m, d));
        let mut inner = Array2::<f32>::zeros((m, ff));
        for layer in &self.layers {
            self.linear(x.view(), &layer.qkv_w, &layer.qkv_b, &mut qkv);
            let qkv = qkv.as_slice().expect("row-major");
            // Heads are independent: rayon spreads them over the cores for a single text and
            // keeps them on the passage's own thread inside a batch.
            let heads: Vec<Vec<f32>> = (0..self.heads)
                .into_par_iter()
                .map(|h| vecmath::attention_head(qkv, m, d, h, scale))
                .collect();
            for (h, out) in heads.iter().enumerate() {
                for (row, o) in ctx
                    .rows_mut()
                    .into_iter()
                    .zip(out.chunks_exact(vecmath::HEAD))
                {
                    let row = row.into_slice().expect("row-major");
                    row[h * vecmath::HEAD..(h + 1) * vecmath::HEAD].copy_from_slice(o);
                }
            }
            self.linear(ctx.view(), &layer.ao_w, &layer.ao_b, &mut y);
            residual_norm(&mut y, &x, &layer.aln, self.eps);
            std::mem::swap(&mut x, &mut y);

            self.linear(x.view(), &layer.fi_w, &layer.fi_b, &mut inner);
            vecmath::gelu_all(inner.as_slice_mut().expect("row-major"));
            self.linear(inner.view(), &layer.fo_w, &layer.fo_b, &mut y);
            residual_norm(&mut y, &x, &layer.oln, self.eps);
            std::mem::swap(&mut x, &mut y);
        }
        x
    }

    /// `y = x · wᵀ + b` for `w` stored [out, in], every value of `y` overwritten. The
    /// activations are quantised once; the outputs are then computed panel range by panel
    /// range ([`split_product`]).
    fn linear(&self, x: ArrayView2<f32>, w: &PackedWeights, b: &[f32], y: &mut Array2<f32>) {
        let x = x.as_standard_layout();
        let xq = QuantisedRows::new(x.as_slice().expect("standard layout"), w.cols());
        assert_eq!(y.dim(), (xq.rows(), w.rows()), "output shape");
        split_product(self.kernel, &xq, w, 0..w.rows() / PANEL, b, y.view_mut());
    }
}

/// Fills `y` with the outputs of `panels`. Large products are split over panels into two
/// halves that rayon may run on both cores (a single query); inside a batch both halves usually
/// run on the same thread, so the pool is never oversubscribed. Below ~1 M multiply-adds the
/// join would cost more than it saves.
fn split_product(
    kernel: Kernel,
    x: &QuantisedRows,
    w: &PackedWeights,
    panels: Range<usize>,
    b: &[f32],
    mut y: ArrayViewMut2<f32>,
) {
    let n = panels.len();
    if x.rows() * w.cols() * n * PANEL < (1 << 20) || n < 2 * qmatmul::TILE_PANELS {
        qmatmul::matmul(kernel, x, w, panels, b, &mut y);
        return;
    }
    // At a multiple of the kernel's tile width, so neither half ends in a narrow tile.
    let half = (n / 2).div_ceil(qmatmul::TILE_PANELS) * qmatmul::TILE_PANELS;
    let mid = panels.start + half.min(n - 1);
    let (y1, y2) = y.split_at(Axis(1), (mid - panels.start) * PANEL);
    rayon::join(
        || split_product(kernel, x, w, panels.start..mid, b, y1),
        || split_product(kernel, x, w, mid..panels.end, b, y2),
    );
}

/// `y = layer_norm(y + x)`, in place: BERT's post-LN residual.
fn residual_norm(y: &mut Array2<f32>, x: &Array2<f32>, (w, b): &(Vec<f32>, Vec<f32>), eps: f32) {
    let y = y.as_slice_mut().expect("row-major");
    vecmath::add_assign(y, x.as_slice().expect("row-major"));
    vecmath::layer_norm_rows(y, w, b, eps);
}

impl Error {
    /// Names the file in a format error.
    pub(crate) fn in_file(self, path: &Path) -> Error {
        match self {
            Error::Corrupt(msg) => Error::Corrupt(format!("{}: {msg}", path.display())),
            Error::Unsupported(msg) => Error::Unsupported(format!("{}: {msg}", path.display())),
            e => e,
        }
    }
}

/// The model directory used when none is given: `$QIAO_MODEL_DIR`, else `data/model`.
pub fn default_dir() -> PathBuf {
    std::env::var_os("QIAO_MODEL_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("data/model"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matrix_bytes(f: impl Fn(usize, usize) -> f32) -> Vec<u8> {
        let d = Model::DIM;
        (0..d * d)
            .flat_map(|k| f(k / d, k % d).to_le_bytes())
            .collect()
    }

    #[test]
    fn an_adapter_maps_rows_onto_outputs_and_normalises() {
        let d = Model::DIM;
        let v: Vec<f32> = (0..d).map(|i| (i as f32 + 1.0) / d as f32).collect();
        let identity = Adapter::from_bytes(&matrix_bytes(|i, j| f32::from(i == j))).unwrap();
        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        for (a, b) in identity.apply(&v).iter().zip(&v) {
            assert!((a - b / n).abs() < 1e-6);
        }
        // Row i reads input i + 1: output i is input i + 1 (row-major, W · v).
        let shift = Adapter::from_bytes(&matrix_bytes(|i, j| f32::from(j == (i + 1) % d))).unwrap();
        let out = shift.apply(&v);
        assert!((out[0] - v[1] / n).abs() < 1e-6, "{} {}", out[0], v[1] / n);
        assert!((out.iter().map(|x| x * x).sum::<f32>() - 1.0).abs() < 1e-5);
        assert_ne!(identity.digest, shift.digest);
    }

    #[test]
    fn the_shipped_adapter_parses() {
        let a = Adapter::shipped();
        assert_eq!(a.w.len(), Model::DIM * Model::DIM);
        // Halfway between the identity and the trained map: the diagonal stays near 1.
        let diag: f32 = (0..Model::DIM)
            .map(|i| a.w[i * Model::DIM + i])
            .sum::<f32>()
            / Model::DIM as f32;
        assert!((0.5..1.5).contains(&diag), "mean diagonal {diag}");
    }

    #[test]
    fn a_damaged_adapter_is_refused() {
        let short = Adapter::from_bytes(&[0u8; 16]).unwrap_err();
        assert!(short.to_string().contains("16 bytes"), "{short}");
        let nan = Adapter::from_bytes(&matrix_bytes(|i, _| if i == 3 { f32::NAN } else { 0.0 }))
            .unwrap_err();
        assert!(nan.to_string().contains("not finite"), "{nan}");
    }

    #[test]
    fn split_product_equals_unsplit_product() {
        // Large enough to be split over threads (1,024 outputs = 64 panels).
        let (m, n, k) = (30, 1024, 320);
        let mut src = Vec::new();
        for i in 0..n * k / 32 {
            src.extend_from_slice(&[0x00, 0x20 + (i % 5) as u8]);
            src.extend((0..16).map(|j| ((i * 7 + j * 3) % 256) as u8));
        }
        let w = PackedWeights::from_q4(&src, n, k).unwrap();
        let x: Vec<f32> = (0..m * k).map(|i| ((i * 31) % 13) as f32 - 6.0).collect();
        let xq = QuantisedRows::new(&x, k);
        let b: Vec<f32> = (0..n).map(|i| i as f32).collect();
        let kernel = Kernel::best();
        let mut split = Array2::<f32>::zeros((m, n));
        split_product(kernel, &xq, &w, 0..n / PANEL, &b, split.view_mut());
        let mut whole = Array2::<f32>::zeros((m, n));
        qmatmul::matmul(kernel, &xq, &w, 0..n / PANEL, &b, &mut whole.view_mut());
        assert_eq!(split, whole);
    }
}
