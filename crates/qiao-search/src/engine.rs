//! The matching engine: retrieve from the index, rank with the listings' facets, explain.
//!
//! Free-text search and two-way matching are the same pipeline with different inputs: a search
//! takes the user's words and filters; a match takes a listing, turns its texts into weighted
//! query terms and its structured fields into a [`Profile`], and looks only at the kinds of
//! listing that answer it (a demand is answered by achievements and resources, an achievement
//! by demands, challenges and scenarios).

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use qiao_domain::{Kind, Listing, Stage, Status};
use qiao_store::{DocumentRecord, ListingRecord, Store};
use serde::Serialize;

use crate::analysis::QueryTerms;
use crate::document::{Facets, Texts, document_texts, ipc_keys, texts};
use crate::error::Result;
use crate::explain::{Explanation, Prepared, Snippet};
use crate::follow::Follower;
use crate::fuse::{self, Form, Route, Source};
use crate::index::Filters;
use crate::rank::{Profile, Ranked, Relevance, Signal, lexical_relevance, rank};
use crate::reasons::{Reason, reasons};
use crate::schema::{Shelf, kind_code};
use crate::semantic::{Semantic, asks, listing_passage};
use crate::strength::{self, Evidence, Strength};
use crate::vectors::{Entity, Neighbour};

/// How many lexical candidates are re-ranked; pages beyond this are not served.
pub const POOL: usize = 200;

/// A map keyed by listing id, for what one query holds of its few hundred candidates (facets,
/// evidence). The ids come from the index, not from users, so a fast hash serves (SipHash was
/// a visible share of a detail page's profile).
type IdMap<V> = HashMap<u64, V, rustc_hash::FxBuildHasher>;

/// How long a query waits for the index to catch up with writes made just before it.
const FRESHNESS_WAIT: Duration = Duration::from_secs(2);

/// A free-text search.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    /// The user's words, in either script.
    pub q: String,
    /// Which documents qualify.
    pub filters: Filters,
    /// Page size.
    pub limit: usize,
    /// Hits to skip.
    pub offset: usize,
    /// Whether hits carry matched terms and snippets. Re-analysing each hit costs about as
    /// much as the search itself, so a caller that looks at many hits (facet counts) and shows
    /// few asks for none here and explains the shown ones with [`Explainer`].
    pub explain: bool,
}

/// Explains hits of one free-text query on demand: the terms it shares with a listing and
/// highlighted snippets of it, exactly as [`Engine::search`] does for its hits.
pub struct Explainer {
    terms: QueryTerms,
}

impl Explainer {
    /// Analyses the query once.
    pub fn new(q: &str) -> Explainer {
        Explainer {
            terms: QueryTerms::from_text(q).finish(),
        }
    }

    /// The explanations of `listings` as hits of this query, in their order, worked out off
    /// the async runtime ([`crate::cpu`]).
    pub async fn explain_all(&self, listings: Vec<Listing>) -> Result<Vec<Explanation>> {
        let terms = self.terms.clone();
        crate::cpu::run(move || {
            let prepared = Prepared::new(&terms);
            listings
                .iter()
                .map(|l| prepared.explain(&texts(l)))
                .collect()
        })
        .await
    }
}

/// One result: the listing's public summary, its score and the reasons for it.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// Listing id.
    pub id: i64,
    /// Kind.
    pub kind: Kind,
    /// Title, as written.
    pub title: String,
    /// Owning organisation.
    pub owner_org_id: Option<i64>,
    /// Status.
    pub status: Status,
    /// District.
    pub district: Option<String>,
    /// Field or discipline.
    pub discipline: Option<String>,
    /// Maturity stage (achievements).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<Stage>,
    /// Last day the listing is open, if set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_on: Option<chrono::NaiveDate>,
    /// Fused score (higher is better; comparable within one result list only).
    pub score: f32,
    /// How strongly it answers the query ([`crate::strength`]): strong hits come first.
    pub strength: Strength,
    /// Why, in plain words (Chinese and English), for people.
    pub reasons: Vec<Reason>,
    /// Why, for machines: every part of the score.
    pub signals: Vec<Signal>,
    /// Query terms found in the listing, as written there.
    pub matched_terms: Vec<String>,
    /// Highlighted excerpts in the listing's original script.
    pub snippets: Vec<Snippet>,
}

impl Hit {
    /// The hit with the terms and snippets of `explanation` (a page that explains only the
    /// hits it shows) and its reasons said again with them.
    pub fn explained(mut self, explanation: Explanation) -> Hit {
        self.matched_terms = explanation.matched_terms;
        self.snippets = explanation.snippets;
        self.reasons = reasons(self.strength, &self.matched_terms, &self.signals);
        self
    }
}

/// A page of results.
#[derive(Debug, Clone, Serialize)]
pub struct Results {
    /// The hits on this page, best first.
    pub hits: Vec<Hit>,
    /// How many listings matched (counted up to [`POOL`]).
    pub matched: usize,
    /// How many of `matched` are strong ([`crate::strength`]): what a page counts as results.
    pub strong: usize,
    /// How many of `matched` share a word with the query. The others are only near it in
    /// meaning: a hybrid ranking adds the nearest listings by meaning whatever words they use,
    /// so a query no listing contains still matches some, and this says so.
    pub with_words: usize,
    /// Whether the index had caught up with every write when the query ran.
    pub fresh: bool,
    /// How the hits were ranked: `lexical`, or `hybrid` (shared terms and meaning fused).
    pub ranker: Route,
}

impl Results {
    /// How many of `matched` are only near the query in meaning, sharing no word with it.
    pub fn meaning_only(&self) -> usize {
        self.matched - self.with_words
    }
}

/// One imported policy document found by a search.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentHit {
    /// Always `document`: what sort of hit this is.
    #[serde(rename = "type")]
    pub entity: &'static str,
    /// Document id.
    pub id: i64,
    /// Title, as written.
    pub title: Option<String>,
    /// Publication date, `YYYY-MM-DD`.
    pub published: Option<String>,
    /// Source or issuing body.
    pub source: Option<String>,
    /// Document number.
    pub doc_number: Option<String>,
    /// `hans`, `hant`, `mixed` or `none`.
    pub script: String,
    /// Text relevance relative to the best hit (1.0 for the best).
    pub score: f32,
    /// Query terms found in the document, as written there.
    pub matched_terms: Vec<String>,
    /// Highlighted excerpts in the document's original script.
    pub snippets: Vec<Snippet>,
}

/// A page of document results.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentResults {
    /// The hits on this page, best first.
    pub hits: Vec<DocumentHit>,
    /// How many documents matched (counted up to [`POOL`]).
    pub matched: usize,
    /// Whether the index had caught up with every write when the query ran.
    pub fresh: bool,
}

/// Search and matching over one store and its index.
pub struct Engine {
    store: Arc<dyn Store>,
    follower: Arc<Follower>,
    /// Set once the embedding model is loaded (possibly after start: it may be fetched first).
    semantic: OnceLock<Arc<Semantic>>,
}

/// How a query widens with the words of its closest listing in meaning (owned, so that it
/// runs off the async runtime).
type Expand = Arc<dyn Fn(&Listing) -> QueryTerms + Send + Sync>;

/// What a query brings to semantic matching.
enum Meaning<'a> {
    /// Nothing: lexical ranking only.
    None,
    /// Sentences to embed; the lexical ranking is kept when it is confident, else three lists
    /// are rank-fused.
    Text(&'a str),
    /// A title or terms to embed; nearness in meaning is added to the lexical score
    /// ([`fuse::combine`]).
    Terms(&'a str),
    /// A stored listing's vector, and its texts for the expansion.
    Vector(Vec<f32>),
}

/// One search or match, as the pipeline ([`Engine::run`]) takes it.
struct Query<'a> {
    /// The words: what lexical retrieval looks for and what hits are explained by.
    terms: QueryTerms,
    /// What the query brings to semantic matching.
    meaning: Meaning<'a>,
    /// How it widens with the words of its closest listing in meaning.
    expand: Expand,
    /// The structured evidence ranking weighs (empty for a free-text search).
    profile: Profile,
    /// Which listings qualify.
    filters: Filters,
    /// Page size.
    limit: usize,
    /// Hits to skip.
    offset: usize,
    /// Whether hits carry matched terms and snippets.
    explain: bool,
}

/// What retrieval found: the lexical candidates, the nearest listings by meaning (held to the
/// query's filters), and the facets ranking reads of each, all from the index.
struct Found {
    /// Whether the index had caught up with every write.
    fresh: bool,
    /// The best [`POOL`] by BM25, best first.
    candidates: Vec<crate::Candidate>,
    /// The nearest [`POOL`] by cosine, nearest first; empty when meaning takes no part.
    neighbours: Vec<Neighbour>,
    /// The query's background cosine ([`strength::background`]) among the listings of the
    /// kinds searched (before the other filters, which only choose what to show), at the rank
    /// [`strength::background_rank`] gives for their number: with the farthest of a few as the
    /// background (the 65 demands of a small platform), nearly any hit would be strong.
    background: Option<f32>,
    /// Whether the words alone rank (their ranking is confident): the neighbours then only
    /// judge each hit's strength.
    words_rank: bool,
    /// Facets of every candidate and neighbour.
    facets: IdMap<Facets>,
}

/// The lists fused into one: each candidate with the signals of its relevance.
struct Fusion {
    /// Whether the index had caught up with every write.
    fresh: bool,
    /// Lexical alone, or hybrid.
    ranker: Route,
    /// Each candidate's relevance before structure, best first.
    relevance: Vec<Relevance>,
    /// Facets of every candidate (the expansion's included).
    facets: IdMap<Facets>,
    /// What each candidate brings to its strength.
    evidence: IdMap<Evidence>,
    /// The query's background cosine ([`strength::background`]), when meaning took part.
    background: Option<f32>,
}

/// A ranked candidate with its strength.
struct Judged {
    ranked: Ranked,
    strength: Strength,
}

impl Engine {
    /// An engine over `store`, reading the index `follower` maintains.
    pub fn new(store: Arc<dyn Store>, follower: Arc<Follower>) -> Engine {
        Engine {
            store,
            follower,
            semantic: OnceLock::new(),
        }
    }

    /// Turns semantic matching on (once; later calls are ignored).
    pub fn enable_semantic(&self, semantic: Arc<Semantic>) {
        let _ = self.semantic.set(semantic);
    }

    /// Semantic matching, when it is on.
    pub fn semantic(&self) -> Option<&Arc<Semantic>> {
        self.semantic.get()
    }

    /// Semantic matching, when it is on and its vectors cover enough of the index to rank
    /// with (see [`crate::semantic::COVERAGE`]).
    pub fn semantic_ready(&self) -> Option<&Arc<Semantic>> {
        let indexed = self.follower.index().num_docs();
        self.semantic()
            .filter(|s| crate::semantic::covers(s.vectors().len() as u64, indexed))
    }

    /// Embeds a listing just saved, when semantic matching is on, so that its first matches
    /// use its meaning ([`Semantic::embed_listing`]). A failure is logged, not returned: the
    /// listing is saved, and the background follower embeds it in any case.
    pub async fn embed_fresh(&self, record: &ListingRecord) {
        if let Some(semantic) = self.semantic()
            && let Err(e) = semantic.embed_listing(record).await
        {
            tracing::warn!(listing = record.id, error = %e, "embedding a fresh listing failed");
        }
    }

    /// The change-feed follower (for waking it and reading its progress).
    pub fn follower(&self) -> &Arc<Follower> {
        &self.follower
    }

    /// Free-text search.
    pub async fn search(&self, req: &SearchRequest) -> Result<Results> {
        let q = req.q.clone();
        let terms = crate::cpu::run(move || QueryTerms::from_text(&q).finish()).await?;
        // Listings only: documents are searched by `search_documents`.
        let filters = Filters {
            documents: false,
            ..req.filters.clone()
        };
        let meaning = match fuse::form(&req.q) {
            Form::Prose => Meaning::Text(&req.q),
            Form::Terms => Meaning::Terms(&req.q),
            Form::Document => Meaning::None,
        };
        let q = req.q.clone();
        let expand: Expand = Arc::new(move |neighbour: &Listing| {
            QueryTerms::from_text(&format!("{q} {}", listing_passage(neighbour))).finish()
        });
        self.run(Query {
            terms,
            meaning,
            expand,
            profile: Profile::default(),
            filters,
            limit: req.limit,
            offset: req.offset,
            explain: req.explain,
        })
        .await
    }

    /// Free-text search over imported policy documents: the same analysis and index as
    /// listings (a query in either script finds pages in both), ranked by text alone.
    pub async fn search_documents(
        &self,
        q: &str,
        limit: usize,
        offset: usize,
    ) -> Result<DocumentResults> {
        let q = q.to_string();
        let terms = crate::cpu::run(move || QueryTerms::from_text(&q).finish()).await?;
        let filters = Filters {
            documents: true,
            ..Filters::default()
        };
        // Documents have no facets: a plain retrieval.
        let (t, f) = (terms.clone(), filters.clone());
        let (fresh, candidates) = self
            .on_fresh_index(move |index| index.retrieve(&t, &f, POOL))
            .await?;
        let ids: Vec<i64> = candidates.iter().map(|c| c.id as i64).collect();
        let records: HashMap<i64, DocumentRecord> = self
            .store
            .get_documents(&ids)
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
        let best = candidates
            .iter()
            .map(|c| c.lexical)
            .fold(0.0f32, f32::max)
            .max(f32::MIN_POSITIVE);
        // Candidates come best first; one deleted after the index saw it is skipped.
        let found: Vec<(&DocumentRecord, f32)> = candidates
            .iter()
            .filter_map(|c| Some((records.get(&(c.id as i64))?, c.lexical / best)))
            .collect();
        let matched = found.len();
        let shown: Vec<(DocumentRecord, f32)> = found
            .into_iter()
            .skip(offset)
            .take(limit)
            .map(|(rec, score)| (rec.clone(), score))
            .collect();
        let hits = crate::cpu::run(move || {
            let prepared = Prepared::new(&terms);
            shown
                .into_iter()
                .map(|(rec, score)| {
                    let d = &rec.document;
                    let Explanation {
                        matched_terms,
                        snippets,
                    } = prepared.explain(&document_texts(d));
                    DocumentHit {
                        entity: "document",
                        id: rec.id,
                        title: d.title.clone(),
                        published: d.published.clone(),
                        source: d.source.clone(),
                        doc_number: d.doc_number.clone(),
                        script: d.script.clone(),
                        score,
                        matched_terms,
                        snippets,
                    }
                })
                .collect()
        })
        .await?;
        Ok(DocumentResults {
            hits,
            matched,
            fresh,
        })
    }

    /// Waits (briefly) for the index to follow recent writes, then retrieves the best
    /// [`POOL`] candidates; returns whether the index was fresh.
    async fn candidates(
        &self,
        terms: &QueryTerms,
        filters: &Filters,
    ) -> Result<(bool, Vec<(crate::Candidate, Facets)>)> {
        let (t, f) = (terms.clone(), filters.clone());
        self.on_fresh_index(move |index| index.retrieve_with_facets(&t, &f, POOL))
            .await
    }

    /// Runs a retrieval off the async runtime ([`crate::cpu`]) once the index is fresh (see
    /// [`candidates`]).
    ///
    /// [`candidates`]: Engine::candidates
    async fn on_fresh_index<T: Send + 'static>(
        &self,
        retrieval: impl FnOnce(&crate::SearchIndex) -> Result<T> + Send + 'static,
    ) -> Result<(bool, T)> {
        let fresh = if self.follower.index().is_writable() {
            self.follower.fresh(FRESHNESS_WAIT).await?
        } else {
            false
        };
        let index = self.follower.index().clone();
        let found = crate::cpu::run(move || retrieval(&index)).await??;
        Ok((fresh, found))
    }

    /// The best matches for a stored listing, among the kinds that answer it, open and not
    /// expired on `today`.
    pub async fn matches(
        &self,
        source: &ListingRecord,
        today: chrono::NaiveDate,
        limit: usize,
        offset: usize,
    ) -> Result<Results> {
        let profile = listing_profile(&source.listing);
        let t = texts(&source.listing);
        let terms = if analysed_inline(&t) {
            listing_terms(&t).finish()
        } else {
            crate::cpu::run(move || listing_terms(&t).finish()).await?
        };
        let filters = Filters {
            kinds: answering_kinds(source.listing.kind()).to_vec(),
            active_on: Some(today),
            exclude_ids: vec![source.id as u64],
            // An organisation's own listings are never its matches: it knows them already.
            exclude_owner: source.owner_org_id,
            ..Filters::default()
        };
        // A listing that asks is matched by the embedding of its text as a question; one that
        // offers, by its passage embedding (e5 compares passages with passages too).
        let id = source.id as u64;
        let vector = self.semantic().and_then(|s| {
            if asks(source.listing.kind()) {
                s.vectors().query_of(id)
            } else {
                s.vectors().passage(Entity::Listing, id)
            }
        });
        let meaning = vector.map_or(Meaning::None, Meaning::Vector);
        let listing = source.listing.clone();
        let expand: Expand = Arc::new(move |neighbour: &Listing| {
            let (mut terms, _) = listing_query_unfinished(&listing);
            terms.add(&listing_passage(neighbour), 1.0);
            terms.finish()
        });
        self.run(Query {
            terms,
            meaning,
            expand,
            profile,
            filters,
            limit,
            offset,
            explain: true,
        })
        .await
    }

    /// The records of `ids` not already in `have`.
    async fn load(
        &self,
        ids: impl Iterator<Item = u64>,
        have: &HashMap<u64, ListingRecord>,
    ) -> Result<HashMap<u64, ListingRecord>> {
        let mut missing: Vec<i64> = ids
            .filter(|id| !have.contains_key(id))
            .map(|id| id as i64)
            .collect();
        if missing.is_empty() {
            return Ok(HashMap::new());
        }
        missing.sort_unstable();
        missing.dedup();
        Ok(self
            .store
            .get_listings(&missing)
            .await?
            .into_iter()
            .map(|r| (r.id as u64, r))
            .collect())
    }

    /// The pipeline every search and match runs: retrieve (by words, and by meaning when the
    /// model is ready) → fuse the lists into one → rank with the structured evidence → explain
    /// the page's hits.
    async fn run(&self, query: Query<'_>) -> Result<Results> {
        let found = self.retrieve(&query).await?;
        let fusion = self.fuse(&query, found).await?;
        let ranked = rank(&query.profile, fusion.relevance, |id| {
            fusion.facets.get(&id)
        });
        let judged = judge(ranked, &fusion.evidence, fusion.background);
        self.explain(&query, judged, fusion.fresh, fusion.ranker)
            .await
    }

    /// Retrieve: the best [`POOL`] candidates by BM25 with their facets, and the nearest by
    /// meaning when the query has any (see [`nearest`](Engine::nearest)).
    async fn retrieve(&self, query: &Query<'_>) -> Result<Found> {
        let (fresh, found) = self.candidates(&query.terms, &query.filters).await?;
        let candidates: Vec<crate::Candidate> = found.iter().map(|(c, _)| *c).collect();
        // What ranking reads of each candidate: its facets from the index. Records are loaded
        // only for the neighbour the expansion reads and for the hits of the page.
        let mut facets: IdMap<Facets> = found.into_iter().map(|(c, f)| (c.id, f)).collect();
        let (neighbours, background, words_rank) =
            self.nearest(query, &candidates, &mut facets).await?;
        Ok(Found {
            fresh,
            candidates,
            neighbours,
            background,
            words_rank,
            facets,
        })
    }

    /// The nearest listings by meaning that pass the query's filters, their facets added to
    /// `facets`; the query's background cosine among the kinds searched (see [`Found`]); and
    /// whether the words alone rank (a sentence query whose words rank confidently: the
    /// neighbours then only judge strength). None when the model is not ready or the query
    /// brings no meaning.
    async fn nearest(
        &self,
        query: &Query<'_>,
        candidates: &[crate::Candidate],
        facets: &mut IdMap<Facets>,
    ) -> Result<(Vec<Neighbour>, Option<f32>, bool)> {
        let Some(semantic) = self.semantic_ready() else {
            return Ok((Vec::new(), None, true));
        };
        let mut words_rank = false;
        let vector = match &query.meaning {
            Meaning::None => return Ok((Vec::new(), None, true)),
            Meaning::Text(q) => {
                let scores: Vec<f32> = candidates.iter().map(|c| c.lexical).collect();
                words_rank = fuse::confident(&scores);
                semantic.embed_query(q).await?
            }
            Meaning::Terms(q) => semantic.embed_query(q).await?,
            Meaning::Vector(v) => v.clone(),
        };
        let filters = &query.filters;
        let kinds: Vec<u8> = filters.kinds.iter().map(|k| kind_code(*k) as u8).collect();
        let (mut neighbours, pool) =
            semantic
                .vectors()
                .nearest_counted(&vector, POOL, |entity, id, kind| {
                    entity == Entity::Listing
                        && (kinds.is_empty() || kinds.contains(&kind))
                        && !filters.exclude_ids.contains(&id)
                });
        let cosines: Vec<f32> = neighbours.iter().map(|n| n.cosine).collect();
        let background = strength::background(
            &cosines,
            strength::background_rank(pool, &strength::CALIBRATION),
        );
        if neighbours.is_empty() {
            return Ok((neighbours, background, true));
        }
        // Neighbours come from outside the index: hold them to the same filters, with the
        // facets the index keeps of them (reading 200 records from the store for this was
        // most of what meaning added to a match under load).
        let index = self.follower.index().clone();
        let (ids, f) = (
            neighbours.iter().map(|n| n.id).collect::<Vec<u64>>(),
            filters.clone(),
        );
        let admitted: IdMap<Facets> = crate::cpu::run(move || index.admitted_facets(&ids, &f))
            .await??
            .into_iter()
            .collect();
        neighbours.retain(|n| admitted.contains_key(&n.id));
        for (id, f) in admitted {
            facets.entry(id).or_insert(f);
        }
        Ok((neighbours, background, words_rank))
    }

    /// Fuse: the words' ranking alone when meaning found nothing; for a title or term list,
    /// cosine added to the BM25 score ([`fuse::combine`]); otherwise three lists merged by
    /// reciprocal rank ([`fuse::rrf`]): words, meaning, and the words of the query widened by
    /// its closest listing in meaning.
    async fn fuse(&self, query: &Query<'_>, found: Found) -> Result<Fusion> {
        let Found {
            fresh,
            candidates,
            neighbours,
            background,
            words_rank,
            mut facets,
        } = found;
        let mut evidence: IdMap<Evidence> = IdMap::default();
        for (i, c) in candidates.iter().enumerate() {
            evidence.entry(c.id).or_default().lexical_rank = Some(i + 1);
        }
        for n in &neighbours {
            evidence.entry(n.id).or_default().cosine = Some(n.cosine);
        }
        let to_relevance = |fused: Vec<fuse::Fused>| -> Vec<Relevance> {
            fused
                .into_iter()
                .take(POOL)
                .map(|f| Relevance {
                    id: f.id,
                    signals: f
                        .parts
                        .iter()
                        .map(|(source, _, share)| Signal {
                            name: fuse::signal_name(*source),
                            weight: *share,
                            label: fuse::label(*source),
                        })
                        .collect(),
                })
                .collect()
        };
        let (ranker, relevance) = if neighbours.is_empty() || words_rank {
            (Route::Lexical, lexical_relevance(&candidates))
        } else if matches!(query.meaning, Meaning::Terms(_)) {
            let lexical: Vec<(u64, f32)> = candidates.iter().map(|c| (c.id, c.lexical)).collect();
            let semantic: Vec<(u64, f32)> = neighbours.iter().map(|n| (n.id, n.cosine)).collect();
            let fused = fuse::combine(&lexical, &semantic, fuse::TERMS_SEMANTIC_WEIGHT);
            (Route::Hybrid, to_relevance(fused))
        } else {
            // The words of the closest listing in meaning, analysed off the runtime (a
            // listing's text runs to thousands of characters). Deleted since the vectors saw
            // it, it widens nothing.
            let closest = neighbours[0].id;
            let widened = match self
                .load(std::iter::once(closest), &HashMap::new())
                .await?
                .remove(&closest)
            {
                Some(closest) => {
                    let expand = query.expand.clone();
                    let expanded = crate::cpu::run(move || expand(&closest.listing)).await?;
                    self.candidates(&expanded, &query.filters).await?.1
                }
                None => Vec::new(),
            };
            let widened: Vec<crate::Candidate> = widened
                .into_iter()
                .map(|(c, f)| {
                    facets.entry(c.id).or_insert(f);
                    c
                })
                .collect();
            let lexical: Vec<u64> = candidates.iter().map(|c| c.id).collect();
            let semantic: Vec<u64> = neighbours.iter().map(|n| n.id).collect();
            let widened: Vec<u64> = widened.iter().map(|c| c.id).collect();
            let fused = fuse::rrf_weighted(&[
                (Source::Lexical, &lexical, 1.0),
                (Source::Semantic, &semantic, fuse::SEMANTIC_RRF_WEIGHT),
                (Source::Neighbour, &widened, 1.0),
            ]);
            (Route::Hybrid, to_relevance(fused))
        };
        Ok(Fusion {
            fresh,
            ranker,
            relevance,
            facets,
            evidence,
            background,
        })
    }

    /// Explain: the page of the ranking as hits, each with its record (the page's records
    /// are the only ones read from the store) and, when asked, the terms it shares with the
    /// query and its snippets.
    async fn explain(
        &self,
        query: &Query<'_>,
        ranked: Vec<Judged>,
        fresh: bool,
        ranker: Route,
    ) -> Result<Results> {
        let matched = ranked.len();
        let strong = ranked
            .iter()
            .filter(|j| j.strength == Strength::Strong)
            .count();
        let lexical = fuse::signal_name(Source::Lexical);
        let with_words = ranked
            .iter()
            .filter(|j| j.ranked.signals.iter().any(|x| x.name == lexical))
            .count();
        let shown: Vec<_> = ranked
            .into_iter()
            .skip(query.offset)
            .take(query.limit)
            .collect();
        let mut records = self
            .load(shown.iter().map(|j| j.ranked.id), &HashMap::new())
            .await?;
        // A hit whose record was deleted after the index saw it is skipped.
        let shown: Vec<(Judged, ListingRecord)> = shown
            .into_iter()
            .filter_map(|j| {
                let rec = records.remove(&j.ranked.id)?;
                Some((j, rec))
            })
            .collect();
        let terms = query.explain.then(|| query.terms.clone());
        let hits = crate::cpu::run(move || {
            let prepared = terms.as_ref().map(Prepared::new);
            shown
                .into_iter()
                .map(|(r, rec)| {
                    let explanation = prepared
                        .as_ref()
                        .map(|p| p.explain(&texts(&rec.listing)))
                        .unwrap_or_default();
                    hit(r, rec, explanation)
                })
                .collect()
        })
        .await?;
        Ok(Results {
            hits,
            matched,
            strong,
            with_words,
            fresh,
            ranker,
        })
    }
}

/// Each ranked candidate's strength, the strong ones moved first (each part keeps its order):
/// a page leads with what stands out, and its paging runs over the same order.
fn judge(ranked: Vec<Ranked>, evidence: &IdMap<Evidence>, background: Option<f32>) -> Vec<Judged> {
    let (strong, possible): (Vec<Judged>, Vec<Judged>) = ranked
        .into_iter()
        .map(|ranked| {
            let e = evidence.get(&ranked.id).copied().unwrap_or_default();
            Judged {
                strength: strength::judge(&e, background, &strength::CALIBRATION),
                ranked,
            }
        })
        .partition(|j| j.strength == Strength::Strong);
    strong.into_iter().chain(possible).collect()
}

/// A ranked listing as a hit, with its explanation.
fn hit(j: Judged, rec: ListingRecord, explanation: Explanation) -> Hit {
    let Explanation {
        matched_terms,
        snippets,
    } = explanation;
    let r = j.ranked;
    let reasons = reasons(j.strength, &matched_terms, &r.signals);
    Hit {
        id: rec.id,
        kind: rec.listing.kind(),
        title: rec.listing.title().to_string(),
        owner_org_id: rec.owner_org_id,
        status: rec.listing.status(),
        district: rec.listing.district().map(str::to_string),
        discipline: rec.listing.discipline().map(str::to_string),
        stage: match &rec.listing {
            Listing::Achievement(a) => a.stage,
            _ => None,
        },
        expires_on: rec.listing.expires_on(),
        score: r.score,
        strength: j.strength,
        reasons,
        signals: r.signals,
        matched_terms,
        snippets,
    }
}

/// The kinds of listing that answer a listing of `kind`: those on the other side of the
/// market (the other [`Shelf`]).
pub fn answering_kinds(kind: Kind) -> &'static [Kind] {
    match Shelf::of(kind) {
        Shelf::Offers => Shelf::Asks.kinds(),
        Shelf::Asks | Shelf::Documents => Shelf::Offers.kinds(),
    }
}

/// A listing whose texts are at most this long is analysed on the request's own thread rather
/// than on the blocking pool ([`crate::cpu`]). Analysis runs at 5–7 MB/s (the page benchmark's
/// synthetic listings, 2026-12-07), so 512 bytes take about 0.1 ms, the most tokio advises
/// between two awaits and about what handing the work to the pool and back costs under load
/// (the hop was the larger part of the 9 % more CPU an expert's page took at 8 connections than
/// before it, BENCHMARKS.md "2026-12-07: the detail pages against the commit before issue #23").
const INLINE_ANALYSIS_BYTES: usize = 512;

/// Whether a listing's texts are short enough to analyse without leaving the runtime's thread.
fn analysed_inline(t: &Texts) -> bool {
    t.title.len() + t.keywords.len() + t.body.len() <= INLINE_ANALYSIS_BYTES
}

/// A listing as a query: its texts as weighted terms (title counts double, keywords one and a
/// half) and its structured fields as a profile.
pub fn listing_query(listing: &Listing) -> (QueryTerms, Profile) {
    let (terms, profile) = listing_query_unfinished(listing);
    (terms.finish(), profile)
}

/// [`listing_query`] before its terms are finished (so more text can be added).
fn listing_query_unfinished(listing: &Listing) -> (QueryTerms, Profile) {
    (listing_terms(&texts(listing)), listing_profile(listing))
}

/// A listing's texts as weighted terms, unfinished: the analysis, the costly part of
/// [`listing_query`].
fn listing_terms(t: &Texts) -> QueryTerms {
    let mut terms = QueryTerms::default();
    terms.add(&t.title, 2.0);
    terms.add(&t.keywords, 1.5);
    terms.add_weighing_intro(&t.body, 1.0, crate::analysis::INTRO_WEIGHT);
    terms
}

/// A listing's structured fields as a profile.
fn listing_profile(listing: &Listing) -> Profile {
    let mut profile = Profile {
        discipline: listing.discipline().map(str::to_string),
        district: listing.district().map(str::to_string),
        ..Profile::default()
    };
    match listing {
        Listing::Achievement(a) => {
            profile.ipc = a.ipc_codes.iter().flat_map(|c| ipc_keys(c)).collect();
            profile.price_min_yuan = a.price_min_yuan;
        }
        Listing::Demand(d) => {
            profile.budget_max_yuan = d.budget_max_yuan;
            profile.min_stage = Some(Stage::Pilot);
        }
        Listing::Challenge(c) => {
            profile.budget_max_yuan = Some(c.reward_yuan);
            profile.min_stage = Some(Stage::Pilot);
        }
        Listing::Scenario(s) => profile.budget_max_yuan = s.budget_yuan,
        _ => {}
    }
    profile
}
