//! `qiao bench retrieval` and `qiao bench scale`: search quality and search at scale.
//!
//! `retrieval` indexes a BEIR-style corpus in memory with the product's own analysis and
//! ranking, runs every judged query and reports nDCG@10, MRR@10, Recall@100, query latency
//! and index time (see [`qiao_search::eval`] for the exact definitions). `scale` builds a
//! synthetic corpus of N documents from real sentences of the shared corpora (labelled
//! synthetic: the documents are shuffled sentences, not real listings), indexes it on disk and
//! reports index time, resident memory and query latency.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use qiao_domain::{Kind, Status};
use qiao_search::document::{Facets, IndexDoc, Texts};
use qiao_search::engine::POOL;
use qiao_search::eval::{self, CorpusDoc, EvalQuery};
use qiao_search::fuse::{self, Form, Source};
use qiao_search::refine;
use qiao_search::semantic;
use qiao_search::strength::{self, Evidence, Strength};
use qiao_search::vectors::{Entity, Entry, Neighbour};
use qiao_search::{Candidate, Filters, QueryTerms, SearchIndex, VectorIndex};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::cli::{RetrievalArgs, ScaleArgs, TuningArgs};

/// Two unit vectors this close are the same embedding (the kernels agree bit for bit; this
/// leaves room for rounding only).
const COSINE_SAME: f32 = 0.9999;

/// How many documents one index commit takes during a benchmark.
const COMMIT_EVERY: usize = 50_000;

fn corpus_doc(id: usize, title: &str, text: &str) -> IndexDoc {
    IndexDoc {
        id: id as u64,
        texts: Texts {
            title: title.to_string(),
            keywords: String::new(),
            body: text.to_string(),
        },
        facets: Facets::new(Kind::Achievement, Status::Open),
    }
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize].as_secs_f64() * 1000.0
}

/// Applies the experiment flags to an index.
fn tune(index: &mut SearchIndex, t: &TuningArgs) -> anyhow::Result<()> {
    if let Some(w) = &t.field_weights {
        let [words, bigrams, title_repeat, keywords_repeat] = w[..] else {
            bail!("--field-weights needs 4 numbers: words,bigrams,title_repeat,keywords_repeat");
        };
        index.set_weights(qiao_search::FieldWeights {
            words,
            bigrams,
            title_repeat: title_repeat as usize,
            keywords_repeat: keywords_repeat as usize,
        });
    }
    if let Some(c) = &t.term_caps {
        let [words, bigrams] = c[..] else {
            bail!("--term-caps needs 2 numbers: words,bigrams");
        };
        index.set_term_caps(qiao_search::TermCaps { words, bigrams });
    }
    Ok(())
}

/// What a ranker needs beyond the lexical index: the model and every corpus vector.
struct Meaning {
    model: qiao_embed::Model,
    vectors: VectorIndex,
}

impl Meaning {
    /// Loads the model and the corpus vectors (from the cache, or embedded now and cached).
    fn load(
        cli: &crate::cli::Cli,
        args: &RetrievalArgs,
        corpus: &[CorpusDoc],
    ) -> anyhow::Result<Meaning> {
        let dir = args.model.resolve(&cli.data_dir);
        let mut model = qiao_embed::Model::load(&dir).with_context(|| {
            format!(
                "--ranker {} needs the embedding model (or use --ranker lexical)",
                args.ranker
            )
        })?;
        let passages: Vec<String> = corpus
            .iter()
            .map(|d| {
                // As the product embeds them: traditional texts folded to simplified.
                semantic::simplified_for_model(&semantic::corpus_passage(&d.title, &d.text))
                    .into_owned()
            })
            .collect();
        let cache_dir = args
            .vectors_cache
            .clone()
            .unwrap_or_else(|| cli.data_dir.join("bench-vectors"));
        let mut hash = Sha256::new();
        for p in &passages {
            hash.update(p.as_bytes());
            hash.update([0u8]);
        }
        let digest: String = hash.finalize()[..12]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        // The cache holds the model's own vectors; the adapter (if any) is applied after
        // reading them, so trying another adapter embeds only the queries. The model goes
        // without its adapter until the passages are done.
        let adapter = model.take_adapter();
        let file = cache_dir.join(format!("passages-{digest}.f32"));
        let dim = qiao_embed::Model::DIM;
        let cached: Option<Vec<Vec<f32>>> = match std::fs::read(&file) {
            Ok(bytes) if bytes.len() == passages.len() * dim * 4 => Some(
                bytes
                    .chunks_exact(dim * 4)
                    .map(|row| {
                        row.chunks_exact(4)
                            .map(|b| f32::from_le_bytes(b.try_into().expect("4 bytes")))
                            .collect()
                    })
                    .collect(),
            ),
            _ => None,
        };
        // The cache is named by the passages alone: one written by another embedder (an older
        // build, another model file) has the same name. Its first and last rows are embedded
        // again and must agree, or the corpus is embedded afresh (a blind round's semantic
        // ranking once moved between two machines with no embedding or ranking code changed,
        // most likely from such a cache: BENCHMARKS.md "2026-12-07: the second blind round
        // again").
        let cached = cached.filter(|rows| {
            if passages.is_empty() {
                return true;
            }
            let probe = [0, passages.len() - 1];
            let fresh = model.embed_passages(&probe.map(|i| passages[i].clone()));
            let agrees = probe.iter().zip(&fresh).all(|(&i, f)| {
                rows[i].iter().zip(f).map(|(a, b)| a * b).sum::<f32>() >= COSINE_SAME
            });
            if !agrees {
                eprintln!(
                    "{} was written by another embedder; embedding again",
                    file.display()
                );
            }
            agrees
        });
        let rows: Vec<Vec<f32>> = match cached {
            Some(rows) => rows,
            None => {
                eprintln!(
                    "embedding {} passages (once; cached in {})",
                    passages.len(),
                    file.display()
                );
                let start = Instant::now();
                let rows = model.embed_passages(&passages);
                eprintln!(
                    "  {:.1} passages/s",
                    passages.len() as f64 / start.elapsed().as_secs_f64()
                );
                std::fs::create_dir_all(&cache_dir)?;
                let bytes: Vec<u8> = rows
                    .iter()
                    .flatten()
                    .flat_map(|x| x.to_le_bytes())
                    .collect();
                std::fs::write(&file, bytes)
                    .with_context(|| format!("writing {}", file.display()))?;
                rows
            }
        };
        let rows: Vec<Vec<f32>> = match &adapter {
            Some(a) => rows.iter().map(|r| a.apply(r)).collect(),
            None => rows,
        };
        // The passages are done: from here the model embeds queries only, through the
        // queries' own adapter when one is given.
        let model = match &args.tuning.query_adapter {
            Some(path) => model.with_adapter(Some(qiao_embed::Adapter::load(path)?)),
            None => model.with_adapter(adapter),
        };
        let vectors = VectorIndex::in_memory(dim);
        let entries = rows
            .into_iter()
            .enumerate()
            .map(|(i, passage)| Entry {
                entity: Entity::Listing,
                id: i as u64,
                kind: 1,
                passage,
                query: None,
            })
            .collect();
        vectors.apply(&[], entries, 0)?;
        Ok(Meaning { model, vectors })
    }
}

/// One query's ranking and what its strength is judged on.
struct Ranking {
    /// Document numbers best first, with their scores.
    hits: Vec<(u64, f32)>,
    /// The query's nearest documents by meaning, nearest first, with their cosines (empty
    /// for the lexical ranker).
    neighbours: Vec<Neighbour>,
    /// Each lexical candidate's rank (1-based).
    lexical_ranks: std::collections::HashMap<u64, usize>,
    /// Each lexical candidate's BM25 score.
    lexical_scores: std::collections::HashMap<u64, f32>,
    /// The highest BM25 score a document could reach for the query
    /// ([`SearchIndex::lexical_ceiling`]); 0 unless `--features` asks for it.
    lexical_ceiling: f32,
}

impl Ranking {
    /// The product's judgement of each hit ([`qiao_search::strength`]), in hit order.
    fn strengths(&self, c: &strength::Calibration) -> Vec<Strength> {
        let cosines: Vec<f32> = self.neighbours.iter().map(|n| n.cosine).collect();
        let by_id: std::collections::HashMap<u64, f32> =
            self.neighbours.iter().map(|n| (n.id, n.cosine)).collect();
        let background = strength::background(&cosines, c.background_rank);
        self.hits
            .iter()
            .map(|(id, _)| {
                let e = Evidence {
                    cosine: by_id.get(id).copied(),
                    lexical_rank: self.lexical_ranks.get(id).copied(),
                };
                strength::judge(&e, background, c)
            })
            .collect()
    }
}

/// One query's ranking under `ranker`, never returning a document of `excluded` (a demand's
/// answers, when the benchmark removes them from the corpus).
/// `hybrid` follows the product's rule (`Engine::run`, `fuse::form`): prose that the lexical
/// ranking is not confident about gets reciprocal-rank fusion of the lexical ranking, the
/// semantic ranking, and the lexical ranking of the query plus its nearest neighbour's text;
/// a title or term list gets the lexical score plus a smaller semantic part
/// (`fuse::combine`); a pasted document is ranked lexically. Its neighbours by meaning are
/// kept whatever the route, as the product keeps them to judge strength.
fn rank_query(
    index: &SearchIndex,
    meaning: Option<&Meaning>,
    corpus: &[CorpusDoc],
    args: &RetrievalArgs,
    q: &str,
    excluded: &[u64],
) -> anyhow::Result<Ranking> {
    let depth = args.depth.max(1);
    let filters = Filters {
        exclude_ids: excluded.to_vec(),
        ..Filters::default()
    };
    let lexical = |text: &str, n: usize| -> anyhow::Result<Vec<Candidate>> {
        let terms = query_terms(text, args.tuning.intro_weight);
        Ok(index.retrieve(&terms, &filters, n)?)
    };
    // The query's nearest documents by meaning, and the semantic list the ranker uses: the
    // same, or refined (`--prf`, `--clauses`). Strength is judged on the former.
    let nearest = |m: &Meaning, n: usize| -> (Vec<Neighbour>, Vec<Neighbour>) {
        let text = if args.tuning.semantic_focus {
            qiao_search::analysis::demand_focus(q)
        } else {
            std::borrow::Cow::Borrowed(q)
        };
        let v = m.model.embed_query(&semantic::simplified_for_model(&text));
        let accept = |_: Entity, id: u64, _: u8| !excluded.contains(&id);
        let near = m.vectors.nearest(&v, n, accept);
        let refined = refine_list(m, &args.tuning, q, &v, &near, n, accept);
        (near, refined)
    };
    // Only the calibration features read the ceiling: computed for them alone, so the
    // measured latency of a ranking stays the ranking's own.
    let lexical_ceiling = if args.features.is_some() {
        index.lexical_ceiling(&query_terms(q, args.tuning.intro_weight), &filters)?
    } else {
        0.0
    };
    let ranking = |hits: Vec<(u64, f32)>, neighbours: Vec<Neighbour>, lex: &[Candidate]| Ranking {
        hits,
        neighbours,
        lexical_ranks: lex.iter().enumerate().map(|(i, c)| (c.id, i + 1)).collect(),
        lexical_scores: lex.iter().map(|c| (c.id, c.lexical)).collect(),
        lexical_ceiling,
    };
    match (args.ranker.as_str(), meaning) {
        ("lexical", _) => {
            let lex = lexical(q, depth)?;
            let hits = lex.iter().map(|c| (c.id, c.lexical)).collect();
            Ok(ranking(hits, Vec::new(), &lex))
        }
        ("semantic", Some(m)) => {
            let (near, refined) = nearest(m, depth.max(POOL));
            let hits = refined
                .iter()
                .take(depth)
                .map(|n| (n.id, n.cosine))
                .collect();
            Ok(ranking(hits, near, &[]))
        }
        ("hybrid", Some(m)) => {
            let pool = depth.max(POOL);
            let lex = lexical(q, pool)?;
            let form = fuse::form(q);
            let (near, refined) = if form == Form::Document {
                (Vec::new(), Vec::new())
            } else {
                nearest(m, pool)
            };
            let fuse_it = match args.tuning.fusion_route.as_str() {
                "always" => true,
                "form" => form == Form::Prose,
                _ => {
                    let scores: Vec<f32> = lex.iter().map(|c| c.lexical).collect();
                    form == Form::Prose && !fuse::confident_at(&scores, args.tuning.confident)
                }
            };
            if form == Form::Terms && args.tuning.fusion_route == "product" {
                let lexical: Vec<(u64, f32)> = lex.iter().map(|c| (c.id, c.lexical)).collect();
                let semantic: Vec<(u64, f32)> = near.iter().map(|n| (n.id, n.cosine)).collect();
                let fused = fuse::combine(&lexical, &semantic, args.tuning.terms_weight);
                let hits = fused.iter().take(depth).map(|f| (f.id, f.score)).collect();
                return Ok(ranking(hits, near, &lex));
            }
            if !fuse_it {
                let hits = lex.iter().take(depth).map(|c| (c.id, c.lexical)).collect();
                return Ok(ranking(hits, near, &lex));
            }
            let lex_ids: Vec<u64> = lex.iter().map(|c| c.id).collect();
            let sem_ids: Vec<u64> = refined.iter().map(|n| n.id).collect();
            let w = args.tuning.semantic_weight;
            let fused = if args.tuning.two_lists || near.is_empty() {
                fuse::rrf_weighted(&[
                    (Source::Lexical, &lex_ids, 1.0),
                    (Source::Semantic, &sem_ids, w),
                ])
            } else {
                let top = &corpus[near[0].id as usize];
                let expanded = format!("{q} {}", semantic::corpus_passage(&top.title, &top.text));
                let wide_ids: Vec<u64> = lexical(&expanded, pool)?.iter().map(|c| c.id).collect();
                fuse::rrf_weighted(&[
                    (Source::Lexical, &lex_ids, 1.0),
                    (Source::Semantic, &sem_ids, w),
                    (Source::Neighbour, &wide_ids, 1.0),
                ])
            };
            let hits = fused.iter().take(depth).map(|f| (f.id, f.score)).collect();
            Ok(ranking(hits, near, &lex))
        }
        ("semantic" | "hybrid", None) => unreachable!("the model is loaded for these rankers"),
        (other, _) => bail!("--ranker `{other}` is not one of lexical, semantic, hybrid"),
    }
}

/// The semantic list refined as `t` asks (`--prf`, `--clauses`; `qiao_search::refine`), from
/// the query's vector `v` and its nearest `near`; `near` itself when neither is asked.
fn refine_list(
    m: &Meaning,
    t: &TuningArgs,
    q: &str,
    v: &[f32],
    near: &[Neighbour],
    n: usize,
    accept: impl Fn(Entity, u64, u8) -> bool + Copy,
) -> Vec<Neighbour> {
    let passage = |id: u64| m.vectors.passage(Entity::Listing, id);
    let mut list = near.to_vec();
    if t.prf > 0 {
        let top: Vec<Vec<f32>> = near
            .iter()
            .take(t.prf)
            .filter_map(|x| passage(x.id))
            .collect();
        let moved = refine::feedback_vector(v, &top, t.prf_beta);
        list = m.vectors.nearest(&moved, n, accept);
    }
    if let Some(aggregate) = t.clauses {
        let clauses: Vec<Vec<f32>> = refine::demand_clauses(q, refine::MAX_CLAUSES)
            .iter()
            .map(|c| m.model.embed_query(&semantic::simplified_for_model(c)))
            .collect();
        let mut ids: Vec<u64> = list.iter().map(|x| x.id).collect();
        for c in &clauses {
            ids.extend(m.vectors.nearest(c, n, accept).iter().map(|x| x.id));
        }
        ids.sort_unstable();
        ids.dedup();
        list = refine::rescore(&ids, passage, v, &clauses, aggregate, t.clause_weight);
        list.truncate(n);
    }
    list
}

/// A free-text query's terms as the product analyses it, with self-introduction clauses
/// weighed by `intro_weight` ([`QueryTerms::from_text_weighing_intro`]).
fn query_terms(text: &str, intro_weight: f32) -> QueryTerms {
    QueryTerms::from_text_weighing_intro(text, intro_weight).finish()
}

/// `qiao bench retrieval`
pub fn retrieval(cli: &crate::cli::Cli, args: &RetrievalArgs) -> anyhow::Result<ExitCode> {
    if !["lexical", "semantic", "hybrid"].contains(&args.ranker.as_str()) {
        bail!(
            "--ranker `{}` is not one of lexical, semantic, hybrid",
            args.ranker
        );
    }
    let corpus: Vec<CorpusDoc> = eval::read_jsonl(&args.corpus).map_err(anyhow::Error::msg)?;
    let queries: Vec<EvalQuery> = eval::read_jsonl(&args.queries).map_err(anyhow::Error::msg)?;
    let mut qrels = eval::read_qrels(&args.qrels).map_err(anyhow::Error::msg)?;
    for extra in &args.qrels_extra {
        let more = eval::read_qrels(extra).map_err(anyhow::Error::msg)?;
        eval::add_qrels(&mut qrels, &more)
            .map_err(|e| anyhow::anyhow!("{}: {e}", extra.display()))?;
    }

    let start = Instant::now();
    let mut index = SearchIndex::in_memory()?;
    tune(&mut index, &args.tuning)?;
    for (chunk_no, chunk) in corpus.chunks(COMMIT_EVERY).enumerate() {
        let docs: Vec<IndexDoc> = chunk
            .iter()
            .enumerate()
            .map(|(i, d)| corpus_doc(chunk_no * COMMIT_EVERY + i, &d.title, &d.text))
            .collect();
        index.apply(&[], &docs, 0)?;
    }
    let index_s = start.elapsed().as_secs_f64();
    let meaning = match args.ranker.as_str() {
        "lexical" => None,
        _ => Some(Meaning::load(cli, args, &corpus)?),
    };

    let position: std::collections::HashMap<&str, u64> = corpus
        .iter()
        .enumerate()
        .map(|(i, d)| (d.id.as_str(), i as u64))
        .collect();
    let calibration = strength::Calibration {
        background_rank: args
            .strength_background
            .unwrap_or(strength::CALIBRATION.background_rank),
        margin: args.strength_margin.unwrap_or(strength::CALIBRATION.margin),
        lexical_rank: args
            .strength_lexical
            .map_or(strength::CALIBRATION.lexical_rank, |n| (n > 0).then_some(n)),
    };
    let mut scores = Vec::new();
    let mut latencies = Vec::new();
    let mut run = String::new();
    let mut per_query = String::new();
    let mut features = String::from(
        "query\trank\tdoc\tgrade\tcosine\tlexical_rank\tc1\tc5\tc10\tc20\tc50\tc100\tc200\tmean\tsd\t\
         semantic_rank\tlexical_score\tlexical_top\tlexical_count\tlexical_ceiling\tform\tquery_chars\n",
    );
    for q in queries.iter().filter(|q| qrels.contains_key(&q.id)) {
        let judged = &qrels[&q.id];
        // The demand's answers (grade 1 or 2) taken out of the corpus, for calibrating
        // strength on demands the corpus cannot answer.
        let excluded: Vec<u64> = if args.drop_answers {
            judged
                .iter()
                .filter(|(_, g)| **g > 0)
                .filter_map(|(doc, _)| position.get(doc.as_str()).copied())
                .collect()
        } else {
            Vec::new()
        };
        let t = Instant::now();
        let mut ranking = rank_query(&index, meaning.as_ref(), &corpus, args, &q.text, &excluded)?;
        latencies.push(t.elapsed());
        if args.features.is_some() {
            features.push_str(&feature_rows(&q.id, &q.text, &ranking, &corpus, judged));
        }
        let mut strengths = ranking.strengths(&calibration);
        if !args.no_strong_first {
            // As the product pages do: strong hits first, each part in its order.
            let mut both: Vec<((u64, f32), Strength)> =
                ranking.hits.into_iter().zip(strengths).collect();
            both.sort_by_key(|(_, s)| *s != Strength::Strong);
            (ranking.hits, strengths) = both.into_iter().unzip();
        }
        let hits = &ranking.hits;
        let ranked: Vec<&str> = hits
            .iter()
            .map(|(id, _)| corpus[*id as usize].id.as_str())
            .collect();
        if args.run.is_some() {
            for (rank, (((_, score), doc), s)) in
                hits.iter().zip(&ranked).zip(&strengths).enumerate()
            {
                run.push_str(&format!(
                    "{}\t{}\t{doc}\t{score}\t{}\n",
                    q.id,
                    rank + 1,
                    s.as_str()
                ));
            }
        }
        if let Some(s) = eval::score_query(&ranked, judged) {
            per_query.push_str(&format!("{}\t{}\t{}\n", q.id, s.ndcg10, s.unjudged10));
            scores.push(s);
        }
    }
    if let Some(path) = &args.per_query {
        std::fs::write(path, per_query).with_context(|| format!("writing {}", path.display()))?;
    }
    if let Some(path) = &args.features {
        std::fs::write(path, features).with_context(|| format!("writing {}", path.display()))?;
    }
    if scores.is_empty() {
        bail!(
            "no query in {} has a relevant document in {}",
            args.queries.display(),
            args.qrels.display()
        );
    }
    if let Some(path) = &args.run {
        std::fs::write(path, run).with_context(|| format!("writing {}", path.display()))?;
    }
    latencies.sort_unstable();
    let m = eval::mean(&scores);
    let (p50, p99) = (percentile(&latencies, 0.5), percentile(&latencies, 0.99));
    if args.json {
        println!(
            "{}",
            json!({
                "ranker": args.ranker, "docs": corpus.len(), "queries": scores.len(),
                "ndcg@10": m.ndcg10, "mrr@10": m.mrr10, "recall@100": m.recall100,
                "p50_ms": p50, "p99_ms": p99, "index_s": index_s, "unjudged@10": m.unjudged10,
            })
        );
    } else {
        println!(
            "retrieval ({} ranker): {} documents, {} judged queries",
            args.ranker,
            corpus.len(),
            scores.len()
        );
        println!("  nDCG@10     {:.4}", m.ndcg10);
        println!("  MRR@10      {:.4}", m.mrr10);
        println!("  Recall@100  {:.4}", m.recall100);
        println!("  unjudged in the top 10: {:.2} per query", m.unjudged10);
        println!("  query p50   {p50:.2} ms   p99 {p99:.2} ms");
        println!("  index time  {index_s:.2} s");
    }
    Ok(ExitCode::SUCCESS)
}

/// The calibration features of one query's ranking (`--features`): every hit with its grade
/// (-1 unjudged), cosine (empty when not among the neighbours), lexical rank (0 when absent),
/// and the query's cosine background (the cosine at ranks 1, 5, 10, 20, 50, 100, 200 of its
/// neighbours, their mean and standard deviation); then its rank by meaning (0 when absent),
/// its BM25 score (0 when absent), the query's best BM25 score, number of lexical
/// candidates and lexical ceiling ([`SearchIndex::lexical_ceiling`]), the query's form (`fuse::form`) and length in characters.
fn feature_rows(
    query: &str,
    text: &str,
    ranking: &Ranking,
    corpus: &[CorpusDoc],
    judged: &std::collections::HashMap<String, u32>,
) -> String {
    let cosines: Vec<f32> = ranking.neighbours.iter().map(|n| n.cosine).collect();
    let at = |r: usize| strength::background(&cosines, r).map_or(String::new(), |c| c.to_string());
    let n = cosines.len().max(1) as f32;
    let mean = cosines.iter().sum::<f32>() / n;
    let sd = (cosines.iter().map(|c| (c - mean).powi(2)).sum::<f32>() / n).sqrt();
    let by_id: std::collections::HashMap<u64, f32> = ranking
        .neighbours
        .iter()
        .map(|n| (n.id, n.cosine))
        .collect();
    let background = format!(
        "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{mean}\t{sd}",
        at(1),
        at(5),
        at(10),
        at(20),
        at(50),
        at(100),
        at(200)
    );
    let semantic_rank: std::collections::HashMap<u64, usize> = ranking
        .neighbours
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id, i + 1))
        .collect();
    let lexical_top = ranking
        .lexical_scores
        .values()
        .copied()
        .fold(0.0f32, f32::max);
    let query_level = format!(
        "{lexical_top}\t{}\t{}\t{:?}\t{}",
        ranking.lexical_scores.len(),
        ranking.lexical_ceiling,
        fuse::form(text),
        text.chars().count()
    );
    let mut out = String::new();
    for (rank, (id, _)) in ranking.hits.iter().enumerate() {
        let doc = &corpus[*id as usize].id;
        let grade = judged.get(doc).map_or(-1, |g| *g as i64);
        let cosine = by_id.get(id).map_or(String::new(), |c| c.to_string());
        let lexical = ranking.lexical_ranks.get(id).copied().unwrap_or(0);
        let sem = semantic_rank.get(id).copied().unwrap_or(0);
        let score = ranking.lexical_scores.get(id).copied().unwrap_or(0.0);
        out.push_str(&format!(
            "{query}\t{}\t{doc}\t{grade}\t{cosine}\t{lexical}\t{background}\t{sem}\t{score}\t\
             {query_level}\n",
            rank + 1
        ));
    }
    out
}

/// Sentences (split at 。！？；) of at least 8 characters from the texts of JSONL corpora.
fn sentences(paths: &[PathBuf]) -> anyhow::Result<Vec<String>> {
    let mut out = Vec::new();
    for path in paths {
        let docs: Vec<CorpusDoc> = eval::read_jsonl(path).map_err(anyhow::Error::msg)?;
        for d in docs {
            for s in d.text.split_inclusive(['。', '！', '？', '；']) {
                if s.chars().count() >= 8 {
                    out.push(s.trim().to_string());
                }
            }
        }
    }
    if out.is_empty() {
        bail!("no sentences found in {paths:?}");
    }
    Ok(out)
}

/// One synthetic document: a title cut from one sentence and a body of three to six.
fn synthetic_doc(id: usize, rng: &mut StdRng, pool: &[String]) -> IndexDoc {
    let pick = |rng: &mut StdRng| pool[rng.random_range(0..pool.len())].as_str();
    let title: String = pick(rng).chars().take(24).collect();
    let n = rng.random_range(3..=6);
    let body: String = (0..n).map(|_| pick(rng)).collect();
    corpus_doc(id, &title, &body)
}

fn memory_kb(key: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with(key))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn dir_size(path: &Path) -> u64 {
    std::fs::read_dir(path)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| e.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

/// `qiao bench scale`
pub fn scale(args: &ScaleArgs) -> anyhow::Result<ExitCode> {
    let pool = sentences(&args.sentences).with_context(|| {
        "reading sentences (pass --sentences FILE.jsonl; the defaults are the shared corpora in ../shared/data)"
    })?;
    let scratch = tempfile::tempdir()?;
    let mut index = SearchIndex::open(scratch.path())?;
    tune(&mut index, &args.tuning)?;
    let mut rng = StdRng::seed_from_u64(20_261_122);
    let mut corpus_out = match &args.write_corpus {
        Some(dir) => {
            std::fs::create_dir_all(dir)?;
            Some(std::io::BufWriter::new(std::fs::File::create(
                dir.join("corpus.jsonl"),
            )?))
        }
        None => None,
    };
    let start = Instant::now();
    let mut made = 0;
    while made < args.docs {
        let n = COMMIT_EVERY.min(args.docs - made);
        let docs: Vec<IndexDoc> = (made..made + n)
            .map(|i| synthetic_doc(i, &mut rng, &pool))
            .collect();
        if let Some(out) = corpus_out.as_mut() {
            for d in &docs {
                let line =
                    json!({"id": d.id.to_string(), "title": d.texts.title, "text": d.texts.body});
                writeln!(out, "{line}")?;
            }
        }
        index.apply(&[], &docs, 0)?;
        made += n;
    }
    let index_s = start.elapsed().as_secs_f64();
    let merge_s = if args.merge {
        let start = Instant::now();
        index.merge_segments()?;
        Some(start.elapsed().as_secs_f64())
    } else {
        None
    };
    let rss_after_index = memory_kb("VmRSS:").unwrap_or(0);
    drop(corpus_out);

    // Title- and keyword-length queries (6 to 16 characters of a sentence) and claim-length
    // ones (sentences joined up to about 1,500 characters).
    let short: Vec<String> = (0..args.queries)
        .map(|_| {
            let sentence = &pool[rng.random_range(0..pool.len())];
            let len = rng.random_range(6..=16);
            sentence.chars().take(len).collect()
        })
        .collect();
    let long: Vec<String> = (0..args.long_queries)
        .map(|_| {
            let mut q = String::new();
            while q.chars().count() < 1_500 {
                q.push_str(&pool[rng.random_range(0..pool.len())]);
            }
            q
        })
        .collect();
    if let Some(dir) = &args.write_corpus {
        for (name, queries) in [
            ("queries_short.jsonl", &short),
            ("queries_long.jsonl", &long),
        ] {
            let mut out = std::io::BufWriter::new(std::fs::File::create(dir.join(name))?);
            for (i, q) in queries.iter().enumerate() {
                writeln!(out, "{}", json!({"id": format!("q{i}"), "text": q}))?;
            }
        }
    }
    let time = |queries: &[String]| -> anyhow::Result<(Vec<Duration>, usize)> {
        let mut latencies = Vec::with_capacity(queries.len());
        let mut hits = 0;
        for q in queries {
            let t = Instant::now();
            let terms = QueryTerms::from_text(q).finish();
            hits += index.retrieve(&terms, &Filters::default(), 10)?.len();
            latencies.push(t.elapsed());
        }
        latencies.sort_unstable();
        Ok((latencies, hits))
    };
    let (latencies, hits_total) = time(&short)?;
    let (p50, p99) = (percentile(&latencies, 0.5), percentile(&latencies, 0.99));
    let (long_latencies, _) = time(&long)?;
    let (long_p50, long_p99) = (
        percentile(&long_latencies, 0.5),
        percentile(&long_latencies, 0.99),
    );
    // Query analysis alone (segmenting and folding), the part of a query no index size
    // changes; timed after the queries, so that they start as cold as they always did.
    let mut analysis: Vec<Duration> = short
        .iter()
        .map(|q| {
            let t = Instant::now();
            std::hint::black_box(QueryTerms::from_text(q).finish());
            t.elapsed()
        })
        .collect();
    analysis.sort_unstable();
    let analysis_p50 = percentile(&analysis, 0.5);
    let peak = memory_kb("VmHWM:").unwrap_or(0);
    let rss = memory_kb("VmRSS:").unwrap_or(0);
    let size = dir_size(scratch.path());
    if args.json {
        println!(
            "{}",
            json!({
                "docs": args.docs, "queries": args.queries, "index_s": index_s,
                "docs_per_s": args.docs as f64 / index_s, "index_bytes": size, "merge_s": merge_s,
                "rss_after_index_mb": rss_after_index as f64 / 1024.0,
                "rss_mb": rss as f64 / 1024.0, "peak_rss_mb": peak as f64 / 1024.0,
                "p50_ms": p50, "p99_ms": p99, "analysis_p50_ms": analysis_p50, "long_queries": args.long_queries, "long_p50_ms": long_p50, "long_p99_ms": long_p99, "mean_hits": hits_total as f64 / args.queries.max(1) as f64,
                "corpus": "synthetic: shuffled real sentences of the shared corpora",
            })
        );
    } else {
        println!(
            "scale: {} synthetic documents (shuffled real sentences), {} queries",
            args.docs, args.queries
        );
        println!(
            "  index time   {index_s:.1} s ({:.0} docs/s), {:.0} MB on disk",
            args.docs as f64 / index_s,
            size as f64 / 1e6
        );
        if let Some(m) = merge_s {
            println!("  merged       into one segment in {m:.1} s");
        }
        println!(
            "  memory       RSS {:.0} MB after indexing, {:.0} MB after queries, peak {:.0} MB",
            rss_after_index as f64 / 1024.0,
            rss as f64 / 1024.0,
            peak as f64 / 1024.0
        );
        println!(
            "  short queries (6-16 characters): p50 {p50:.2} ms   p99 {p99:.2} ms   (analysis alone: p50 {analysis_p50:.3} ms)"
        );
        println!(
            "  claim-length queries (~1,500 characters): p50 {long_p50:.2} ms   p99 {long_p99:.2} ms"
        );
    }
    Ok(ExitCode::SUCCESS)
}
