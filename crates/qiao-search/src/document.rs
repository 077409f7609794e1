//! What of a listing is searched: its texts (title, keywords, body) and its structured facets;
//! and what of an imported policy document is (its title, number and source, its cleaned text).
//!
//! The same [`Texts`] feed the index and the explanation of a match, so a highlighted term is
//! always one the index actually matched. Private fields (contact, confidential details) are
//! never part of a listing's texts: what is indexed can surface in snippets.

use qiao_domain::{Kind, Listing, Stage, Status};

/// The searchable texts of a listing, in its original script.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Texts {
    /// The title.
    pub title: String,
    /// Keywords, field or discipline and indicator names, joined with "；".
    pub keywords: String,
    /// Summary or description and the other free-text fields, joined with "\n".
    pub body: String,
}

/// The structured side of a listing that filters and re-ranking use.
#[derive(Debug, Clone, PartialEq)]
pub struct Facets {
    /// Kind.
    pub kind: Kind,
    /// Status.
    pub status: Status,
    /// Expiry date.
    pub expires_on: Option<chrono::NaiveDate>,
    /// District.
    pub district: Option<String>,
    /// Field or discipline.
    pub discipline: Option<String>,
    /// IPC codes as given (e.g. `H01M 10/613`); read back from the index, their keys
    /// (`H01M`, `H01M10`), which [`ipc_keys`] maps to themselves.
    pub ipc_codes: Vec<String>,
    /// An achievement's maturity.
    pub stage: Option<Stage>,
    /// An achievement's asking-price floor, in yuan.
    pub price_min_yuan: Option<i64>,
    /// What a demand, challenge or scenario can pay, in yuan (budget ceiling, reward).
    pub budget_max_yuan: Option<i64>,
    /// The owning organisation (none for a listing the platform holds itself).
    pub owner_org_id: Option<i64>,
}

impl Facets {
    /// A listing of `kind` in `status` with no other facet (no expiry, district, field, IPC
    /// class, maturity, price or budget).
    pub fn new(kind: Kind, status: Status) -> Facets {
        Facets {
            kind,
            status,
            expires_on: None,
            district: None,
            discipline: None,
            ipc_codes: Vec::new(),
            stage: None,
            price_min_yuan: None,
            budget_max_yuan: None,
            owner_org_id: None,
        }
    }
}

/// One document to index: a listing's id, texts and facets.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexDoc {
    /// The listing's id.
    pub id: u64,
    /// Its texts.
    pub texts: Texts,
    /// Its facets.
    pub facets: Facets,
}

impl IndexDoc {
    /// The document for a stored listing.
    pub fn from_record(record: &qiao_store::ListingRecord) -> IndexDoc {
        IndexDoc {
            id: record.id as u64,
            texts: texts(&record.listing),
            facets: Facets {
                owner_org_id: record.owner_org_id,
                ..facets(&record.listing)
            },
        }
    }
}

/// One policy document to index: its id and texts. Documents have no facets: they are found by
/// text only, and never by matching (which filters on kinds and status).
#[derive(Debug, Clone, PartialEq)]
pub struct DocEntry {
    /// The document's id.
    pub id: u64,
    /// Its texts.
    pub texts: Texts,
}

impl DocEntry {
    /// The entry for a stored document.
    pub fn from_record(record: &qiao_store::DocumentRecord) -> DocEntry {
        DocEntry {
            id: record.id as u64,
            texts: document_texts(&record.document),
        }
    }
}

/// A stored document's searchable texts: the title; the document number and source as
/// keywords; the cleaned text as the body (the removed boilerplate is not searched).
pub fn document_texts(d: &qiao_store::NewDocument) -> Texts {
    Texts {
        title: d.title.clone().unwrap_or_default(),
        keywords: join(d.doc_number.iter().chain(d.source.iter()), "；"),
        body: d.text.clone(),
    }
}

fn join(parts: impl IntoIterator<Item = impl AsRef<str>>, sep: &str) -> String {
    let mut out = String::new();
    for p in parts {
        let p = p.as_ref().trim();
        if p.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push_str(sep);
        }
        out.push_str(p);
    }
    out
}

/// A listing's searchable texts.
pub fn texts(listing: &Listing) -> Texts {
    let opt = |o: &Option<String>| o.clone().unwrap_or_default();
    match listing {
        Listing::Achievement(a) => Texts {
            title: a.title.clone(),
            keywords: join(a.keywords.iter().chain(a.discipline.as_ref()), "；"),
            body: a.summary.clone(),
        },
        Listing::Demand(d) => Texts {
            title: d.title.clone(),
            keywords: join(
                d.keywords
                    .iter()
                    .chain(d.discipline.as_ref())
                    .chain(d.indicators.iter().map(|i| &i.name)),
                "；",
            ),
            body: join(
                std::iter::once(d.description.clone())
                    .chain(d.indicators.iter().filter_map(|i| i.note.clone())),
                "\n",
            ),
        },
        Listing::Challenge(c) => Texts {
            title: c.title.clone(),
            keywords: join(
                c.keywords
                    .iter()
                    .chain(c.discipline.as_ref())
                    .chain(c.indicators.iter().map(|i| &i.name)),
                "；",
            ),
            body: join(
                std::iter::once(c.description.clone()).chain(c.deliverables.iter().cloned()),
                "\n",
            ),
        },
        Listing::Scenario(s) => Texts {
            title: s.title.clone(),
            keywords: join(s.keywords.iter().chain(s.discipline.as_ref()), "；"),
            body: join(
                std::iter::once(s.description.clone()).chain(s.needs.iter().cloned()),
                "\n",
            ),
        },
        Listing::Instrument(i) => Texts {
            title: i.title.clone(),
            keywords: join(
                i.keywords
                    .iter()
                    .chain(i.discipline.as_ref())
                    .chain(i.model.as_ref())
                    .chain(i.manufacturer.as_ref()),
                "；",
            ),
            body: join([i.description.clone(), opt(&i.booking_terms)], "\n"),
        },
        Listing::Expert(e) => Texts {
            title: e.title.clone(),
            keywords: join(e.keywords.iter().chain(e.discipline.as_ref()), "；"),
            body: join(
                [e.description.clone(), opt(&e.position), opt(&e.affiliation)],
                "\n",
            ),
        },
        Listing::Institution(i) => Texts {
            title: i.title.clone(),
            keywords: join(
                i.keywords
                    .iter()
                    .chain(i.discipline.as_ref())
                    .chain(i.services.iter()),
                "；",
            ),
            body: join(
                std::iter::once(i.description.clone()).chain(i.qualifications.iter().cloned()),
                "\n",
            ),
        },
    }
}

/// A listing's facets (its owner is the record's: none here).
pub fn facets(listing: &Listing) -> Facets {
    Facets {
        kind: listing.kind(),
        status: listing.status(),
        expires_on: listing.expires_on(),
        district: listing.district().map(str::to_string),
        discipline: listing.discipline().map(str::to_string),
        ipc_codes: match listing {
            Listing::Achievement(a) => a.ipc_codes.clone(),
            _ => Vec::new(),
        },
        stage: match listing {
            Listing::Achievement(a) => a.stage,
            _ => None,
        },
        price_min_yuan: match listing {
            Listing::Achievement(a) => a.price_min_yuan,
            _ => None,
        },
        budget_max_yuan: match listing {
            Listing::Demand(d) => d.budget_max_yuan,
            Listing::Challenge(c) => Some(c.reward_yuan),
            Listing::Scenario(s) => s.budget_yuan,
            _ => None,
        },
        owner_org_id: None,
    }
}

/// The IPC class (`H01M`) and main group (`H01M10`) of a code such as `H01M 10/613`;
/// nothing for text that is not an IPC code.
pub fn ipc_keys(code: &str) -> Vec<String> {
    let compact: String = code
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    let bytes = compact.as_bytes();
    let is_class = bytes.len() >= 4
        && bytes[0].is_ascii_uppercase()
        && bytes[1].is_ascii_digit()
        && bytes[2].is_ascii_digit()
        && bytes[3].is_ascii_uppercase();
    if !is_class {
        return Vec::new();
    }
    let class = compact[..4].to_string();
    let group: String = compact[4..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    if group.is_empty() {
        vec![class]
    } else {
        vec![class.clone(), format!("{class}{group}")]
    }
}

/// How far along an achievement is, as an ordinal for comparisons (lab = 1 … industrial = 4;
/// stable: it is written into index files).
pub fn stage_rank(stage: Stage) -> u8 {
    match stage {
        Stage::Lab => 1,
        Stage::SmallPilot => 2,
        Stage::Pilot => 3,
        Stage::Industrial => 4,
    }
}

/// The stage of a [`stage_rank`].
pub fn stage_of_rank(rank: u64) -> Option<Stage> {
    Some(match rank {
        1 => Stage::Lab,
        2 => Stage::SmallPilot,
        3 => Stage::Pilot,
        4 => Stage::Industrial,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipc_keys_take_class_and_main_group() {
        assert_eq!(ipc_keys("H01M 10/613"), ["H01M", "H01M10"]);
        assert_eq!(ipc_keys("h01m"), ["H01M"]);
        assert!(ipc_keys("电池").is_empty());
        assert!(ipc_keys("H0").is_empty());
    }
}
