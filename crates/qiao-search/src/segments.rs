//! Merging an index's segments into one, shared by the listings index and the comparables
//! index. A full build leaves one segment per commit batch, and every query looks each term up
//! in every segment; one segment makes queries markedly cheaper (see `SearchIndex::merge_segments`).
//!
//! The writer's own merge policy may be merging some of those segments at the same moment;
//! tantivy then refuses the request, and it is made again with the segments as they are then.
//! Merging only speeds queries up, so after twenty refusals the index is left to the policy.

use std::sync::Mutex;
use std::time::Duration;

use tantivy::{Index, IndexReader, IndexWriter};

use crate::error::{Error, Result};

/// How many times a refused merge is asked for again.
const ATTEMPTS: u32 = 20;
/// The pause between two attempts.
const PAUSE: Duration = Duration::from_millis(100);

/// Merges every searchable segment of `index` into one, waits for it and reloads `reader`;
/// `what` names the index in the warning logged when the segments kept changing.
pub(crate) fn merge_all(
    index: &Index,
    writer: &Mutex<IndexWriter>,
    reader: &IndexReader,
    what: &str,
) -> Result<()> {
    for attempt in 0..ATTEMPTS {
        let ids = index.searchable_segment_ids()?;
        if ids.len() <= 1 {
            return Ok(());
        }
        let merged = writer
            .lock()
            .map_err(|_| Error::Poisoned)?
            .merge(&ids)
            .wait();
        match merged {
            Ok(_) => {
                reader.reload()?;
                return Ok(());
            }
            Err(e) => {
                tracing::debug!(what, attempt, error = %e, "segment merge refused; retrying");
                std::thread::sleep(PAUSE);
            }
        }
    }
    tracing::warn!(
        what,
        "segments not merged: background merges kept them busy"
    );
    Ok(())
}
