//! Policies against enterprises and targets against the data, shared by the API and the
//! pages: the domain decides (`Policy::check`, `Target::count`); this module only fetches what
//! it needs from the store and applies who may see what.
//!
//! Eligibility rests on private figures (revenue, R&D expenses), so an organisation is checked
//! on what the viewer may see of it: others get "unknown" where the figure is private, never a
//! verdict that leaks it. Which enterprises a policy reaches is for commission staff and admins.

use std::sync::Arc;

use chrono::NaiveDate;
use qiao_docs::{Figure, Kind as FigureKind};
use qiao_domain::target::Progress;
use qiao_domain::{Account, Eligibility, Invalid, Metric, OrgKind, Outcome, Rule, Target};
use qiao_store::{
    DocumentRecord, OrgFilter, OrgRecord, Page, Paged, PolicyRecord, Store, StoreError,
    TargetRecord,
};

/// Every item of a paged store query, read `Page::MAX_SIZE` at a time.
pub async fn every<T, F, Fut>(mut read: F) -> Result<Vec<T>, StoreError>
where
    F: FnMut(Page) -> Fut,
    Fut: std::future::Future<Output = Result<Paged<T>, StoreError>>,
{
    let mut out = Vec::new();
    for number in 1.. {
        let page = read(Page {
            number,
            size: Page::MAX_SIZE,
        })
        .await?;
        let done = page.items.len() < Page::MAX_SIZE as usize;
        out.extend(page.items);
        if done {
            break;
        }
    }
    Ok(out)
}

/// Every enterprise in the store, by id.
pub async fn enterprises(store: &Arc<dyn Store>) -> Result<Vec<OrgRecord>, StoreError> {
    let filter = OrgFilter {
        kind: Some(OrgKind::Enterprise),
        ..OrgFilter::default()
    };
    every(|page| store.list_orgs(&filter, page)).await
}

/// Every policy, newest first.
pub async fn all_policies(store: &Arc<dyn Store>) -> Result<Vec<PolicyRecord>, StoreError> {
    every(|page| store.list_policies(page)).await
}

/// An organisation as `viewer` may see it (private figures removed for others).
pub fn visible(viewer: Option<&Account>, record: OrgRecord) -> OrgRecord {
    crate::disclosure::organisation(viewer, record)
}

/// Every policy held against `org` (as the viewer sees it) on `on`: qualifying first, then
/// undecided, then failing; newest first within each.
pub async fn policies_for(
    store: &Arc<dyn Store>,
    viewer: Option<&Account>,
    org: OrgRecord,
    on: NaiveDate,
) -> Result<Vec<(PolicyRecord, Eligibility)>, StoreError> {
    let org = visible(viewer, org);
    let mut out: Vec<_> = all_policies(store)
        .await?
        .into_iter()
        .map(|p| {
            let e = p.policy.check(&org.org, on);
            (p, e)
        })
        .collect();
    out.sort_by_key(|(p, e)| (e.outcome, std::cmp::Reverse(p.id)));
    Ok(out)
}

/// The enterprises a policy reaches on `on`, each with its eligibility, grouped by outcome
/// (pass, unknown, fail) and by id within.
pub async fn reach(
    store: &Arc<dyn Store>,
    policy: &PolicyRecord,
    on: NaiveDate,
) -> Result<Vec<(OrgRecord, Eligibility)>, StoreError> {
    let mut out: Vec<_> = enterprises(store)
        .await?
        .into_iter()
        .map(|o| {
            let e = policy.policy.check(&o.org, on);
            (o, e)
        })
        .collect();
    out.sort_by_key(|(o, e)| (e.outcome, o.id));
    Ok(out)
}

/// How many of `reach`'s enterprises had each outcome: `[pass, unknown, fail]`.
pub fn tally(reached: &[(OrgRecord, Eligibility)]) -> [usize; 3] {
    let mut n = [0; 3];
    for (_, e) in reached {
        n[Outcome::ALL
            .iter()
            .position(|o| *o == e.outcome)
            .unwrap_or(2)] += 1;
    }
    n
}

/// Every target with its progress on `today`: verified certificates counted, claims awaiting
/// verification beside them (`pending`); 成交额 and 技术交易额 summed from the registered
/// contracts' running totals. The enterprises are read once, and only when a target counts
/// certificates. A contract total of fewer than three contracts is withheld from viewers other
/// than staff, admins and technology managers (`Progress::withhold_if_few`).
pub async fn progress(
    store: &Arc<dyn Store>,
    targets: &[TargetRecord],
    today: NaiveDate,
    viewer: Option<&Account>,
) -> Result<Vec<Progress>, StoreError> {
    let insider = viewer.is_some_and(crate::statistics::may_read);
    let counts_orgs = |t: &TargetRecord| t.target.metric.is_some_and(|m| !m.counts_contracts());
    let orgs = if targets.iter().any(counts_orgs) {
        enterprises(store).await?
    } else {
        Vec::new()
    };
    let mut out = Vec::with_capacity(targets.len());
    for t in targets {
        let progress = match t.target.metric {
            Some(m) if m.counts_contracts() => {
                let turnover = store
                    .contract_turnover(t.target.year, t.target.contract_district())
                    .await?;
                let fen = if m == Metric::TechnicalTurnover {
                    turnover.technical_fen
                } else {
                    turnover.amount_fen
                };
                let contracts = u64::try_from(turnover.contracts).unwrap_or(0);
                let mut p = t.target.progress_from_contracts(fen, contracts, today);
                if !insider {
                    p.withhold_if_few();
                }
                p
            }
            _ => {
                let tally = t.target.tally(orgs.iter().map(|o| &o.org), today);
                t.target.progress(tally.as_ref(), today)
            }
        };
        out.push(progress);
    }
    Ok(out)
}

/// Which figures of a document become targets, and where and when they apply.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FromDocument {
    /// Indices into the document's figures; every target-kind figure when absent.
    #[serde(default)]
    pub figures: Option<Vec<usize>>,
    /// The region for every target; each figure's subject when absent.
    #[serde(default)]
    pub region: Option<String>,
    /// The year for every target; each figure's year (else the publication year) when absent.
    #[serde(default)]
    pub year: Option<i32>,
}

/// Targets made from a stored document's figures, validated: the figure's indicator, value,
/// unit, qualifier and sentence, a metric where the data can count the indicator, and the
/// document as the source. Errors name the figure (`figures[3].region`).
pub fn targets_from_document(
    doc: &DocumentRecord,
    choice: &FromDocument,
) -> Result<Vec<Target>, Invalid> {
    let figures: Vec<Figure> =
        serde_json::from_value(doc.document.figures.clone()).map_err(|e| {
            Invalid::field(
                "document",
                Rule::Malformed {
                    detail: format!("its figures: {e}"),
                },
            )
        })?;
    let indices: Vec<usize> = match &choice.figures {
        Some(list) => list.clone(),
        None => (0..figures.len())
            .filter(|i| figures[*i].kind == FigureKind::Target)
            .collect(),
    };
    if indices.is_empty() {
        return Err(Invalid::field("figures", Rule::NoTargetStated));
    }
    let published_year = doc
        .document
        .published
        .as_deref()
        .and_then(|p| p.get(..4))
        .and_then(|y| y.parse().ok());
    let mut errors = Vec::new();
    let mut out = Vec::new();
    for i in indices {
        let Some(f) = figures.get(i) else {
            errors.push(qiao_domain::FieldError::new(
                format!("figures[{i}]"),
                Rule::OutOfRange {
                    min: 0,
                    max: figures.len() as i64 - 1,
                    found: i as f64,
                },
            ));
            continue;
        };
        let region = choice.region.clone().or_else(|| f.subject.clone());
        let year = choice.year.or(f.year).or(published_year);
        let (Some(region), Some(year)) = (region, year) else {
            errors.push(qiao_domain::FieldError::new(
                format!("figures[{i}]"),
                Rule::NoRegionOrYear,
            ));
            continue;
        };
        let mut t = Target {
            region,
            year,
            indicator: f.indicator.clone(),
            value: f.value,
            unit: f.unit.clone(),
            qualifier: f.qualifier.clone(),
            metric: Metric::infer(&f.indicator, &f.unit, f.qualifier.as_deref()),
            reported: None,
            baseline: None,
            document_id: Some(doc.id),
            sentence: Some(f.sentence.clone()),
        };
        if let Err(Invalid(e)) = t.validate() {
            errors.extend(e.into_iter().map(|e| {
                qiao_domain::FieldError::new(format!("figures[{i}].{}", e.field), e.rule)
            }));
            continue;
        }
        // A plan often states a target twice (in its summary and its section): keep one.
        if !out.iter().any(|o| same_target(o, &t)) {
            out.push(t);
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(Invalid(errors))
    }
}

/// Whether two targets say the same: made from the same sentence of the same document with
/// the same value (however staff relabelled it since), or the same region, year, indicator,
/// value and unit.
fn same_target(a: &Target, b: &Target) -> bool {
    let from_same_sentence = a.document_id.is_some()
        && a.document_id == b.document_id
        && a.sentence.is_some()
        && a.sentence == b.sentence
        && a.value == b.value;
    from_same_sentence
        || (
            a.region.as_str(),
            a.year,
            a.indicator.as_str(),
            a.unit.as_str(),
        ) == (
            b.region.as_str(),
            b.year,
            b.indicator.as_str(),
            b.unit.as_str(),
        ) && a.value == b.value
}

/// `targets` without those already stored for the same region and year (a second click on
/// "make targets" adds nothing). An error names the field when nothing new is left.
pub async fn drop_stored(
    store: &Arc<dyn Store>,
    mut targets: Vec<Target>,
) -> Result<Result<Vec<Target>, Invalid>, StoreError> {
    let mut places: Vec<(String, i32)> =
        targets.iter().map(|t| (t.region.clone(), t.year)).collect();
    places.sort();
    places.dedup();
    for (region, year) in places {
        let filter = qiao_store::TargetFilter {
            region: Some(region),
            year: Some(year),
        };
        let stored = every(|page| store.list_targets(&filter, page)).await?;
        targets.retain(|t| !stored.iter().any(|s| same_target(&s.target, t)));
    }
    Ok(if targets.is_empty() {
        Err(Invalid::field("figures", Rule::AlreadyTargets))
    } else {
        Ok(targets)
    })
}

/// How a document's page offers one of its figures as a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offer {
    /// Not a target yet: a box to tick (never ticked in advance: a reviewer decides).
    Open,
    /// Already made into this stored target.
    Made(i64),
    /// The document states the same figure earlier: offered there only.
    Repeat,
}

/// How each of a document's figures is offered, given the targets already made from it
/// (`made`, any targets: those of other documents are skipped). One pass over the figures and
/// one over the targets.
pub fn offers(doc_id: i64, figures: &[Figure], made: &[TargetRecord]) -> Vec<Offer> {
    use std::collections::HashMap;
    type Key<'a> = (&'a str, u64, &'a str, Option<i32>, Option<&'a str>);
    // A made target is known by its sentence and value, which staff do not edit: a label
    // put right after generating still marks its figure as made.
    let made: HashMap<(&str, u64), i64> = made
        .iter()
        .filter(|r| r.target.document_id == Some(doc_id))
        .filter_map(|r| {
            Some((
                (r.target.sentence.as_deref()?, r.target.value.to_bits()),
                r.id,
            ))
        })
        .collect();
    let mut first: HashMap<Key<'_>, usize> = HashMap::new();
    figures
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let stated = (
                f.indicator.as_str(),
                f.value.to_bits(),
                f.unit.as_str(),
                f.year,
                f.subject.as_deref(),
            );
            let made_as = made.get(&(f.sentence.as_str(), f.value.to_bits()));
            match (made_as, *first.entry(stated).or_insert(i)) {
                (Some(id), _) => Offer::Made(*id),
                (None, earlier) if earlier != i => Offer::Repeat,
                (None, _) => Offer::Open,
            }
        })
        .collect()
}
