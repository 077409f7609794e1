//! The vector side of the derived index: one embedding per listing and document, persisted,
//! searched exactly.
//!
//! Why an append-only log and exact search: vectors are expensive to compute (the model runs
//! on the CPU) and cheap to store, so losing them on a crash or a restart would cost hours at
//! 100k listings. Every batch the [`crate::semantic::VectorFollower`] embeds is appended with
//! the change-feed position it reaches, after its records, so on open everything up to the
//! last position record is replayed and anything after it (a batch cut short by a crash) is
//! truncated away: the store is always consistent with some earlier feed position, exactly
//! like the tantivy index. Search scans every vector: at 100k × 384 dimensions that is a few
//! milliseconds on one core and recall is exact (1.0 against itself), which an approximate
//! graph index would have to earn back.
//!
//! A listing of a kind that asks (demand, challenge, scenario) also keeps the embedding of its
//! text as a *query* (e5 embeds questions and passages with different prefixes), so matching
//! it needs no model call at request time.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, RwLock};

use crate::error::{Error, Result};

/// What a vector belongs to: listings and documents have separate id spaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Entity {
    /// A listing (achievement, demand, …).
    Listing,
    /// An imported policy document.
    Document,
}

impl Entity {
    fn code(self) -> u8 {
        match self {
            Entity::Listing => 1,
            Entity::Document => 2,
        }
    }

    fn from_code(c: u8) -> Option<Entity> {
        match c {
            1 => Some(Entity::Listing),
            2 => Some(Entity::Document),
            _ => None,
        }
    }
}

/// One record's vectors, to store.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Listing or document.
    pub entity: Entity,
    /// Its id.
    pub id: u64,
    /// The listing's kind code (see [`crate::schema::kind_code`]); 0 for documents.
    pub kind: u8,
    /// The passage embedding (unit length).
    pub passage: Vec<f32>,
    /// The query embedding, for listings that ask.
    pub query: Option<Vec<f32>>,
}

/// The log's format and what its vectors were computed from: version 2 embeds traditional
/// texts folded to simplified (`simplified_for_model`), version 3 folds only their Han
/// characters (Latin case and full-width punctuation as written); an older log is computed
/// again.
const MAGIC: &[u8; 8] = b"QIAOVEC3";
const UPSERT: u8 = 1;
const DELETE: u8 = 2;
const REACHED: u8 = 3;
const LOG: &str = "vectors.log";
/// Beside the log: the embedder its vectors came from (the model and the adapter its vectors
/// pass through, `qiao_embed::Model::embedder`). Vectors of two embedders do not compare, so a
/// log made by another one, or by an unnamed one (a log older than this file), is computed
/// again rather than mixed with new vectors.
const EMBEDDER: &str = "embedder";
const LOCK: &str = "vectors.lock";

#[derive(Default)]
struct Inner {
    dim: usize,
    /// Row `slot` of `data` belongs to `keys[slot]` (`None`: a free slot).
    keys: Vec<Option<(Entity, u64)>>,
    kinds: Vec<u8>,
    data: Vec<f32>,
    slots: HashMap<(Entity, u64), usize>,
    free: Vec<usize>,
    queries: HashMap<u64, Vec<f32>>,
    reached: i64,
    /// Records in the log that no longer describe a live vector (for compaction).
    dead: usize,
}

impl Inner {
    fn upsert(&mut self, e: Entry) {
        let key = (e.entity, e.id);
        let slot = match self.slots.get(&key) {
            Some(s) => {
                self.dead += 1;
                *s
            }
            None => {
                let s = self.free.pop().unwrap_or_else(|| {
                    self.keys.push(None);
                    self.kinds.push(0);
                    self.data.resize(self.data.len() + self.dim, 0.0);
                    self.keys.len() - 1
                });
                self.slots.insert(key, s);
                s
            }
        };
        self.keys[slot] = Some(key);
        self.kinds[slot] = e.kind;
        self.data[slot * self.dim..(slot + 1) * self.dim].copy_from_slice(&e.passage);
        if e.entity == Entity::Listing {
            match e.query {
                Some(q) => {
                    self.queries.insert(e.id, q);
                }
                None => {
                    self.queries.remove(&e.id);
                }
            }
        }
    }

    fn delete(&mut self, entity: Entity, id: u64) {
        if let Some(slot) = self.slots.remove(&(entity, id)) {
            self.keys[slot] = None;
            self.free.push(slot);
            self.dead += 2;
        }
        if entity == Entity::Listing {
            self.queries.remove(&id);
        }
    }

    fn live(&self) -> usize {
        self.slots.len()
    }
}

/// The vectors of every embedded listing and document. Thread-safe; writes go through
/// [`VectorIndex::apply`] only.
pub struct VectorIndex {
    inner: RwLock<Inner>,
    /// The log file and where it lives; `None` for an index held in memory only (or a
    /// read-only snapshot).
    log: Option<(PathBuf, Mutex<File>)>,
    /// An exclusive lock on `vectors.lock`, held while this process may write the log: two
    /// writers appending (or one truncating what the other is writing) would corrupt it.
    _lock: Option<File>,
}

/// A nearest neighbour: id and cosine similarity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Neighbour {
    /// Listing or document id.
    pub id: u64,
    /// Cosine similarity with the query (vectors are unit length).
    pub cosine: f32,
}

impl VectorIndex {
    /// An index of `dim`-dimensional vectors held in memory (benchmarks, tests).
    pub fn in_memory(dim: usize) -> VectorIndex {
        VectorIndex {
            inner: RwLock::new(Inner {
                dim,
                ..Inner::default()
            }),
            log: None,
            _lock: None,
        }
    }

    /// A snapshot of the vectors persisted in `dir`, for reading while another process (a
    /// running server) maintains them: the log is replayed up to its last complete batch and
    /// never written. A missing or unusable log, or one `embedder` did not make, gives an
    /// empty snapshot.
    pub fn open_read_only(dir: &Path, dim: usize, embedder: &str) -> VectorIndex {
        let path = dir.join(LOG);
        let mut inner = Inner {
            dim,
            ..Inner::default()
        };
        if path.exists() && (!made_by(dir, embedder) || replay(&path, dim, &mut inner).is_err()) {
            inner = Inner {
                dim,
                ..Inner::default()
            };
        }
        VectorIndex {
            inner: RwLock::new(inner),
            log: None,
            _lock: None,
        }
    }

    /// Opens (or creates) the index persisted in `dir` for writing, replaying its log up to
    /// the last complete batch. A log written for another dimension, or by another embedder
    /// than `embedder`, is discarded (the model changed). [`Error::Busy`] when another process
    /// has it open for writing.
    pub fn open(dir: &Path, dim: usize, embedder: &str) -> Result<VectorIndex> {
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        let lock_path = dir.join(LOCK);
        let lock = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .open(&lock_path)
            .map_err(|e| io(&lock_path, e))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => return Err(Error::Busy),
            Err(std::fs::TryLockError::Error(e)) => return Err(io(&lock_path, e)),
        }
        let path = dir.join(LOG);
        let mut inner = Inner {
            dim,
            ..Inner::default()
        };
        let mut keep = 0u64;
        if path.exists() && !made_by(dir, embedder) {
            tracing::info!(path = %path.display(), embedder, "vectors made by another embedder; they will be computed again");
        } else if path.exists() {
            match replay(&path, dim, &mut inner) {
                Ok(end) => keep = end,
                Err(why) => {
                    tracing::warn!(path = %path.display(), why, "vector log unusable; vectors will be computed again");
                    inner = Inner {
                        dim,
                        ..Inner::default()
                    };
                }
            }
        }
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| io(&path, e))?;
        if keep == 0 {
            file.set_len(0).map_err(|e| io(&path, e))?;
            file.write_all(MAGIC).map_err(|e| io(&path, e))?;
            file.write_all(&(dim as u32).to_le_bytes())
                .map_err(|e| io(&path, e))?;
            // Named once the log is empty: a crash in between leaves an empty log named by
            // the old embedder, which is computed again all the same.
            let tag = dir.join(EMBEDDER);
            std::fs::write(&tag, embedder).map_err(|e| io(&tag, e))?;
        } else {
            // Drop a batch cut short by a crash.
            file.set_len(keep).map_err(|e| io(&path, e))?;
        }
        file.seek(SeekFrom::End(0)).map_err(|e| io(&path, e))?;
        let index = VectorIndex {
            inner: RwLock::new(inner),
            log: Some((path, Mutex::new(file))),
            _lock: Some(lock),
        };
        index.compact_if_wasteful()?;
        Ok(index)
    }

    /// The dimension.
    pub fn dim(&self) -> usize {
        self.read().dim
    }

    /// How many records have a vector.
    pub fn len(&self) -> usize {
        self.read().live()
    }

    /// Whether no record has a vector.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many listings of the given kind codes have a vector (all listings when empty).
    pub fn count_listings(&self, kinds: &[u8]) -> usize {
        let inner = self.read();
        inner
            .keys
            .iter()
            .zip(&inner.kinds)
            .filter(|(k, kind)| {
                matches!(k, Some((Entity::Listing, _)))
                    && (kinds.is_empty() || kinds.contains(kind))
            })
            .count()
    }

    /// The change-feed position the vectors reflect.
    pub fn reached(&self) -> i64 {
        self.read().reached
    }

    /// Whether a record has a vector.
    pub fn contains(&self, entity: Entity, id: u64) -> bool {
        self.read().slots.contains_key(&(entity, id))
    }

    /// The passage vector of a record.
    pub fn passage(&self, entity: Entity, id: u64) -> Option<Vec<f32>> {
        let inner = self.read();
        let slot = *inner.slots.get(&(entity, id))?;
        Some(inner.data[slot * inner.dim..(slot + 1) * inner.dim].to_vec())
    }

    /// The query vector of a listing that asks.
    pub fn query_of(&self, listing_id: u64) -> Option<Vec<f32>> {
        self.read().queries.get(&listing_id).cloned()
    }

    /// Applies one batch (removals, then additions) and records that the vectors now reflect
    /// the feed up to `seq`. The batch is on disk before this returns.
    pub fn apply(&self, deleted: &[(Entity, u64)], entries: Vec<Entry>, seq: i64) -> Result<()> {
        let dim = self.dim();
        for e in &entries {
            if e.passage.len() != dim || e.query.as_ref().is_some_and(|q| q.len() != dim) {
                return Err(Error::Index(format!(
                    "vector of {} dimensions for a {dim}-dimensional index",
                    e.passage.len()
                )));
            }
        }
        if let Some((path, file)) = &self.log {
            let mut buf = Vec::with_capacity(entries.len() * (dim * 8 + 16) + 16);
            for (entity, id) in deleted {
                buf.push(DELETE);
                buf.push(entity.code());
                buf.extend_from_slice(&id.to_le_bytes());
            }
            for e in &entries {
                buf.push(UPSERT);
                buf.push(e.entity.code());
                buf.extend_from_slice(&e.id.to_le_bytes());
                buf.push(e.kind);
                buf.push(u8::from(e.query.is_some()));
                for x in e.passage.iter().chain(e.query.iter().flatten()) {
                    buf.extend_from_slice(&x.to_le_bytes());
                }
            }
            buf.push(REACHED);
            buf.extend_from_slice(&seq.to_le_bytes());
            let mut f = file.lock().map_err(|_| poisoned())?;
            f.write_all(&buf).map_err(|e| io(path, e))?;
            f.sync_data().map_err(|e| io(path, e))?;
        }
        let mut inner = self.inner.write().map_err(|_| poisoned())?;
        for (entity, id) in deleted {
            inner.delete(*entity, *id);
        }
        for e in entries {
            inner.upsert(e);
        }
        // Never backwards: a record embedded ahead of the feed ([`VectorIndex::put_ahead`])
        // may be applied while the follower's batch is on its way.
        inner.reached = inner.reached.max(seq);
        drop(inner);
        Ok(())
    }

    /// Adds vectors ahead of the feed, without moving the position the vectors reflect: a
    /// listing embedded as it is saved, so that its first matches use its meaning. The
    /// follower embeds it again when it reaches the change (the same vectors, upserted).
    pub fn put_ahead(&self, entries: Vec<Entry>) -> Result<()> {
        self.apply(&[], entries, self.reached())
    }

    /// Forgets every vector (a rebuild from the whole feed follows).
    pub fn clear(&self) -> Result<()> {
        let mut inner = self.inner.write().map_err(|_| poisoned())?;
        let dim = inner.dim;
        *inner = Inner {
            dim,
            ..Inner::default()
        };
        if let Some((path, file)) = &self.log {
            let mut f = file.lock().map_err(|_| poisoned())?;
            rewrite(&mut f, path, &inner)?;
        }
        Ok(())
    }

    /// The `k` records most similar to `query` among those `accept(entity, id, kind)` admits,
    /// most similar first (ties by id).
    pub fn nearest(
        &self,
        query: &[f32],
        k: usize,
        accept: impl Fn(Entity, u64, u8) -> bool,
    ) -> Vec<Neighbour> {
        self.nearest_counted(query, k, accept).0
    }

    /// [`nearest`](Self::nearest), and how many records `accept` admitted: the size of the
    /// pool the nearest were drawn from, which a hit's strength is judged against
    /// (`strength::background_rank`).
    pub fn nearest_counted(
        &self,
        query: &[f32],
        k: usize,
        accept: impl Fn(Entity, u64, u8) -> bool,
    ) -> (Vec<Neighbour>, usize) {
        let inner = self.read();
        if query.len() != inner.dim || k == 0 {
            return (Vec::new(), 0);
        }
        let mut best: Vec<Neighbour> = Vec::with_capacity(k + 1);
        let mut floor = f32::NEG_INFINITY;
        let mut admitted = 0;
        for (slot, key) in inner.keys.iter().enumerate() {
            let Some((entity, id)) = key else { continue };
            if !accept(*entity, *id, inner.kinds[slot]) {
                continue;
            }
            admitted += 1;
            let row = &inner.data[slot * inner.dim..(slot + 1) * inner.dim];
            let cosine = dot(query, row);
            if best.len() == k && cosine <= floor {
                continue;
            }
            let at = best
                .iter()
                .position(|n| cosine > n.cosine || (cosine == n.cosine && *id < n.id))
                .unwrap_or(best.len());
            best.insert(at, Neighbour { id: *id, cosine });
            best.truncate(k);
            if best.len() == k {
                floor = best[k - 1].cosine;
            }
        }
        (best, admitted)
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Inner> {
        // A panic while holding the lock can only come from a bug in this module; the data is
        // still a consistent map, so keep serving it.
        self.inner.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Rewrites the log when most of it describes vectors replaced or removed since.
    fn compact_if_wasteful(&self) -> Result<()> {
        let Some((path, file)) = &self.log else {
            return Ok(());
        };
        let inner = self.read();
        if inner.dead < 1_000 || inner.dead < inner.live() {
            return Ok(());
        }
        let mut f = file.lock().map_err(|_| poisoned())?;
        rewrite(&mut f, path, &inner)
    }
}

/// Dot product of two equal-length slices, in eight lanes the compiler vectorises.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for i in 0..8 {
            acc[i] += x[i] * y[i];
        }
    }
    let tail: f32 = ra.iter().zip(rb).map(|(x, y)| x * y).sum();
    acc.iter().sum::<f32>() + tail
}

/// Whether the log in `dir` was made by `embedder` (its name file says so).
fn made_by(dir: &Path, embedder: &str) -> bool {
    std::fs::read_to_string(dir.join(EMBEDDER)).is_ok_and(|e| e == embedder)
}

/// Reads the log into `inner`; returns the byte length up to the last complete batch.
fn replay(path: &Path, dim: usize, inner: &mut Inner) -> std::result::Result<u64, String> {
    let file = File::open(path).map_err(|e| e.to_string())?;
    let mut r = BufReader::with_capacity(1 << 20, file);
    let mut magic = [0u8; 8];
    if r.read_exact(&mut magic).is_err() || &magic != MAGIC {
        return Err("not a vector log".into());
    }
    let mut d = [0u8; 4];
    r.read_exact(&mut d).map_err(|e| e.to_string())?;
    if u32::from_le_bytes(d) as usize != dim {
        return Err(format!(
            "written for {} dimensions, the model has {dim}",
            u32::from_le_bytes(d)
        ));
    }
    let mut pos: u64 = 12;
    let mut keep = pos;
    // Operations since the last position record, applied only once it is seen.
    let mut pending: Vec<Result2> = Vec::new();
    enum Result2 {
        Upsert(Entry),
        Delete(Entity, u64),
    }
    let mut tag = [0u8; 1];
    loop {
        if r.read_exact(&mut tag).is_err() {
            break;
        }
        let step = match tag[0] {
            UPSERT => {
                let mut head = [0u8; 11];
                if r.read_exact(&mut head).is_err() {
                    break;
                }
                let Some(entity) = Entity::from_code(head[0]) else {
                    break;
                };
                let id = u64::from_le_bytes(head[1..9].try_into().expect("8 bytes"));
                let (kind, has_query) = (head[9], head[10] == 1);
                let n = dim * if has_query { 2 } else { 1 };
                let mut raw = vec![0u8; n * 4];
                if r.read_exact(&mut raw).is_err() {
                    break;
                }
                let mut v: Vec<f32> = raw
                    .chunks_exact(4)
                    .map(|b| f32::from_le_bytes(b.try_into().expect("4 bytes")))
                    .collect();
                let query = has_query.then(|| v.split_off(dim));
                pending.push(Result2::Upsert(Entry {
                    entity,
                    id,
                    kind,
                    passage: v,
                    query,
                }));
                12 + raw.len() as u64
            }
            DELETE => {
                let mut head = [0u8; 9];
                if r.read_exact(&mut head).is_err() {
                    break;
                }
                let Some(entity) = Entity::from_code(head[0]) else {
                    break;
                };
                let id = u64::from_le_bytes(head[1..9].try_into().expect("8 bytes"));
                pending.push(Result2::Delete(entity, id));
                10
            }
            REACHED => {
                let mut s = [0u8; 8];
                if r.read_exact(&mut s).is_err() {
                    break;
                }
                for op in pending.drain(..) {
                    match op {
                        Result2::Upsert(e) => inner.upsert(e),
                        Result2::Delete(entity, id) => inner.delete(entity, id),
                    }
                }
                inner.reached = i64::from_le_bytes(s);
                pos += 9;
                keep = pos;
                continue;
            }
            _ => break,
        };
        pos += step;
    }
    Ok(keep)
}

/// Replaces the log with one batch holding exactly the live vectors.
fn rewrite(f: &mut File, path: &Path, inner: &Inner) -> Result<()> {
    let tmp = path.with_extension("tmp");
    {
        let out = File::create(&tmp).map_err(|e| io(&tmp, e))?;
        let mut w = BufWriter::with_capacity(1 << 20, out);
        let mut put = |bytes: &[u8]| w.write_all(bytes).map_err(|e| io(&tmp, e));
        put(MAGIC)?;
        put(&(inner.dim as u32).to_le_bytes())?;
        for (slot, key) in inner.keys.iter().enumerate() {
            let Some((entity, id)) = key else { continue };
            let query = match entity {
                Entity::Listing => inner.queries.get(id),
                Entity::Document => None,
            };
            put(&[UPSERT, entity.code()])?;
            put(&id.to_le_bytes())?;
            put(&[inner.kinds[slot], u8::from(query.is_some())])?;
            for x in inner.data[slot * inner.dim..(slot + 1) * inner.dim]
                .iter()
                .chain(query.into_iter().flatten())
            {
                put(&x.to_le_bytes())?;
            }
        }
        put(&[REACHED])?;
        put(&inner.reached.to_le_bytes())?;
        let out = w.into_inner().map_err(|e| io(&tmp, e.into_error()))?;
        out.sync_all().map_err(|e| io(&tmp, e))?;
    }
    std::fs::rename(&tmp, path).map_err(|e| io(path, e))?;
    let mut reopened = OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .map_err(|e| io(path, e))?;
    reopened.seek(SeekFrom::End(0)).map_err(|e| io(path, e))?;
    *f = reopened;
    Ok(())
}

fn io(path: &Path, e: std::io::Error) -> Error {
    Error::Index(format!("{}: {e}", path.display()))
}

fn poisoned() -> Error {
    Error::Index("vector index lock poisoned".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(v: &[f32]) -> Vec<f32> {
        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.iter().map(|x| x / n).collect()
    }

    fn entry(id: u64, v: &[f32]) -> Entry {
        Entry {
            entity: Entity::Listing,
            id,
            kind: 1,
            passage: unit(v),
            query: None,
        }
    }

    #[test]
    fn nearest_is_exact_and_filtered() {
        let idx = VectorIndex::in_memory(3);
        idx.apply(
            &[],
            vec![
                entry(1, &[1.0, 0.0, 0.0]),
                entry(2, &[0.9, 0.1, 0.0]),
                entry(3, &[0.0, 1.0, 0.0]),
            ],
            5,
        )
        .unwrap();
        let q = unit(&[1.0, 0.05, 0.0]);
        let ids: Vec<u64> = idx
            .nearest(&q, 2, |_, _, _| true)
            .iter()
            .map(|n| n.id)
            .collect();
        assert_eq!(ids, vec![1, 2]);
        let ids: Vec<u64> = idx
            .nearest(&q, 2, |_, id, _| id != 1)
            .iter()
            .map(|n| n.id)
            .collect();
        assert_eq!(ids, vec![2, 3]);
        assert_eq!(idx.reached(), 5);
        // The pool's size comes with the nearest, counted in the same pass.
        let (hits, admitted) = idx.nearest_counted(&q, 1, |_, id, _| id != 2);
        assert_eq!((hits.len(), admitted), (1, 2));
    }

    #[test]
    fn survives_reopen_and_drops_a_torn_batch() {
        let dir = tempfile::tempdir().unwrap();
        {
            let idx = VectorIndex::open(dir.path(), 3, "test").unwrap();
            idx.apply(
                &[],
                vec![entry(1, &[1.0, 0.0, 0.0]), entry(2, &[0.0, 1.0, 0.0])],
                7,
            )
            .unwrap();
            let mut with_query = entry(3, &[0.0, 0.0, 1.0]);
            with_query.query = Some(unit(&[0.0, 1.0, 1.0]));
            idx.apply(&[(Entity::Listing, 1)], vec![with_query], 9)
                .unwrap();
        }
        // A crash in the middle of the next batch: a record written, no position after it.
        let log = dir.path().join(LOG);
        let len_before = std::fs::metadata(&log).unwrap().len();
        {
            let mut f = OpenOptions::new().append(true).open(&log).unwrap();
            f.write_all(&[UPSERT, 1, 4, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0])
                .unwrap();
        }
        let idx = VectorIndex::open(dir.path(), 3, "test").unwrap();
        assert_eq!(idx.reached(), 9);
        assert_eq!(idx.len(), 2);
        assert!(!idx.contains(Entity::Listing, 1));
        assert!(idx.contains(Entity::Listing, 2));
        assert!(idx.query_of(3).is_some());
        assert_eq!(std::fs::metadata(&log).unwrap().len(), len_before);
        // And it keeps appending after the cut.
        idx.apply(&[], vec![entry(4, &[1.0, 1.0, 0.0])], 11)
            .unwrap();
        drop(idx);
        let idx = VectorIndex::open(dir.path(), 3, "test").unwrap();
        assert_eq!((idx.len(), idx.reached()), (3, 11));
    }

    #[test]
    fn one_writer_at_a_time_and_readers_see_what_was_written() {
        let dir = tempfile::tempdir().unwrap();
        let v = VectorIndex::open(dir.path(), 3, "test").unwrap();
        v.apply(&[], vec![entry(1, &[1.0, 0.0, 0.0])], 5).unwrap();
        assert!(matches!(
            VectorIndex::open(dir.path(), 3, "test"),
            Err(Error::Busy)
        ));
        let snapshot = VectorIndex::open_read_only(dir.path(), 3, "test");
        assert_eq!((snapshot.len(), snapshot.reached()), (1, 5));
        assert!(
            snapshot
                .apply(&[], vec![entry(2, &[0.0, 1.0, 0.0])], 6)
                .is_ok()
        );
        // The snapshot writes nothing: the log still holds one vector.
        drop(v);
        let reopened = VectorIndex::open(dir.path(), 3, "test").unwrap();
        assert_eq!((reopened.len(), reopened.reached()), (1, 5));
    }

    #[test]
    fn vectors_of_another_embedder_are_computed_again_not_mixed() {
        let dir = tempfile::tempdir().unwrap();
        {
            let v = VectorIndex::open(dir.path(), 3, "e5 adapter a").unwrap();
            v.apply(&[], vec![entry(1, &[1.0, 0.0, 0.0])], 5).unwrap();
        }
        // A reader with another embedder sees nothing; with the same one, the vector.
        assert_eq!(
            VectorIndex::open_read_only(dir.path(), 3, "e5 plain").len(),
            0
        );
        assert_eq!(
            VectorIndex::open_read_only(dir.path(), 3, "e5 adapter a").len(),
            1
        );
        // A writer with another embedder starts afresh (from feed position 0) and names itself.
        let v = VectorIndex::open(dir.path(), 3, "e5 plain").unwrap();
        assert_eq!((v.len(), v.reached()), (0, 0));
        v.apply(&[], vec![entry(2, &[0.0, 1.0, 0.0])], 7).unwrap();
        drop(v);
        let v = VectorIndex::open(dir.path(), 3, "e5 plain").unwrap();
        assert_eq!((v.len(), v.reached()), (1, 7));
        assert!(v.contains(Entity::Listing, 2));
        drop(v);
        // A log without a name (older than the name file) is computed again too.
        std::fs::remove_file(dir.path().join(EMBEDDER)).unwrap();
        assert_eq!(
            VectorIndex::open(dir.path(), 3, "e5 plain").unwrap().len(),
            0
        );
    }

    #[test]
    fn another_dimension_starts_afresh() {
        let dir = tempfile::tempdir().unwrap();
        VectorIndex::open(dir.path(), 3, "test")
            .unwrap()
            .apply(&[], vec![entry(1, &[1.0, 0.0, 0.0])], 3)
            .unwrap();
        let idx = VectorIndex::open(dir.path(), 4, "test").unwrap();
        assert_eq!((idx.len(), idx.reached()), (0, 0));
    }

    #[test]
    fn compaction_keeps_what_is_live() {
        let dir = tempfile::tempdir().unwrap();
        {
            let idx = VectorIndex::open(dir.path(), 3, "test").unwrap();
            for round in 0..600 {
                idx.apply(
                    &[],
                    vec![
                        entry(1, &[1.0, round as f32, 0.0]),
                        entry(2, &[0.0, 1.0, 0.0]),
                    ],
                    round,
                )
                .unwrap();
            }
        }
        let big = std::fs::metadata(dir.path().join(LOG)).unwrap().len();
        let idx = VectorIndex::open(dir.path(), 3, "test").unwrap();
        let small = std::fs::metadata(dir.path().join(LOG)).unwrap().len();
        assert!(small < big / 100, "{small} vs {big}");
        assert_eq!((idx.len(), idx.reached()), (2, 599));
        assert_eq!(
            idx.passage(Entity::Listing, 1).unwrap(),
            unit(&[1.0, 599.0, 0.0])
        );
        idx.clear().unwrap();
        drop(idx);
        assert_eq!(VectorIndex::open(dir.path(), 3, "test").unwrap().len(), 0);
    }
}
