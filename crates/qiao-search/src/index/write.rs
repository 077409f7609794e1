//! Opening the index and writing to it: batches of listings and documents committed with the
//! change-feed position they reach, merges, and the entries each record becomes.

use std::path::Path;
use std::sync::{Arc, Mutex};

use rayon::prelude::*;
use tantivy::directory::MmapDirectory;
use tantivy::{Index, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use super::{Batch, FieldWeights, SearchIndex, TermCaps};
use crate::analysis;
use crate::document::{DocEntry, IndexDoc, Texts, ipc_keys, stage_rank};
use crate::error::{Error, Result};
use crate::schema::{
    ENTITY_DOCUMENT, ENTITY_LISTING, Fields, Shelf, day_number, kind_code, status_code, uid,
};

/// Writer memory budget. tantivy needs at least 15 MB per indexing thread.
const WRITER_BUDGET: usize = 96 * 1024 * 1024;

/// Listings analysed together on every core before they go to the writer (documents, which
/// are longer, an eighth of this).
const ANALYSIS_CHUNK: usize = 256;

impl SearchIndex {
    /// Opens the index in `dir`, creating it when the directory is empty. An index written by
    /// another version (another schema) is derived data: it is deleted and started afresh, and
    /// the follower then rebuilds it from the database.
    pub fn open(dir: &Path) -> Result<SearchIndex> {
        Self::open_dir(dir, true)
    }

    /// Opens the index in `dir` for searching only, for when another process (a running
    /// server) holds its writer. It does not see that process's later commits.
    pub fn open_read_only(dir: &Path) -> Result<SearchIndex> {
        Self::open_dir(dir, false)
    }

    fn open_dir(dir: &Path, writable: bool) -> Result<SearchIndex> {
        std::fs::create_dir_all(dir)?;
        let (schema, _) = Fields::schema();
        let directory = MmapDirectory::open(dir).map_err(|e| Error::Index(e.to_string()))?;
        let index = if Index::exists(&directory).map_err(|e| Error::Index(e.to_string()))? {
            let index = Index::open(directory)?;
            if index.schema() == schema {
                index
            } else if writable {
                tracing::warn!(dir = %dir.display(), "search index from another version; rebuilding it");
                drop(index);
                std::fs::remove_dir_all(dir)?;
                std::fs::create_dir_all(dir)?;
                let directory =
                    MmapDirectory::open(dir).map_err(|e| Error::Index(e.to_string()))?;
                Index::create(directory, schema, Default::default())?
            } else {
                return Err(Error::Incompatible(dir.display().to_string()));
            }
        } else {
            Index::create(directory, schema, Default::default())?
        };
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .clamp(1, 2);
        Self::with_index(index, writable, threads)
    }

    /// An index held in memory (benchmarks and tests). It is written by one thread, so the
    /// same documents always land in the same segments and ties rank the same in every run.
    pub fn in_memory() -> Result<SearchIndex> {
        let (schema, _) = Fields::schema();
        Self::with_index(Index::create_in_ram(schema), true, 1)
    }

    fn with_index(mut index: Index, writable: bool, threads: usize) -> Result<SearchIndex> {
        let fields = Fields::from_schema(&index.schema())?;
        // Segments are searched in parallel, one thread per core.
        index.set_default_multithread_executor()?;
        let writer = if writable {
            match index.writer_with_num_threads(threads, WRITER_BUDGET) {
                Ok(w) => Some(Mutex::new(w)),
                Err(tantivy::TantivyError::LockFailure(..)) => return Err(Error::Busy),
                Err(e) => return Err(e.into()),
            }
        } else {
            None
        };
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(SearchIndex {
            index,
            fields,
            reader,
            writer,
            weights: FieldWeights::default(),
            caps: TermCaps::default(),
            columns: Arc::default(),
        })
    }

    fn writer(&self) -> Result<std::sync::MutexGuard<'_, IndexWriter>> {
        self.writer
            .as_ref()
            .ok_or(Error::ReadOnly)?
            .lock()
            .map_err(|_| Error::Poisoned)
    }

    /// The store sequence number the last commit brought the index up to (0 for a new index).
    pub fn indexed_seq(&self) -> Result<i64> {
        let metas = self.index.load_metas()?;
        Ok(metas
            .payload
            .as_deref()
            .and_then(|p| p.parse().ok())
            .unwrap_or(0))
    }

    /// Applies one batch atomically: removes `deleted` ids, replaces `upserts`, and records
    /// `seq` as the position reached. Readers see the batch when this returns.
    pub fn apply(&self, deleted: &[u64], upserts: &[IndexDoc], seq: i64) -> Result<()> {
        let batch = Batch {
            deleted_listings: deleted.to_vec(),
            listings: upserts.to_vec(),
            ..Batch::default()
        };
        self.apply_batch(&batch, seq)
    }

    /// Applies one batch of listing and document changes atomically and records `seq` as the
    /// position reached. Readers see the batch when this returns.
    pub fn apply_batch(&self, batch: &Batch, seq: i64) -> Result<()> {
        let mut writer = self.writer()?;
        let delete = |writer: &mut IndexWriter, entity, id| {
            writer.delete_term(Term::from_field_text(self.fields.uid, &uid(entity, id)));
        };
        for id in batch
            .deleted_listings
            .iter()
            .chain(batch.listings.iter().map(|d| &d.id))
        {
            delete(&mut writer, ENTITY_LISTING, *id);
        }
        for id in batch
            .deleted_documents
            .iter()
            .chain(batch.documents.iter().map(|d| &d.id))
        {
            delete(&mut writer, ENTITY_DOCUMENT, *id);
        }
        // Analysis (folding, jieba, bigrams) costs more than indexing the tokens: it runs on
        // every core, a chunk at a time, handing each chunk to the writer's threads; memory
        // stays bounded by the chunk however large the batch.
        for chunk in batch.listings.chunks(ANALYSIS_CHUNK) {
            let built: Vec<TantivyDocument> = chunk.par_iter().map(|d| self.document(d)).collect();
            for doc in built {
                writer.add_document(doc)?;
            }
        }
        for chunk in batch.documents.chunks(ANALYSIS_CHUNK / 8) {
            let built: Vec<TantivyDocument> =
                chunk.par_iter().map(|d| self.policy_document(d)).collect();
            for doc in built {
                writer.add_document(doc)?;
            }
        }
        let mut commit = writer.prepare_commit()?;
        commit.set_payload(&seq.to_string());
        commit.commit()?;
        drop(writer);
        self.reader.reload()?;
        Ok(())
    }

    /// Merges every segment into one and waits for it. A rebuild leaves one segment per
    /// commit batch (14 for 100k listings); each query then looks every term up in each of
    /// them. One segment makes matching a whole demand at 100k listings markedly cheaper.
    pub fn merge_segments(&self) -> Result<()> {
        let writer = self.writer.as_ref().ok_or(Error::ReadOnly)?;
        crate::segments::merge_all(&self.index, writer, &self.reader, "listings")
    }

    /// Removes every document and resets the position to 0.
    pub fn clear(&self) -> Result<()> {
        let mut writer = self.writer()?;
        writer.delete_all_documents()?;
        let mut commit = writer.prepare_commit()?;
        commit.set_payload("0");
        commit.commit()?;
        drop(writer);
        self.reader.reload()?;
        Ok(())
    }

    fn document(&self, doc: &IndexDoc) -> TantivyDocument {
        let f = &self.fields;
        let mut d = TantivyDocument::default();
        d.add_u64(f.id, doc.id);
        d.add_u64(f.entity, ENTITY_LISTING);
        d.add_text(f.uid, uid(ENTITY_LISTING, doc.id));
        d.add_u64(f.kind, kind_code(doc.facets.kind));
        d.add_u64(f.status, status_code(doc.facets.status));
        d.add_i64(f.expires, day_number(doc.facets.expires_on));
        if let Some(x) = &doc.facets.district {
            d.add_text(f.district, x);
        }
        if let Some(x) = &doc.facets.discipline {
            d.add_text(f.discipline, x);
        }
        for code in &doc.facets.ipc_codes {
            for key in ipc_keys(code) {
                d.add_text(f.ipc, key);
            }
        }
        if let Some(stage) = doc.facets.stage {
            d.add_u64(f.stage, u64::from(stage_rank(stage)));
        }
        if let Some(yuan) = doc.facets.price_min_yuan {
            d.add_i64(f.price_min, yuan);
        }
        if let Some(org) = doc.facets.owner_org_id {
            d.add_u64(f.owner, org as u64);
        }
        if let Some(yuan) = doc.facets.budget_max_yuan {
            d.add_i64(f.budget_max, yuan);
        }
        self.add_texts(&mut d, Shelf::of(doc.facets.kind), &doc.texts);
        d
    }

    /// A policy document's entry: id, entity and texts only, so no listing filter (kind,
    /// status, expiry, district, field) ever lets it through.
    fn policy_document(&self, doc: &DocEntry) -> TantivyDocument {
        let f = &self.fields;
        let mut d = TantivyDocument::default();
        d.add_u64(f.id, doc.id);
        d.add_u64(f.entity, ENTITY_DOCUMENT);
        d.add_text(f.uid, uid(ENTITY_DOCUMENT, doc.id));
        self.add_texts(&mut d, Shelf::Documents, &doc.texts);
        d
    }

    fn add_texts(&self, d: &mut TantivyDocument, shelf: Shelf, t: &Texts) {
        let f = self.fields.shelf(shelf);
        let w = self.weights;
        let parts = [
            (t.title.as_str(), w.title_repeat),
            (t.keywords.as_str(), w.keywords_repeat),
            (t.body.as_str(), 1),
        ];
        let (words, bigrams) = analysis::joined(&parts);
        d.add_text(f.words, words);
        d.add_text(f.bigrams, bigrams);
    }
}
