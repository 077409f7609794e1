//! Fusing lexical and semantic evidence: which queries get it, and how the lists combine.
//!
//! Why reciprocal-rank fusion of three lists: on the demand-style sets (enterprises describing
//! a problem in sentences) the lexical ranking and the e5 ranking find different relevant
//! documents, and their scores live on scales that do not compare (BM25 grows with the query's
//! length, cosine does not). Ranks compare. The third list is the lexical ranking of the query
//! followed by the text of its nearest neighbour by meaning: it lends the query the words its
//! closest semantic match uses, which is how a problem description ("电池包发烫") reaches the
//! vocabulary of the patent that solves it ("相变材料热管理"). k = 60 is the usual default, not
//! tuned; the semantic list weighs twice the others ([`SEMANTIC_RRF_WEIGHT`], issue #27);
//! `docs/fusion-research.md` has the method and the held-out checks.
//!
//! Why three forms of query ([`form`]): on known-item queries (a title, a list of keywords, a
//! claim copied from a patent) the lexical ranking is already near perfect and e5 is weaker,
//! so ranks fused as equals lose. A query written as sentences gets the rank fusion, unless
//! the lexical ranking is confident (its best candidate far ahead of the next: the query names
//! something precisely). A title or a list of terms gets [`combine`] instead: the lexical score
//! stays the main part and nearness in meaning a smaller one on the same 0..1 scale, which
//! reorders candidates the words cannot tell apart (two keywords that many abstracts contain)
//! without overturning a clear lexical winner. A pasted document (a claim, an abstract:
//! [`DOCUMENT_CHARS`] or more) is ranked on its words alone: they already say everything a
//! neighbour's could.
//!
//! Everything here is pure: lists in, fused list out, each item with the rank it had in each
//! list, which is what the reasons shown to users are made of.

use std::collections::HashMap;

/// The RRF constant.
pub const K: f32 = 60.0;

/// Sentence punctuation: a query containing one is written as prose.
const SENTENCE_MARKS: [char; 10] = ['，', '。', '；', '！', '？', ',', ';', '!', '?', '、'];

/// When the lexical ranking's best score is at least this many times its second best, the
/// query is taken to name one thing precisely. Claims copied from a patent sit far above 2
/// (median 2.3 to 3.3), demands near 1.1 to 1.4. Measured 2026-12-01 (`qiao bench retrieval
/// --confident R`): at 1.5 a few patent demands stayed lexical (demands_dev patents nDCG@10
/// 0.749 against 0.794 at 2.0 and at 3.0), while claims lose 0.0011 at 1.5 and 0.0037 at 2.0
/// against the lexical ranking, both within the 0.005 allowed.
pub const CONFIDENT: f32 = 2.0;

/// A free-text query of at least this many characters that reads as a document (see
/// [`is_pasted_document`]) is a pasted document and is ranked on its words. Enterprises state a demand in one to three sentences (75 to 93 characters in
/// `demands_dev`); a claim copied from a patent runs 169 to 11,509 (median 1,055). Measured
/// 2026-12-02 on `kppatent_zh/claims` (`qiao bench retrieval --run`, hybrid against lexical):
/// every claim whose rank the fusion changed was 696 characters or longer, 9 of the 13 for
/// the worse (nDCG@10 0.9865 against 0.9905), and embedding such a query costs one model window
/// per 510 pieces. 500 leaves demands of five times the usual length fused.
pub const DOCUMENT_CHARS: usize = 500;

/// How much nearness in meaning counts against the lexical score for a title or a term list
/// ([`combine`]). Measured 2026-12-02 (`qiao bench retrieval --ranker hybrid --terms-weight W`,
/// simplified script), lexical ranker → 0.3 / 0.4 / 0.5: csl keywords2 0.942 → 0.949 / 0.950 /
/// 0.951; kppatent_zh keywords 0.729 → 0.749 / 0.753 / 0.753; csl titles 0.982 → 0.986 / 0.986
/// / 0.987; csl keywords 0.988 → 0.992 at each; patent titles 0.974 → 0.972 / 0.972 / 0.971
/// (within the 0.005 a known-item task may lose). Simulated on the two rankers' runs, 1.0 and
/// 2.0 took patent keywords back down (0.737, 0.701). A round value in the flat part, not a
/// searched optimum. Measured again 2026-12-07 with the adapter, on needs typed as titles
/// (`bench/demand-titles`, `scripts/bench-title-weights`): weight 1 or 2 would gain them
/// 0.015–0.020 nDCG@10 but costs the patents' keyword lists 0.009–0.032 (0.7599 at 0.5), also
/// when raised only where the lexical ranking is not [`confident`]; kept (BENCHMARKS.md
/// "search-box titles of the demand sets").
pub const TERMS_SEMANTIC_WEIGHT: f32 = 0.5;

/// The form of a free-text query, which decides how it is ranked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// A title or a list of terms (no sentence punctuation): lexical score plus a smaller
    /// semantic part ([`combine`]).
    Terms,
    /// Sentences (a demand in an enterprise's words): rank fusion of three lists ([`rrf`]),
    /// unless the lexical ranking is [`confident`].
    Prose,
    /// A pasted document ([`DOCUMENT_CHARS`] or more): lexical only.
    Document,
}

/// Words by which a text asks for something: an enterprise stating its demand, however long.
const DEMAND_CUES: &[&str] = &[
    "我们",
    "我司",
    "我公司",
    "本公司",
    "我厂",
    "本厂",
    "希望",
    "需要",
    "寻求",
    "求购",
    "征集",
    "急需",
    "想找",
    "想要",
    "难题",
    "痛点",
    "需求",
    "揭榜",
    "亟待",
    "亟需",
];

/// Words by which a text is a patent's claim or abstract: a pasted document even when it names
/// a problem.
const DOCUMENT_MARKS: &[&str] = &["所述", "其特征在于", "权利要求", "本发明", "本实用新型"];

/// Whether a long text is a pasted document (a claim, an abstract) rather than a long demand:
/// decided by what it says, not by its length alone (issue #27). A demand asks (我们…希望…
/// 难题); a claim or an abstract describes (所述, 其特征在于, 本发明).
pub fn is_pasted_document(q: &str) -> bool {
    DOCUMENT_MARKS.iter().any(|m| q.contains(m)) || !DEMAND_CUES.iter().any(|c| q.contains(c))
}

/// The form of a free-text query.
pub fn form(q: &str) -> Form {
    if q.chars().count() >= DOCUMENT_CHARS && is_pasted_document(q) {
        Form::Document
    } else if q.chars().any(|c| SENTENCE_MARKS.contains(&c)) {
        Form::Prose
    } else {
        Form::Terms
    }
}

/// How a query was ranked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Route {
    /// Lexical ranking only.
    Lexical,
    /// Lexical and semantic evidence fused.
    Hybrid,
}

/// Whether a lexical ranking (scores best first) is confident: one candidate far ahead.
pub fn confident(lexical_scores: &[f32]) -> bool {
    confident_at(lexical_scores, CONFIDENT)
}

/// [`confident`] with another ratio (benchmarks compare ratios).
pub fn confident_at(lexical_scores: &[f32], ratio: f32) -> bool {
    match lexical_scores {
        [first, second, ..] => *second <= 0.0 || *first >= ratio * *second,
        // A single candidate is all the lexical ranking found; nothing to be confident about.
        _ => false,
    }
}

/// Which list a piece of evidence came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// The query's own terms.
    Lexical,
    /// Nearest by meaning (embedding cosine).
    Semantic,
    /// The query's terms plus those of its nearest neighbour by meaning.
    Neighbour,
}

/// One fused item: its fused score and its rank (1-based) in each list it appears in.
#[derive(Debug, Clone, PartialEq)]
pub struct Fused {
    /// The item's id.
    pub id: u64,
    /// The sum of its parts, in (0, 1]: 1 for the first of every list ([`rrf`], [`combine`]).
    pub score: f32,
    /// Per list: its rank there and its share of `score`.
    pub parts: Vec<(Source, usize, f32)>,
}

/// Reciprocal-rank fusion of ranked lists (each best first, ids unique within a list).
/// Ties are broken by the earliest rank in the first list, then by id.
pub fn rrf(lists: &[(Source, &[u64])]) -> Vec<Fused> {
    let weighted: Vec<(Source, &[u64], f32)> = lists.iter().map(|(s, l)| (*s, *l, 1.0)).collect();
    rrf_weighted(&weighted)
}

/// [`rrf`] with a weight per list: an item's part from a list is `weight / (K + rank)`, and
/// the sum is divided so that the first of every list scores 1.
pub fn rrf_weighted(lists: &[(Source, &[u64], f32)]) -> Vec<Fused> {
    let total: f32 = lists
        .iter()
        .map(|l| l.2)
        .sum::<f32>()
        .max(f32::MIN_POSITIVE);
    let norm: f32 = total / (K + 1.0);
    let parts = lists.iter().flat_map(|(source, ids, weight)| {
        ids.iter()
            .enumerate()
            .map(move |(i, &id)| (*source, i + 1, id, weight / (K + (i + 1) as f32) / norm))
    });
    gather(parts, lists.first().map(|l| l.0))
}

/// The weight of the semantic list in the rank fusion of a sentence query (the lexical and
/// neighbour lists weigh 1). Chosen 2026-12-07 with the embedding adapter in place, by a rule
/// fixed before the runs (BENCHMARKS.md "the semantic weight and the adapter share"): among
/// weights 2, 3, 4, 6 and adapter shares ½, ¾,
/// the best mean nDCG@10 over eight fully judged demand sets with no set 0.02 below the
/// previous default (3, ½) was 2 (0.6678 against 0.6638); measured once on a fourth blind round
/// written and judged after that choice, it gained 0.008 on papers and 0.015 on patents, over
/// the 0.01 asked. The weights between 2 and 4 lie within a few thousandths on most sets, and
/// left-out rounds do not pick one weight consistently: this is a small, confirmed step.
pub const SEMANTIC_RRF_WEIGHT: f32 = 2.0;

/// Score fusion of a lexical ranking (BM25 scores) and a semantic one (cosines), both best
/// first with ids unique within a list: each item gets its BM25 score divided by the best
/// one, plus `weight` times its cosine rescaled so that the list's first is 1 and its last 0
/// (an item absent from a list gets 0 there), all divided by `1 + weight` so that the first of
/// both lists scores 1. Rescaling makes the parts comparable query by query: BM25 grows with
/// a query's length and rarity, and e5's cosines sit in a narrow band (0.8 to 0.9) whatever
/// the query. Ties are broken by the lexical rank, then by id.
pub fn combine(lexical: &[(u64, f32)], semantic: &[(u64, f32)], weight: f32) -> Vec<Fused> {
    let norm = 1.0 + weight;
    let best = lexical.first().map_or(1.0, |l| l.1).max(f32::MIN_POSITIVE);
    let (top, bottom) = match (semantic.first(), semantic.last()) {
        (Some(t), Some(b)) => (t.1, b.1),
        _ => (1.0, 0.0),
    };
    let range = top - bottom;
    let lexical_parts = lexical.iter().enumerate().map(|(i, &(id, s))| {
        let part = (s / best).max(0.0);
        (Source::Lexical, i + 1, id, part / norm)
    });
    let semantic_parts = semantic.iter().enumerate().map(|(i, &(id, c))| {
        // One candidate, or all equally near: each is as near as the nearest.
        let near = if range > 1e-6 {
            (c - bottom) / range
        } else {
            1.0
        };
        (Source::Semantic, i + 1, id, weight * near / norm)
    });
    gather(lexical_parts.chain(semantic_parts), Some(Source::Lexical))
}

/// Sums each item's parts (source, rank in that list, id, share) into one [`Fused`], best
/// first; ties go to the better rank in `first`'s list, then to the lower id.
fn gather(
    parts: impl Iterator<Item = (Source, usize, u64, f32)>,
    first: Option<Source>,
) -> Vec<Fused> {
    let mut by_id: HashMap<u64, Fused> = HashMap::new();
    for (source, rank, id, share) in parts {
        let entry = by_id.entry(id).or_insert_with(|| Fused {
            id,
            score: 0.0,
            parts: Vec::new(),
        });
        entry.score += share;
        entry.parts.push((source, rank, share));
    }
    let first_rank = |f: &Fused| {
        f.parts
            .iter()
            .find(|p| Some(p.0) == first)
            .map_or(usize::MAX, |p| p.1)
    };
    let mut out: Vec<Fused> = by_id.into_values().collect();
    out.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(first_rank(a).cmp(&first_rank(b)))
            .then(a.id.cmp(&b.id))
    });
    out
}

/// A Chinese reason for one part of a fused score, in plain words: which kind of evidence it
/// is, never a rank or a cosine (issue #27; the share of the score is the signal's weight).
pub fn label(source: Source) -> String {
    match source {
        Source::Lexical => "共同词语",
        Source::Semantic => "内容相近",
        Source::Neighbour => "与最相近的条目用词相似",
    }
    .to_string()
}

/// The machine name of a source, as a signal name.
pub fn signal_name(source: Source) -> &'static str {
    match source {
        Source::Lexical => "lexical",
        Source::Semantic => "semantic",
        Source::Neighbour => "neighbour",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_are_prose_titles_and_terms_are_not() {
        assert_eq!(
            form("夏天电池包发烫，电芯温差大，想找不大改结构的办法"),
            Form::Prose
        );
        assert_eq!(form("相变材料 电池热管理"), Form::Terms);
        assert_eq!(form("一种锂电池热管理系统"), Form::Terms);
        assert_eq!(form("石墨烯、碳纳米管"), Form::Prose);
    }

    #[test]
    fn a_pasted_document_is_a_document() {
        let sentence = "一种电池热管理装置，包括相变材料层和导热板。";
        let just_short = sentence.repeat((DOCUMENT_CHARS - 1) / sentence.chars().count());
        assert!(just_short.chars().count() < DOCUMENT_CHARS);
        assert_eq!(form(&just_short), Form::Prose);
        let claim = sentence.repeat(DOCUMENT_CHARS / sentence.chars().count() + 1);
        assert_eq!(form(&claim), Form::Document);
        // Length decides even without punctuation.
        assert_eq!(form(&"相变材料".repeat(DOCUMENT_CHARS)), Form::Document);
    }

    #[test]
    fn a_long_demand_is_still_a_demand() {
        let demand = "我们是松江的一家注塑厂，成立于2005年，员工三百人。".to_string()
            + &"注塑外壳缩痕、银纹，良品率上不去，模具温度和保压都调过，效果有限。".repeat(20)
            + "希望找到能解决缩痕和银纹的工艺或材料。";
        assert!(demand.chars().count() >= DOCUMENT_CHARS);
        assert_eq!(form(&demand), Form::Prose);
        // A claim stays a document even when it names a problem it solves.
        let claim = "1.一种注塑模具，其特征在于，所述模具包括冷却水道，解决缩痕问题；".repeat(20);
        assert_eq!(form(&claim), Form::Document);
    }

    #[test]
    fn combine_keeps_the_lexical_score_first_and_meaning_second() {
        // 1 leads lexically by far; 2 and 3 tie lexically and meaning tells them apart.
        let lexical = [(1, 10.0), (2, 4.0), (3, 4.0)];
        let semantic = [(3, 0.90), (4, 0.87), (1, 0.85), (2, 0.80)];
        let fused = combine(&lexical, &semantic, 0.5);
        let ids: Vec<u64> = fused.iter().map(|f| f.id).collect();
        assert_eq!(ids, vec![1, 3, 2, 4]);
        let one = &fused[0];
        // 1: lexical 1.0, semantic (0.85 - 0.80) / 0.10 = 0.5, times 0.5; over 1.5.
        assert!((one.score - (1.0 + 0.25) / 1.5).abs() < 1e-6);
        assert_eq!(
            one.parts.iter().map(|p| (p.0, p.1)).collect::<Vec<_>>(),
            vec![(Source::Lexical, 1), (Source::Semantic, 3)]
        );
        let sum: f32 = one.parts.iter().map(|p| p.2).sum();
        assert!((sum - one.score).abs() < 1e-6);
        // 4 comes from meaning alone: no lexical part.
        let four = fused.iter().find(|f| f.id == 4).unwrap();
        assert_eq!(four.parts.len(), 1);
        assert_eq!(four.parts[0].0, Source::Semantic);
        // First in both lists scores exactly 1; an empty semantic list leaves lexical order.
        let top = combine(&[(7, 3.0)], &[(7, 0.9)], 0.5);
        assert!((top[0].score - 1.0).abs() < 1e-6);
        let alone: Vec<u64> = combine(&lexical, &[], 0.5).iter().map(|f| f.id).collect();
        assert_eq!(alone, vec![1, 2, 3]);
    }

    #[test]
    fn confidence_needs_a_clear_lead() {
        assert!(confident(&[9.0, 4.0, 3.0]));
        assert!(!confident(&[9.0, 8.0, 3.0]));
        assert!(!confident(&[9.0]));
        assert!(!confident(&[]));
    }

    #[test]
    fn rrf_adds_ranks_and_keeps_where_each_part_came_from() {
        let lexical = [1, 2, 3];
        let semantic = [3, 1, 4];
        let fused = rrf(&[(Source::Lexical, &lexical), (Source::Semantic, &semantic)]);
        let ids: Vec<u64> = fused.iter().map(|f| f.id).collect();
        // 1: ranks 1 and 2; 3: ranks 3 and 1; 2: rank 2 only; 4: rank 3 only.
        assert_eq!(ids, vec![1, 3, 2, 4]);
        let one = &fused[0];
        assert_eq!(
            one.parts.iter().map(|p| (p.0, p.1)).collect::<Vec<_>>(),
            vec![(Source::Lexical, 1), (Source::Semantic, 2)]
        );
        let sum: f32 = one.parts.iter().map(|p| p.2).sum();
        assert!((sum - one.score).abs() < 1e-6);
        // First in every list scores exactly 1.
        let top = rrf(&[(Source::Lexical, &[7]), (Source::Semantic, &[7])]);
        assert!((top[0].score - 1.0).abs() < 1e-6);
    }

    #[test]
    fn ties_go_to_the_better_lexical_rank() {
        // 5 and 6 each appear once at rank 1 of a different list: equal scores.
        let fused = rrf(&[(Source::Lexical, &[5]), (Source::Semantic, &[6])]);
        assert_eq!(fused[0].id, 5);
    }

    #[test]
    fn labels_say_which_part_is_meaning_without_numbers() {
        assert_eq!(label(Source::Semantic), "内容相近");
        assert_eq!(label(Source::Lexical), "共同词语");
        for s in [Source::Lexical, Source::Semantic, Source::Neighbour] {
            assert!(
                !label(s).chars().any(|c| c.is_ascii_digit()),
                "{}",
                label(s)
            );
        }
    }
}
