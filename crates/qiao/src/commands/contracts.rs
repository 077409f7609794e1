//! `qiao import contracts` and `qiao export contracts`: the registry's contract list
//! (技术合同登记清单) in and out, as CSV, XLSX or JSON Lines.
//!
//! An import is all or nothing by default: every row is read and validated first, and only a
//! file without a bad row is stored, in one transaction. With `--skip-invalid` the good rows
//! are stored and the bad ones written to a rejects file. A row whose 登记号 Qiao already knows
//! replaces that contract, so a corrected list imports again as it is.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use qiao_io::{ContractListRow, Format};
use qiao_store::{ContractFilter, Store};

use crate::cli::{ExportContractsArgs, ImportArgs};

/// Reads the list at `path` and stores it; returns how many contracts were stored. Bad rows are
/// printed; with any and without `skip_invalid`, nothing is stored.
pub async fn import_file(
    store: &Arc<dyn Store>,
    path: &Path,
    skip_invalid: bool,
) -> anyhow::Result<usize> {
    let (stored, bad) = import_rows(store, path, skip_invalid, None).await?;
    if bad > 0 && !skip_invalid {
        anyhow::bail!("{bad} bad rows; nothing was imported");
    }
    Ok(stored)
}

/// Reads and (unless refused) stores; returns (stored, bad rows). Writes the rejects file when
/// rows were skipped.
async fn import_rows(
    store: &Arc<dyn Store>,
    path: &Path,
    skip_invalid: bool,
    rejects: Option<&Path>,
) -> anyhow::Result<(usize, usize)> {
    let format = Format::from_path(path)?;
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    // Reading a million rows is CPU work; keep it off the async runtime's threads.
    let outcome =
        tokio::task::spawn_blocking(move || qiao_io::read_contract_list(format, &bytes)).await??;
    let name = path.display();
    for e in &outcome.errors {
        eprintln!("{name}:{}: {}", e.line, e.message());
    }
    let bad = outcome.errors.len();
    if bad > 0 && !skip_invalid {
        return Ok((0, bad));
    }
    let rows: Vec<_> = outcome
        .rows
        .into_iter()
        .map(|r| (r.contract, r.registered))
        .collect();
    let report = qiao_app::contracts::import(store, None, rows).await?;
    println!(
        "imported {name}: contracts {} created, {} updated; {} parties linked to organisations on Qiao",
        report.inserted, report.updated, report.linked_parties
    );
    if bad > 0 {
        let rejects = rejects.map(Path::to_path_buf).unwrap_or_else(|| {
            let mut p = path.as_os_str().to_owned();
            p.push(format!(".rejects.{}", format.extension()));
            p.into()
        });
        qiao_io::write_rejects(&rejects, path, &outcome.errors)?;
        eprintln!(
            "{bad} bad rows skipped; written with their reasons to {}",
            rejects.display()
        );
    }
    Ok((report.inserted + report.updated, bad))
}

/// `qiao import contracts FILE`.
pub async fn run_import(store: &Arc<dyn Store>, args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let (_, bad) = import_rows(
        store,
        &args.file,
        args.skip_invalid,
        args.rejects.as_deref(),
    )
    .await?;
    if bad > 0 && !args.skip_invalid {
        eprintln!(
            "{bad} bad rows; nothing was imported. Fix them, or pass --skip-invalid to import the good rows only."
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes `rows` (contract and registration) as a registry list at `path`.
pub fn write_list(
    path: &Path,
    rows: &[(qiao_domain::Contract, qiao_domain::Registration)],
) -> anyhow::Result<()> {
    let list: Vec<ContractListRow> = rows
        .iter()
        .map(|(contract, registration)| ContractListRow {
            line: 0,
            contract: contract.clone(),
            registered: registration.registered().cloned(),
        })
        .collect();
    let bytes = qiao_io::write_contract_list(Format::from_path(path)?, &list)?;
    write_private(path, &bytes)
}

/// Writes an export readable by its owner only: it holds every contract's amounts and parties.
fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let mut file = super::backup::private_file(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    file.write_all(bytes)?;
    Ok(())
}

/// `qiao export contracts FILE`: every contract (or the registered ones of a year) as a
/// registry list.
pub async fn run_export(
    store: &Arc<dyn Store>,
    args: &ExportContractsArgs,
) -> anyhow::Result<ExitCode> {
    let filter = ContractFilter {
        registered_year: args.year,
        state: args.year.map(|_| "registered".to_string()),
        ..ContractFilter::default()
    };
    let records = qiao_app::contracts::export(store, &filter).await?;
    let rows: Vec<_> = records
        .into_iter()
        .map(|r| (r.contract, r.registration))
        .collect();
    write_list(&args.file, &rows)?;
    println!(
        "exported {} contracts to {}",
        rows.len(),
        args.file.display()
    );
    Ok(ExitCode::SUCCESS)
}
