//! The facets of a listing read back from the index's columns (kind, status, expiry, field,
//! district, IPC keys, maturity, price or budget), so that ranking reads nothing from the
//! store, with each segment's columns opened once and kept.

use std::sync::{Arc, Mutex};

use crate::document::{Facets, stage_of_rank};
use crate::error::{Error, Result};
use crate::schema::{date_of_day_number, kind_of_code, status_of_code};

/// The id column, not the stored document: no block to decompress per hit.
pub(super) fn candidate_id(
    ids: &tantivy::columnar::Column<u64>,
    addr: tantivy::DocAddress,
) -> Result<u64> {
    ids.first(addr.doc_id)
        .ok_or_else(|| Error::Index("document without id".into()))
}

/// Each segment's columns, opened the first time a query needs them and kept while the segment
/// is searched: opening a column reads its block index, which done for every query was about
/// a tenth of a title-length query's time (`perf` on `qiao bench scale --docs 100000`). A
/// segment never changes once written (deletes are kept beside it), so its columns are valid
/// for as long as it exists; the oldest entries go once more segments were seen than an index
/// holds at a time.
#[derive(Default)]
pub(super) struct ColumnCache {
    entries: Mutex<Vec<(tantivy::index::SegmentId, Arc<FacetColumns>)>>,
}

/// Segments whose columns are kept (an index holds a few dozen at most between merges).
const CACHED_SEGMENTS: usize = 64;

impl ColumnCache {
    pub(super) fn get(
        &self,
        reader: &tantivy::SegmentReader,
    ) -> tantivy::Result<Arc<FacetColumns>> {
        let id = reader.segment_id();
        let lock = || self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, c)) = lock().iter().find(|(s, _)| *s == id) {
            return Ok(c.clone());
        }
        let columns = Arc::new(FacetColumns::open(reader)?);
        let mut entries = lock();
        if !entries.iter().any(|(s, _)| *s == id) {
            if entries.len() >= CACHED_SEGMENTS {
                entries.remove(0);
            }
            entries.push((id, columns.clone()));
        }
        Ok(columns)
    }
}

impl std::fmt::Debug for ColumnCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.entries.lock().map_or(0, |e| e.len());
        write!(f, "ColumnCache({n} segments)")
    }
}

/// The columns a listing's [`Facets`] are read back from.
pub(super) struct FacetColumns {
    pub(super) id: tantivy::columnar::Column<u64>,
    kind: tantivy::columnar::Column<u64>,
    pub(super) status: tantivy::columnar::Column<u64>,
    pub(super) expires: tantivy::columnar::Column<i64>,
    stage: tantivy::columnar::Column<u64>,
    price_min: tantivy::columnar::Column<i64>,
    budget_max: tantivy::columnar::Column<i64>,
    pub(super) owner: tantivy::columnar::Column<u64>,
    district: Option<tantivy::columnar::StrColumn>,
    discipline: Option<tantivy::columnar::StrColumn>,
    ipc: Option<tantivy::columnar::StrColumn>,
}

impl FacetColumns {
    fn open(reader: &tantivy::SegmentReader) -> tantivy::Result<FacetColumns> {
        let f = reader.fast_fields();
        Ok(FacetColumns {
            id: f.u64("id")?,
            kind: f.u64("kind")?,
            status: f.u64("status")?,
            expires: f.i64("expires")?,
            stage: f.u64("stage")?,
            price_min: f.i64("price_min")?,
            budget_max: f.i64("budget_max")?,
            owner: f.u64("owner")?,
            district: f.str("district")?,
            discipline: f.str("discipline")?,
            ipc: f.str("ipc")?,
        })
    }

    /// The facets of `doc`. The strings of the district, field and IPC columns are looked up
    /// in their dictionaries through `names`, which keeps those already read for this segment:
    /// a retrieval's 200 candidates share a few dozen values, and a dictionary lookup decodes a
    /// block each time (`perf` on a resource's detail page at 100k listings: a tenth of the
    /// samples were these lookups).
    pub(super) fn facets(&self, doc: tantivy::DocId, names: &mut Names) -> Result<Facets> {
        let mut strings =
            |which: Which, column: &Option<tantivy::columnar::StrColumn>| -> Result<Vec<String>> {
                let mut out = Vec::new();
                if let Some(c) = column {
                    for ord in c.term_ords(doc) {
                        out.push(names.name(which, ord, c)?);
                    }
                }
                Ok(out)
            };
        let bad = |what: &str| Error::Index(format!("document {doc} has no valid {what}"));
        Ok(Facets {
            kind: self
                .kind
                .first(doc)
                .and_then(kind_of_code)
                .ok_or_else(|| bad("kind"))?,
            status: self
                .status
                .first(doc)
                .and_then(status_of_code)
                .ok_or_else(|| bad("status"))?,
            expires_on: self.expires.first(doc).and_then(date_of_day_number),
            district: strings(Which::District, &self.district)?.into_iter().next(),
            discipline: strings(Which::Discipline, &self.discipline)?
                .into_iter()
                .next(),
            ipc_codes: strings(Which::Ipc, &self.ipc)?,
            stage: self.stage.first(doc).and_then(stage_of_rank),
            price_min_yuan: self.price_min.first(doc),
            budget_max_yuan: self.budget_max.first(doc),
            owner_org_id: self.owner.first(doc).map(|o| o as i64),
        })
    }
}

/// Which string column a term ordinal belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Which {
    District,
    Discipline,
    Ipc,
}

/// The strings of one segment's string columns read so far in one retrieval, by column and
/// term ordinal. Made for one segment and dropped with the retrieval: its size is bounded by
/// the candidates read (at most three values each), never by what users type.
#[derive(Default)]
pub(super) struct Names {
    seen: rustc_hash::FxHashMap<(Which, u64), String>,
}

impl Names {
    fn name(
        &mut self,
        which: Which,
        ord: u64,
        column: &tantivy::columnar::StrColumn,
    ) -> Result<String> {
        if let Some(s) = self.seen.get(&(which, ord)) {
            return Ok(s.clone());
        }
        let mut s = String::new();
        column.ord_to_str(ord, &mut s)?;
        self.seen.insert((which, ord), s.clone());
        Ok(s)
    }
}
