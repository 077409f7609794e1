//! One module per subcommand. Each opens the store the global flags name and does its work;
//! the operations people perform are the application layer's (`qiao-app`), shared with the
//! server, and rules stay in the domain. Only `serve` (and the benchmark that starts a server)
//! reaches into `qiao-server`.

mod account;
mod backup;
mod bench;
pub mod contracts;
mod contracts_bench;
mod doc;
pub mod import;
mod model;
mod nearest;
mod retrieval;
pub mod search;
mod serve;
mod valuation_bench;
mod value;

use std::process::ExitCode;

use crate::cli::{BenchCommand, Cli, Command, ExportCommand, ImportCommand, ModelCommand};
use crate::config::open_store;

/// Runs the parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve(ref args) => serve::run(&cli, args).await,
        Command::Import(ImportCommand::Listings(ref args)) => {
            import::run(&open_store(&cli).await?, args).await
        }
        Command::Import(ImportCommand::Docs(ref args)) => {
            import::docs(&open_store(&cli).await?, args).await
        }
        Command::Import(ImportCommand::Contracts(ref args)) => {
            contracts::run_import(&open_store(&cli).await?, args).await
        }
        Command::Export(ref args) => match (&args.what, &args.file) {
            (Some(ExportCommand::Contracts(c)), _) => {
                contracts::run_export(&open_store(&cli).await?, c).await
            }
            (None, Some(file)) => import::export(&open_store(&cli).await?, file).await,
            (None, None) => {
                anyhow::bail!(
                    "name the file to export to: `qiao export FILE` or `qiao export contracts FILE`"
                )
            }
        },
        Command::Backup { ref file } => backup::backup(&open_store(&cli).await?, file).await,
        Command::Restore { ref file } => backup::restore(&open_store(&cli).await?, file).await,
        Command::Check => backup::check(&open_store(&cli).await?).await,
        Command::Account(ref cmd) => account::run(&open_store(&cli).await?, cmd).await,
        Command::Reindex => search::reindex(&cli, &open_store(&cli).await?).await,
        Command::Match(ref args) => search::run_match(&cli, &open_store(&cli).await?, args).await,
        Command::Doc(ref cmd) => doc::run(cmd),
        Command::Bench(BenchCommand::Docs(ref args)) => doc::bench(args),
        Command::Bench(BenchCommand::Explain(ref args)) => bench::explain(args),
        Command::Bench(BenchCommand::Retrieval(ref args)) => retrieval::retrieval(&cli, args),
        Command::Bench(BenchCommand::Scale(ref args)) => retrieval::scale(args),
        Command::Bench(BenchCommand::Embed(ref args)) => model::bench(&cli, args),
        Command::Bench(BenchCommand::Nearest(ref args)) => nearest::run(args),
        Command::Bench(BenchCommand::Valuation(ref args)) => valuation_bench::run(&cli, args).await,
        Command::Value(ref args) => value::run(&open_store(&cli).await?, args).await,
        Command::Bench(BenchCommand::Vectors(ref args)) => model::vectors(&cli, args),
        Command::Bench(BenchCommand::Contracts(ref args)) => contracts_bench::run(&cli, args).await,
        Command::Model(ModelCommand::Setup(ref args)) => model::setup(&args.resolve(&cli.data_dir)),
        Command::Model(ModelCommand::Status(ref args)) => {
            model::status(&args.resolve(&cli.data_dir))
        }
        Command::Bench(ref cmd) => bench::run(&cli, cmd).await,
    }
}
