//! `qiao import listings` and `qiao export`.
//!
//! An import is all or nothing by default: every row is parsed and validated first, owners are
//! resolved, and only a file without a bad row is written, in one transaction. With
//! `--skip-invalid` the good rows are written and the bad ones go to a rejects file.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use qiao_io::Record;
use qiao_store::{BackupItem, Store};

use crate::cli::ImportArgs;

pub async fn run(store: &Arc<dyn Store>, args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let outcome = qiao_io::read_path(&args.file)?;
    let mut errors = outcome.errors;
    let (orgs, listings, owner_errors) =
        qiao_server::import::resolve_owners(store, outcome.records).await?;
    errors.extend(owner_errors);
    errors.sort_by_key(|e| e.line);
    let name = args.file.display();
    if !errors.is_empty() && !args.skip_invalid {
        for e in &errors {
            eprintln!("{name}:{}: {}", e.line, e.message);
        }
        eprintln!(
            "{} bad rows; nothing was imported. Fix them, or pass --skip-invalid to import the good rows only.",
            errors.len()
        );
        return Ok(ExitCode::FAILURE);
    }
    let report = store.import(&orgs, &listings).await?;
    println!(
        "imported {name}: organisations {} created, {} updated; listings {} created, {} updated",
        report.organisations_created,
        report.organisations_updated,
        report.listings_created,
        report.listings_updated
    );
    if !errors.is_empty() {
        // By default the rejects keep the source's format, so corrected rows re-import as they are.
        let rejects = args.rejects.clone().unwrap_or_else(|| {
            let mut p = args.file.clone().into_os_string();
            p.push(format!(
                ".rejects.{}",
                qiao_io::Format::from_path(&args.file)
                    .map(|f| f.extension())
                    .unwrap_or("csv")
            ));
            p.into()
        });
        qiao_io::write_rejects(&rejects, &args.file, &errors)?;
        eprintln!(
            "{} bad rows skipped; written with their reasons to {}",
            errors.len(),
            rejects.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes every organisation and listing (private fields included: exports are for operators).
/// Reads through [`Store::backup`], so the export is one consistent snapshot even while the
/// server keeps writing.
pub async fn export(store: &Arc<dyn Store>, file: &Path) -> anyhow::Result<ExitCode> {
    let snapshot = store.backup().await?;
    let mut codes = std::collections::HashMap::new();
    let mut records = Vec::new();
    for item in snapshot.items {
        match item {
            BackupItem::Organisation(o) => {
                codes.insert(o.id, o.org.credit_code.clone());
                records.push(Record::Organisation(o.org));
            }
            BackupItem::Listing(l) => {
                let owner = l.owner_org_id.and_then(|id| codes.get(&id).cloned());
                records.push(Record::Listing(qiao_io::ListingRow {
                    id: Some(l.id),
                    owner,
                    listing: l.listing,
                }));
            }
            // Exports carry the marketplace, not who talked to whom.
            BackupItem::Account(_) | BackupItem::Token(_) | BackupItem::ContactRequest(_) => {}
        }
    }
    qiao_io::write_path(file, &records)?;
    println!("exported {} records to {}", records.len(), file.display());
    Ok(ExitCode::SUCCESS)
}
