//! `qiao bench nearest`: how long the vector index takes to find a query's nearest records at
//! scale. Synthetic vectors (seeded random unit vectors, labelled so), because only the count
//! and the dimension matter to an exact scan's speed; its recall against exact search is 1 by
//! construction, which is why the product scans instead of keeping an approximate graph.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use qiao_search::VectorIndex;
use qiao_search::vectors::{Entity, Entry};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;

use crate::cli::NearestArgs;

fn unit(rng: &mut StdRng, dim: usize) -> Vec<f32> {
    let mut v: Vec<f32> = (0..dim).map(|_| rng.random::<f32>() - 0.5).collect();
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
    v.iter_mut().for_each(|x| *x /= n);
    v
}

fn percentile_ms(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).map_or(0.0, |d| d.as_secs_f64() * 1e3)
}

/// `qiao bench nearest`
pub fn run(args: &NearestArgs) -> anyhow::Result<ExitCode> {
    let dim = qiao_embed::Model::DIM;
    let mut rng = StdRng::seed_from_u64(7);
    let start = Instant::now();
    let index = VectorIndex::in_memory(dim);
    let mut batch = Vec::with_capacity(10_000);
    for id in 0..args.vectors as u64 {
        batch.push(Entry {
            entity: Entity::Listing,
            id,
            kind: (id % 7) as u8 + 1,
            passage: unit(&mut rng, dim),
            query: None,
        });
        if batch.len() == 10_000 {
            index.apply(&[], std::mem::take(&mut batch), id as i64)?;
        }
    }
    index.apply(&[], batch, args.vectors as i64)?;
    let build_s = start.elapsed().as_secs_f64();
    let queries: Vec<Vec<f32>> = (0..args.queries).map(|_| unit(&mut rng, dim)).collect();
    let mut out = serde_json::Map::new();
    for k in [10usize, 200] {
        let mut lat = Vec::with_capacity(queries.len());
        for q in &queries {
            let t = Instant::now();
            let hits = index.nearest(q, k, |_, _, _| true);
            lat.push(t.elapsed());
            std::hint::black_box(hits);
        }
        lat.sort();
        out.insert(format!("k{k}_p50_ms"), json!(percentile_ms(&lat, 0.5)));
        out.insert(format!("k{k}_p99_ms"), json!(percentile_ms(&lat, 0.99)));
    }
    let memory_mb = (args.vectors * dim * 4) as f64 / 1e6;
    if args.json {
        out.insert("vectors".into(), json!(args.vectors));
        out.insert("queries".into(), json!(args.queries));
        out.insert("build_s".into(), json!(build_s));
        out.insert("vector_mb".into(), json!(memory_mb));
        out.insert("recall@10".into(), json!(1.0));
        println!("{}", serde_json::Value::Object(out));
    } else {
        println!(
            "nearest neighbours by exact cosine scan: {} synthetic {dim}-d unit vectors ({memory_mb:.0} MB), {} queries",
            args.vectors, args.queries
        );
        for k in [10, 200] {
            println!(
                "  top {k:<3}  p50 {:.2} ms   p99 {:.2} ms",
                out[&format!("k{k}_p50_ms")].as_f64().unwrap_or(0.0),
                out[&format!("k{k}_p99_ms")].as_f64().unwrap_or(0.0)
            );
        }
        println!("  recall@10 against exact search: 1 (the scan is exact)");
        println!("  loading the vectors: {build_s:.2} s");
    }
    Ok(ExitCode::SUCCESS)
}
