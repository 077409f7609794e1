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
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web platform and JSON API.
    Serve(ServeArgs),
    /// Import records from a file (JSONL, CSV or XLSX).
    #[command(subcommand)]
    Import(ImportCommand),
    /// Export every organisation and listing to a file (format by extension: .jsonl, .csv, .xlsx).
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
    /// Measure the platform (figures for BENCHMARKS.md).
    #[command(subcommand)]
    Bench(BenchCommand),
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
}

/// `qiao import …`
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Organisations and listings from JSONL, CSV or XLSX (Chinese column headers accepted).
    ///
    /// By default a file with any bad row imports nothing and every bad row is printed with
    /// its line and reason.
    Listings(ImportArgs),
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

/// Arguments of `qiao export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The file to write; its extension chooses the format.
    pub file: PathBuf,
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
