//! Reading a stored document: who may (a draft only staff and admins, who review it before
//! it is public) and in bounded parts, so that neither the API's reply (`?part=N`) nor a page
//! (`?page=N`) grows with the document: a 60 MB document is read in parts, never sent whole.

use std::sync::Arc;

use qiao_domain::Account;
use qiao_store::{DocumentRecord, DocumentState, Store};

use crate::document_import::may_import;
use crate::error::{AppError, AppResult};

/// Document `id` as `viewer` may read it: a draft exists only for staff and admins.
pub async fn readable(
    store: &Arc<dyn Store>,
    viewer: Option<&Account>,
    id: i64,
) -> AppResult<DocumentRecord> {
    let record = store.get_document(id).await?;
    if record.document.state == DocumentState::Draft && !viewer.is_some_and(may_import) {
        return Err(AppError::not_found("document", id));
    }
    Ok(record)
}

/// Most bytes of text one part of a document holds (the API's `?part=` and the page's
/// `?page=`): a 60 MB document is read in parts, never sent whole.
pub const PART_TEXT_BYTES: usize = 50 * 1024;

/// Most figures, and most removed lines, one part holds.
pub const PART_ITEMS: usize = 200;

/// One part of a stored document: byte range of the text, index ranges of the figures and
/// of the removed lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// 1-based number of this part.
    pub number: usize,
    /// How many parts the document has (at least 1).
    pub count: usize,
    /// Bytes of the text in this part.
    pub text: std::ops::Range<usize>,
    /// Indexes of the figures in this part.
    pub figures: std::ops::Range<usize>,
    /// Indexes of the removed lines in this part.
    pub removed: std::ops::Range<usize>,
}

/// Where the parts of `text` end: each holds at most [`PART_TEXT_BYTES`], cut after the last
/// line break of its second half when there is one, else at a character boundary.
fn text_ends(text: &str) -> Vec<usize> {
    let mut ends = Vec::new();
    let mut start = 0;
    while text.len() - start > PART_TEXT_BYTES {
        let mut end = start + PART_TEXT_BYTES;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let half = start + PART_TEXT_BYTES / 2;
        // A `\n` byte is never inside a character, so the byte after it starts one.
        if let Some(nl) = text.as_bytes()[half..end].iter().rposition(|&b| b == b'\n') {
            end = half + nl + 1;
        }
        ends.push(end);
        start = end;
    }
    ends.push(text.len());
    ends
}

/// Part `number` (1-based) of a document whose text is `text`, with `figures` figures and
/// `removed` removed lines; `None` past the last part (or for 0). Figures and removed lines are
/// split [`PART_ITEMS`] to a part, beside the text, so the longest of the three sets the count.
pub fn part(text: &str, figures: usize, removed: usize, number: usize) -> Option<Part> {
    let ends = text_ends(text);
    let count = ends
        .len()
        .max(figures.div_ceil(PART_ITEMS))
        .max(removed.div_ceil(PART_ITEMS));
    if number == 0 || number > count {
        return None;
    }
    let text_range = match number {
        n if n > ends.len() => text.len()..text.len(),
        1 => 0..ends[0],
        n => ends[n - 2]..ends[n - 1],
    };
    let items = |total: usize| {
        let start = ((number - 1) * PART_ITEMS).min(total);
        start..(start + PART_ITEMS).min(total)
    };
    Some(Part {
        number,
        count,
        text: text_range,
        figures: items(figures),
        removed: items(removed),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_bound_the_text_and_cover_it_once() {
        // Lines of 1,000 bytes of 3-byte characters (333 characters and a line break).
        let line = format!("{}\n", "政".repeat(333));
        let text = line.repeat(200);
        let first = part(&text, 0, 0, 1).unwrap();
        assert!(first.text.end <= PART_TEXT_BYTES && text[..first.text.end].ends_with('\n'));
        let mut joined = String::new();
        for n in 1..=first.count {
            let p = part(&text, 0, 0, n).unwrap();
            assert!(p.text.len() <= PART_TEXT_BYTES);
            joined.push_str(&text[p.text]);
        }
        assert_eq!(joined, text);
        assert_eq!(part(&text, 0, 0, first.count + 1), None);
        assert_eq!(part(&text, 0, 0, 0), None);
        // One long line is cut at character boundaries.
        let long = "政".repeat(PART_TEXT_BYTES);
        let p = part(&long, 0, 0, 2).unwrap();
        assert!(long.is_char_boundary(p.text.start) && p.text.len() <= PART_TEXT_BYTES);
        // Figures past the text's parts add parts of their own.
        let p = part("短", PART_ITEMS * 2 + 1, 3, 3).unwrap();
        assert_eq!(
            (p.count, p.text, p.figures, p.removed),
            (3, 3..3, 400..401, 3..3)
        );
    }
}
