//! The index schema: which parts of a listing are searchable text and which are filters.
//!
//! Text is indexed as tokens analysed by `qiao-text` (see [`crate::analysis`]) into two fields:
//! dictionary words and CJK character bigrams (recall for words the dictionary lacks). A
//! listing's title, keywords and body go into the same two fields, the title and keywords
//! repeated so they weigh more (see [`crate::FieldWeights`]): one posting list per query term
//! instead of one per term and part is what keeps queries fast at a million documents.
//!
//! Each side of the market has its own pair of text fields, a [`Shelf`]: what is offered
//! (achievements, experts, instruments, institutions), what is asked (demands, challenges,
//! scenarios) and imported policy documents. A match only ever looks at the other side, so it
//! queries one shelf's fields alone: a plain disjunction of term scorers over the documents
//! that can answer, with no kind filter to intersect it with (and no other side's documents to
//! score and reject). BM25 statistics are kept per shelf (see `index::statistics`), so a
//! listing scores the same however full the other shelves are.
//! Positions are not indexed: ranking is bag-of-words BM25 and nothing here builds phrase
//! queries. Structured fields are small integers or raw strings, indexed for
//! filters and fast for re-ranking. The original text is not stored: the store is the source of
//! truth and explanations are computed from the record itself.

use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

/// Handles to every field of the index schema.
#[derive(Debug, Clone)]
pub struct Fields {
    /// Listing or document id (or, in benchmarks, the position of a corpus document).
    pub id: Field,
    /// What the entry is: [`ENTITY_LISTING`] or [`ENTITY_DOCUMENT`]. Listing and document ids
    /// are numbered apart in the store, so the id alone does not name an entry.
    pub entity: Field,
    /// The entry's unique key, `listing:42` or `document:7` (see [`uid`]): what a change
    /// deletes before it re-adds.
    pub uid: Field,
    /// [`qiao_domain::Kind`] as a small integer, see [`kind_code`].
    pub kind: Field,
    /// [`qiao_domain::Status`] as a small integer, see [`status_code`].
    pub status: Field,
    /// Expiry as days since 1970-01-01; `i64::MAX` when the listing does not expire.
    pub expires: Field,
    /// District name, raw.
    pub district: Field,
    /// Field or discipline, raw.
    pub discipline: Field,
    /// IPC classes (e.g. `H01M`) and subclasses with main group (e.g. `H01M10`), raw.
    pub ipc: Field,
    /// An achievement's maturity, [`stage_rank`](crate::document::stage_rank); fast only.
    pub stage: Field,
    /// An achievement's asking-price floor in yuan; fast only.
    pub price_min: Field,
    /// A demand's, challenge's or scenario's budget ceiling in yuan; fast only.
    pub budget_max: Field,
    /// The owning organisation's id; fast only (a listing is never matched with one of its
    /// own organisation's: [`crate::Filters::exclude_owner`]).
    pub owner: Field,
    /// The text fields of each shelf, indexed by [`Shelf::index`].
    pub shelves: [TextFields; 3],
}

/// The two text fields of one [`Shelf`].
#[derive(Debug, Clone, Copy)]
pub struct TextFields {
    /// Words of the title, keywords and body.
    pub words: Field,
    /// Bigrams of the title, keywords and body.
    pub bigrams: Field,
}

/// Where an entry's text is indexed: one side of the market, or the policy documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Shelf {
    /// Achievements, experts, instruments and institutions.
    Offers,
    /// Demands, challenges and scenarios.
    Asks,
    /// Imported policy documents.
    Documents,
}

impl Shelf {
    /// Every shelf, in [`Shelf::index`] order.
    pub const ALL: [Shelf; 3] = [Shelf::Offers, Shelf::Asks, Shelf::Documents];

    /// The shelf a listing of `kind` is on.
    pub fn of(kind: qiao_domain::Kind) -> Shelf {
        use qiao_domain::Kind::*;
        match kind {
            Achievement | Expert | Instrument | Institution => Shelf::Offers,
            Demand | Challenge | Scenario => Shelf::Asks,
        }
    }

    /// The listing kinds on this shelf (none for documents).
    pub fn kinds(self) -> &'static [qiao_domain::Kind] {
        use qiao_domain::Kind::*;
        match self {
            Shelf::Offers => &[Achievement, Expert, Instrument, Institution],
            Shelf::Asks => &[Demand, Challenge, Scenario],
            Shelf::Documents => &[],
        }
    }

    /// Position in [`Fields::shelves`].
    pub fn index(self) -> usize {
        match self {
            Shelf::Offers => 0,
            Shelf::Asks => 1,
            Shelf::Documents => 2,
        }
    }

    /// The prefix of this shelf's field names (written into index files).
    fn name(self) -> &'static str {
        match self {
            Shelf::Offers => "offer",
            Shelf::Asks => "ask",
            Shelf::Documents => "document",
        }
    }
}

impl Fields {
    /// Builds the schema and its field handles.
    pub fn schema() -> (Schema, Fields) {
        let mut b = Schema::builder();
        let text = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                // Documents arrive as analysed tokens separated by spaces (`analysis::joined`);
                // queries are built from terms directly and use no tokenizer.
                .set_tokenizer("whitespace")
                .set_index_option(IndexRecordOption::WithFreqs),
        );
        let fields = Fields {
            id: b.add_u64_field("id", INDEXED | FAST | STORED),
            entity: b.add_u64_field("entity", INDEXED | FAST),
            uid: b.add_text_field("uid", STRING),
            kind: b.add_u64_field("kind", INDEXED | FAST),
            status: b.add_u64_field("status", INDEXED | FAST),
            expires: b.add_i64_field("expires", INDEXED | FAST),
            district: b.add_text_field("district", STRING | FAST),
            discipline: b.add_text_field("discipline", STRING | FAST),
            ipc: b.add_text_field("ipc", STRING | FAST),
            stage: b.add_u64_field("stage", FAST),
            price_min: b.add_i64_field("price_min", FAST),
            budget_max: b.add_i64_field("budget_max", FAST),
            owner: b.add_u64_field("owner", FAST),
            shelves: Shelf::ALL.map(|shelf| TextFields {
                words: b.add_text_field(&format!("{}_words", shelf.name()), text.clone()),
                bigrams: b.add_text_field(&format!("{}_bigrams", shelf.name()), text.clone()),
            }),
        };
        (b.build(), fields)
    }

    /// Looks the handles up in an existing index's schema (one opened from disk).
    pub fn from_schema(schema: &Schema) -> tantivy::Result<Fields> {
        let f = |name: &str| schema.get_field(name);
        Ok(Fields {
            id: f("id")?,
            entity: f("entity")?,
            uid: f("uid")?,
            kind: f("kind")?,
            status: f("status")?,
            expires: f("expires")?,
            district: f("district")?,
            discipline: f("discipline")?,
            ipc: f("ipc")?,
            stage: f("stage")?,
            price_min: f("price_min")?,
            budget_max: f("budget_max")?,
            owner: f("owner")?,
            shelves: [
                shelf_fields(schema, Shelf::Offers)?,
                shelf_fields(schema, Shelf::Asks)?,
                shelf_fields(schema, Shelf::Documents)?,
            ],
        })
    }

    /// The text fields of `shelf`.
    pub fn shelf(&self, shelf: Shelf) -> TextFields {
        self.shelves[shelf.index()]
    }
}

fn shelf_fields(schema: &Schema, shelf: Shelf) -> tantivy::Result<TextFields> {
    Ok(TextFields {
        words: schema.get_field(&format!("{}_words", shelf.name()))?,
        bigrams: schema.get_field(&format!("{}_bigrams", shelf.name()))?,
    })
}

/// The `entity` value of a listing (stable: it is written into index files).
pub const ENTITY_LISTING: u64 = 0;
/// The `entity` value of a policy document (stable: it is written into index files).
pub const ENTITY_DOCUMENT: u64 = 1;

/// The unique key of an index entry.
pub fn uid(entity: u64, id: u64) -> String {
    if entity == ENTITY_DOCUMENT {
        format!("document:{id}")
    } else {
        format!("listing:{id}")
    }
}

/// The index's code for a listing kind (stable: it is written into index files).
pub fn kind_code(kind: qiao_domain::Kind) -> u64 {
    use qiao_domain::Kind::*;
    match kind {
        Achievement => 1,
        Demand => 2,
        Challenge => 3,
        Scenario => 4,
        Instrument => 5,
        Expert => 6,
        Institution => 7,
    }
}

/// The kind of a [`kind_code`].
pub fn kind_of_code(code: u64) -> Option<qiao_domain::Kind> {
    use qiao_domain::Kind::*;
    Some(match code {
        1 => Achievement,
        2 => Demand,
        3 => Challenge,
        4 => Scenario,
        5 => Instrument,
        6 => Expert,
        7 => Institution,
        _ => return None,
    })
}

/// The index's code for a listing status (stable: it is written into index files).
pub fn status_code(status: qiao_domain::Status) -> u64 {
    use qiao_domain::Status::*;
    match status {
        Draft => 1,
        Open => 2,
        UnderReview => 3,
        Awarded => 4,
        Closed => 5,
    }
}

/// The status of a [`status_code`].
pub fn status_of_code(code: u64) -> Option<qiao_domain::Status> {
    use qiao_domain::Status::*;
    Some(match code {
        1 => Draft,
        2 => Open,
        3 => UnderReview,
        4 => Awarded,
        5 => Closed,
        _ => return None,
    })
}

/// Days since 1970-01-01 for an expiry date; `i64::MAX` for none.
pub fn day_number(date: Option<chrono::NaiveDate>) -> i64 {
    match date {
        Some(d) => (d - chrono::NaiveDate::default()).num_days(),
        None => i64::MAX,
    }
}

/// The expiry date of a [`day_number`].
pub fn date_of_day_number(days: i64) -> Option<chrono::NaiveDate> {
    if days == i64::MAX {
        return None;
    }
    chrono::NaiveDate::default().checked_add_signed(chrono::TimeDelta::try_days(days)?)
}
