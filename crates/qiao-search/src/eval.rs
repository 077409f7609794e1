//! Retrieval quality metrics over BEIR-style files, as `qiao bench retrieval` reports them.
//!
//! Files: a corpus (JSON lines with `id` or `_id`, optional `title`, and `text`), queries (JSON
//! lines with `id` or `_id` and `text`) and qrels (TSV `query-id  corpus-id  score` with a
//! header line). Grades may be 0, 1 or 2. nDCG@10 uses gain = grade with a log2 discount;
//! MRR@10 counts the first document of grade ≥ 1; Recall@100 counts the documents of the
//! query's top grade. Queries with no document of grade ≥ 1 are left out of every average.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

/// One corpus document.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CorpusDoc {
    /// Identifier.
    #[serde(alias = "_id")]
    pub id: String,
    /// Title, when the corpus has one.
    #[serde(default)]
    pub title: String,
    /// Text.
    pub text: String,
}

/// One query.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct EvalQuery {
    /// Identifier.
    #[serde(alias = "_id")]
    pub id: String,
    /// Text.
    pub text: String,
}

/// Relevance judgements: query id → (document id → grade).
pub type Qrels = HashMap<String, HashMap<String, u32>>;

/// Reads a JSON-lines file; errors name the line.
pub fn read_jsonl<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Vec<T>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|e| format!("{} line {}: {e}", path.display(), i + 1))
        })
        .collect()
}

/// Reads a qrels TSV file (header line optional); errors name the line.
pub fn read_qrels(path: &Path) -> Result<Qrels, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out: Qrels = HashMap::new();
    for (i, line) in text.lines().enumerate() {
        let cols: Vec<&str> = line.split('\t').collect();
        if line.trim().is_empty()
            || (i == 0 && cols.get(2).is_some_and(|c| c.parse::<u32>().is_err()))
        {
            continue;
        }
        let [q, d, g] = cols[..] else {
            return Err(format!(
                "{} line {}: expected 3 tab-separated columns",
                path.display(),
                i + 1
            ));
        };
        let grade = g.trim().parse::<u32>().map_err(|_| {
            format!(
                "{} line {}: grade `{g}` is not 0, 1 or 2",
                path.display(),
                i + 1
            )
        })?;
        out.entry(q.to_string())
            .or_default()
            .insert(d.to_string(), grade);
    }
    Ok(out)
}

/// The metrics of one ranked list against its judgements; `None` when the query has no
/// relevant document.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QueryScores {
    /// nDCG@10.
    pub ndcg10: f64,
    /// Reciprocal rank of the first relevant document within 10 (0 when none).
    pub mrr10: f64,
    /// Share of the top-grade documents found within 100.
    pub recall100: f64,
    /// Documents in the top 10 that the judgements do not grade (counted as not relevant;
    /// a figure is only as good as this is small).
    pub unjudged10: f64,
}

/// Scores a ranked list of document ids against one query's judgements.
pub fn score_query(ranked: &[&str], judged: &HashMap<String, u32>) -> Option<QueryScores> {
    let top_grade = judged.values().copied().max().unwrap_or(0);
    if top_grade == 0 {
        return None;
    }
    let grade = |d: &str| judged.get(d).copied().unwrap_or(0);
    let dcg = |grades: &mut dyn Iterator<Item = u32>| -> f64 {
        grades
            .take(10)
            .enumerate()
            .map(|(i, g)| f64::from(g) / ((i + 2) as f64).log2())
            .sum()
    };
    let mut ideal: Vec<u32> = judged.values().copied().collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let idcg = dcg(&mut ideal.into_iter());
    let ndcg10 = dcg(&mut ranked.iter().map(|d| grade(d))) / idcg;
    let mrr10 = ranked
        .iter()
        .take(10)
        .position(|d| grade(d) >= 1)
        .map_or(0.0, |i| 1.0 / (i + 1) as f64);
    let wanted = judged.values().filter(|g| **g == top_grade).count();
    let found = ranked
        .iter()
        .take(100)
        .filter(|d| grade(d) == top_grade)
        .count();
    let unjudged10 = ranked
        .iter()
        .take(10)
        .filter(|d| !judged.contains_key(**d))
        .count() as f64;
    Some(QueryScores {
        ndcg10,
        mrr10,
        recall100: found as f64 / wanted as f64,
        unjudged10,
    })
}

/// Means over the queries that have a relevant document.
pub fn mean(scores: &[QueryScores]) -> QueryScores {
    let n = scores.len().max(1) as f64;
    QueryScores {
        ndcg10: scores.iter().map(|s| s.ndcg10).sum::<f64>() / n,
        mrr10: scores.iter().map(|s| s.mrr10).sum::<f64>() / n,
        recall100: scores.iter().map(|s| s.recall100).sum::<f64>() / n,
        unjudged10: scores.iter().map(|s| s.unjudged10).sum::<f64>() / n,
    }
}

/// Adds the judgements of `extra` (for example an assessor's grades of documents a new
/// ranker brought into the top 10) to `qrels`. A pair judged in both must have the same grade.
pub fn add_qrels(qrels: &mut Qrels, extra: &Qrels) -> Result<(), String> {
    for (q, docs) in extra {
        let judged = qrels.entry(q.clone()).or_default();
        for (d, g) in docs {
            match judged.get(d) {
                Some(old) if old != g => {
                    return Err(format!(
                        "{q} {d}: graded {old} in the qrels and {g} in the extra judgements"
                    ));
                }
                _ => {
                    judged.insert(d.clone(), *g);
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judged(pairs: &[(&str, u32)]) -> HashMap<String, u32> {
        pairs.iter().map(|(d, g)| (d.to_string(), *g)).collect()
    }

    #[test]
    fn perfect_ranking_scores_one() {
        let j = judged(&[("a", 2), ("b", 1), ("c", 0)]);
        let s = score_query(&["a", "b", "c"], &j).unwrap();
        assert!((s.ndcg10 - 1.0).abs() < 1e-12);
        assert_eq!(s.mrr10, 1.0);
        assert_eq!(s.recall100, 1.0);
        assert_eq!(s.unjudged10, 0.0);
    }

    #[test]
    fn unjudged_documents_in_the_top_ten_are_counted() {
        let j = judged(&[("a", 2), ("b", 0)]);
        let s = score_query(&["x", "a", "b", "y"], &j).unwrap();
        assert_eq!(s.unjudged10, 2.0);
        // Judged later (as not relevant), they no longer count; the score does not change.
        let mut q: Qrels = [("q".to_string(), j)].into();
        let extra: Qrels = [("q".to_string(), judged(&[("x", 0), ("y", 0)]))].into();
        add_qrels(&mut q, &extra).unwrap();
        let t = score_query(&["x", "a", "b", "y"], &q["q"]).unwrap();
        assert_eq!((t.unjudged10, t.ndcg10), (0.0, s.ndcg10));
        // A pair graded differently twice is an error that names it.
        let clash: Qrels = [("q".to_string(), judged(&[("a", 1)]))].into();
        assert!(add_qrels(&mut q, &clash).unwrap_err().contains("q a"));
    }

    #[test]
    fn graded_gain_and_discount() {
        // Ideal: [2, 1] → 2/1 + 1/log2(3). Got: [1 at rank 1, 2 at rank 3].
        let j = judged(&[("a", 2), ("b", 1)]);
        let s = score_query(&["b", "x", "a"], &j).unwrap();
        let idcg = 2.0 + 1.0 / 3f64.log2();
        let dcg = 1.0 + 2.0 / 4f64.log2();
        assert!((s.ndcg10 - dcg / idcg).abs() < 1e-12);
        assert_eq!(s.mrr10, 1.0);
        // Recall counts only top-grade documents: `a` was found.
        assert_eq!(s.recall100, 1.0);
        let s = score_query(&["x", "b"], &j).unwrap();
        assert_eq!(s.mrr10, 0.5);
        assert_eq!(s.recall100, 0.0);
    }

    #[test]
    fn queries_without_relevant_documents_are_skipped() {
        assert!(score_query(&["a"], &judged(&[("a", 0)])).is_none());
        assert!(score_query(&["a"], &judged(&[])).is_none());
    }

    #[test]
    fn qrels_parse_with_header_and_name_bad_lines() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("q.tsv");
        std::fs::write(&p, "query-id\tcorpus-id\tscore\nq1\td1\t2\nq1\td2\t0\n").unwrap();
        let q = read_qrels(&p).unwrap();
        assert_eq!(q["q1"]["d1"], 2);
        std::fs::write(&p, "q1\td1\t2\nq1\td2\n").unwrap();
        assert!(read_qrels(&p).unwrap_err().contains("line 2"));
    }
}
