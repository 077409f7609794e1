//! One module per subcommand. Each opens the store the global flags name and does its work;
//! business rules stay in the domain and store crates.

mod account;
mod backup;
mod bench;
mod doc;
pub mod import;
mod model;
mod nearest;
mod retrieval;
pub mod search;
mod serve;

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use qiao_store::Store;

use crate::cli::{BenchCommand, Cli, Command, ImportCommand, ModelCommand};
use crate::config;

/// Runs the parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve(ref args) => serve::run(&cli, args).await,
        Command::Import(ImportCommand::Listings(ref args)) => {
            import::run(&open(&cli).await?, args).await
        }
        Command::Import(ImportCommand::Docs(ref args)) => {
            import::docs(&open(&cli).await?, args).await
        }
        Command::Export(ref args) => import::export(&open(&cli).await?, &args.file).await,
        Command::Backup { ref file } => backup::backup(&open(&cli).await?, file).await,
        Command::Restore { ref file } => backup::restore(&open(&cli).await?, file).await,
        Command::Check => backup::check(&open(&cli).await?).await,
        Command::Account(ref cmd) => account::run(&open(&cli).await?, cmd).await,
        Command::Reindex => search::reindex(&cli, &open(&cli).await?).await,
        Command::Match(ref args) => search::run_match(&cli, &open(&cli).await?, args).await,
        Command::Doc(ref cmd) => doc::run(cmd),
        Command::Bench(BenchCommand::Docs(ref args)) => doc::bench(args),
        Command::Bench(BenchCommand::Explain(ref args)) => bench::explain(args),
        Command::Bench(BenchCommand::Retrieval(ref args)) => retrieval::retrieval(&cli, args),
        Command::Bench(BenchCommand::Scale(ref args)) => retrieval::scale(args),
        Command::Bench(BenchCommand::Embed(ref args)) => model::bench(&cli, args),
        Command::Bench(BenchCommand::Nearest(ref args)) => nearest::run(args),
        Command::Bench(BenchCommand::Vectors(ref args)) => model::vectors(&cli, args),
        Command::Model(ModelCommand::Setup(ref args)) => model::setup(&args.resolve(&cli.data_dir)),
        Command::Model(ModelCommand::Status(ref args)) => {
            model::status(&args.resolve(&cli.data_dir))
        }
        Command::Bench(ref cmd) => bench::run(&cli, cmd).await,
    }
}

/// Opens the store named by `--database` / `--data-dir`.
pub async fn open(cli: &Cli) -> anyhow::Result<Arc<dyn Store>> {
    let url = config::database_url(&cli.data_dir, cli.database.as_deref())?;
    qiao_store::open(&url)
        .await
        .with_context(|| format!("cannot open the database {}", config::redact(&url)))
}
