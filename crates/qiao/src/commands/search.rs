//! `qiao reindex` and `qiao match`: the search index from the command line.
//!
//! The index lives in `DATA_DIR/index` and is a derived view of the database. `reindex`
//! rebuilds it from scratch; `match` brings it up to date (unless a running server holds it,
//! in which case it searches what that server has indexed) and prints ranked matches with
//! their reasons. `match` reads the vectors `qiao serve` keeps (`DATA_DIR/vectors`) but never
//! computes them: embedding a store is the server's background work, far too slow for a
//! command that should answer in a second, so until the server has embedded most records the
//! command matches on words, and says so.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use qiao_search::{Engine, Follower, Results, SearchIndex, SearchRequest, Semantic, VectorIndex};
use qiao_store::Store;

use crate::cli::{Cli, MatchArgs};

/// Where the search index of a data directory lives.
pub fn index_dir(cli: &Cli) -> PathBuf {
    cli.data_dir.join("index")
}

/// Opens the index for maintenance; falls back to read-only when a running server holds it.
async fn open_engine(cli: &Cli, store: &Arc<dyn Store>) -> anyhow::Result<Engine> {
    let dir = index_dir(cli);
    let index = match SearchIndex::open(&dir) {
        Ok(i) => i,
        Err(qiao_search::Error::Busy) => {
            eprintln!(
                "note: a running server maintains {}; searching what it has indexed",
                dir.display()
            );
            SearchIndex::open_read_only(&dir)?
        }
        Err(e) => return Err(e.into()),
    };
    let follower = Follower::new(store.clone(), Arc::new(index)).await?;
    if follower.index().is_writable() {
        follower.catch_up().await?;
    }
    Ok(Engine::new(store.clone(), follower))
}

/// Turns semantic matching on for `engine` when the model and enough vectors are there;
/// otherwise says once why matching is on words alone.
async fn enable_semantic(
    cli: &Cli,
    store: &Arc<dyn Store>,
    engine: &Engine,
    model_dir: &std::path::Path,
) -> anyhow::Result<()> {
    let model = match qiao_embed::Model::load(model_dir) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("note: matching on words alone: {e} (run `qiao model setup`)");
            return Ok(());
        }
    };
    // Only vectors this embedder made compare with the queries it embeds.
    let vectors = VectorIndex::open_read_only(
        &cli.data_dir.join("vectors"),
        qiao_embed::Model::DIM,
        &model.embedder(),
    );
    let indexed = engine.follower().index().num_docs();
    if !qiao_search::semantic::covers(vectors.len() as u64, indexed) {
        eprintln!(
            "note: matching on words alone: {} of {indexed} records have a vector from this \
             embedder (`qiao serve` computes them in the background)",
            vectors.len()
        );
        return Ok(());
    }
    let semantic = Semantic::new(store.clone(), Arc::new(vectors), Arc::new(model)).await?;
    engine.enable_semantic(semantic);
    Ok(())
}

/// `qiao reindex`
pub async fn reindex(cli: &Cli, store: &Arc<dyn Store>) -> anyhow::Result<ExitCode> {
    let dir = index_dir(cli);
    let start = std::time::Instant::now();
    let index = SearchIndex::open(&dir)
        .with_context(|| format!("cannot open the index in {}", dir.display()))?;
    let follower = Follower::new(store.clone(), Arc::new(index)).await?;
    let docs = follower.rebuild().await?;
    println!(
        "reindexed {docs} listings and documents into {} in {:.1} s (up to change {})",
        dir.display(),
        start.elapsed().as_secs_f64(),
        follower.reached()
    );
    Ok(ExitCode::SUCCESS)
}

/// `qiao match`
pub async fn run_match(
    cli: &Cli,
    store: &Arc<dyn Store>,
    args: &MatchArgs,
) -> anyhow::Result<ExitCode> {
    let engine = open_engine(cli, store).await?;
    if !args.lexical_only {
        enable_semantic(cli, store, &engine, &args.model.resolve(&cli.data_dir)).await?;
    }
    let today = qiao_domain::today();
    let results = match (&args.listing, &args.query) {
        (Some(id), _) => {
            let source = store
                .get_listing(*id)
                .await
                .with_context(|| format!("listing {id}"))?;
            println!(
                "matches for {} {} 「{}」",
                source.listing.kind().label_zh(),
                source.id,
                source.listing.title()
            );
            engine.matches(&source, today, args.limit, 0).await?
        }
        (None, Some(q)) => {
            let kinds = args
                .kind
                .iter()
                .map(|k| {
                    qiao_domain::Kind::parse(k).with_context(|| format!("unknown --type `{k}`"))
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            let request = SearchRequest {
                q: q.clone(),
                filters: qiao_search::Filters {
                    kinds,
                    active_on: args.active.then_some(today),
                    ..Default::default()
                },
                limit: args.limit,
                offset: 0,
                explain: true,
            };
            engine.search(&request).await?
        }
        (None, None) => anyhow::bail!("give a query text or --listing ID"),
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&results)?);
    } else {
        print_results(&results);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_results(results: &Results) {
    if results.hits.is_empty() {
        println!("no matches (无匹配结果)");
        return;
    }
    for (rank, hit) in results.hits.iter().enumerate() {
        println!(
            "{:>2}. [{}] {} {} 「{}」",
            rank + 1,
            match hit.strength {
                qiao_search::Strength::Strong => "高度匹配 strong",
                qiao_search::Strength::Possible => "可能相关 possible",
            },
            hit.kind.label_zh(),
            hit.id,
            hit.title
        );
        let reasons: Vec<&str> = hit.reasons.iter().map(|r| r.text.as_str()).collect();
        println!("    理由: {}", reasons.join("；"));
        if let Some(body) = hit.snippets.iter().find(|s| s.field == "body") {
            println!("    摘录: {}", marked(&body.text, &body.highlights));
        }
    }
    if results.strong == 0 {
        println!("暂无高度匹配的成果；以上可能相关 (no strong match; the above may be related)");
    } else {
        println!("{} strong (高度匹配)", results.strong);
    }
}

/// The text with matched spans in 【】 for a terminal.
fn marked(text: &str, spans: &[[usize; 2]]) -> String {
    let mut out = String::new();
    let mut at = 0;
    for [s, e] in spans {
        out.push_str(&text[at..*s]);
        out.push('【');
        out.push_str(&text[*s..*e]);
        out.push('】');
        at = *e;
    }
    out.push_str(&text[at..]);
    out
}
