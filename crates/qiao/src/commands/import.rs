//! `qiao import listings`, `qiao import docs` and `qiao export`.
//!
//! An import is all or nothing by default: every row is parsed and validated first, owners are
//! resolved, and only a file without a bad row is written, in one transaction. With
//! `--skip-invalid` the good rows are written and the bad ones go to a rejects file.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use qiao_io::Record;
use qiao_store::{BackupItem, Store};

use crate::cli::{ImportArgs, ImportDocsArgs};

pub async fn run(store: &Arc<dyn Store>, args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let outcome = qiao_io::read_path(&args.file)?;
    let mut errors = outcome.errors;
    let (orgs, listings, owner_errors) =
        qiao_app::bulk_import::resolve_owners(store, outcome.records, None).await?;
    errors.extend(owner_errors);
    errors.sort_by_key(|e| e.line);
    let name = args.file.display();
    if !errors.is_empty() && !args.skip_invalid {
        for e in &errors {
            eprintln!("{name}:{}: {}", e.line, e.message());
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

/// The extensions a folder is searched for.
const DOCUMENT_EXTENSIONS: [&str; 3] = ["txt", "html", "htm"];

fn is_document(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| DOCUMENT_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// The files `paths` name: files as given (they must be .txt, .html or .htm too), folders
/// searched recursively (in name order) for documents. A path that does not exist or is not
/// a document is an error of its own, reported with the others.
fn document_files(paths: &[PathBuf]) -> Vec<(PathBuf, Option<String>)> {
    fn walk(dir: &Path, out: &mut Vec<(PathBuf, Option<String>)>) {
        let mut entries: Vec<PathBuf> = match std::fs::read_dir(dir) {
            Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
            Err(e) => {
                out.push((
                    dir.to_path_buf(),
                    Some(format!("cannot read the folder: {e}")),
                ));
                return;
            }
        };
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, out);
            } else if is_document(&path) {
                out.push((path, None));
            }
        }
    }
    let mut out = Vec::new();
    for path in paths {
        if path.is_dir() {
            walk(path, &mut out);
        } else if !path.exists() {
            out.push((path.clone(), Some("no such file or folder".into())));
        } else if is_document(path) {
            out.push((path.clone(), None));
        } else {
            out.push((
                path.clone(),
                Some("not a .txt, .html or .htm file; documents are read from those only".into()),
            ));
        }
    }
    out
}

/// Files read and stored together by `qiao import docs` (on every core, a transaction per
/// chunk): at most this many, or this many bytes.
const DOC_GROUP: usize = 64;
const DOC_GROUP_BYTES: usize = 128 * 1024 * 1024;

/// Counts of `qiao import docs`.
#[derive(Default)]
struct DocTally {
    imported: usize,
    skipped: usize,
    failed: usize,
}

/// `qiao import docs PATH…`: one line per file (id, encoding, script, title, figures, or why
/// not), in the order given, then a summary. Already imported files are skipped, not failures.
pub async fn docs(store: &Arc<dyn Store>, args: &ImportDocsArgs) -> anyhow::Result<ExitCode> {
    let mut tally = DocTally::default();
    let files = document_files(&args.paths);
    if files.is_empty() {
        eprintln!("no .txt, .html or .htm files found in the paths given");
        return Ok(ExitCode::FAILURE);
    }
    let mut group: Vec<(PathBuf, String, Vec<u8>)> = Vec::new();
    let mut group_bytes = 0;
    for (path, problem) in files {
        let read = match problem {
            Some(problem) => Err(anyhow::anyhow!(problem)),
            None => read_document(&path),
        };
        match read {
            Ok(bytes) => {
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| path.display().to_string());
                group_bytes += bytes.len();
                group.push((path, name, bytes));
                if group.len() >= DOC_GROUP || group_bytes >= DOC_GROUP_BYTES {
                    import_group(store, std::mem::take(&mut group), args.publish, &mut tally).await;
                    group_bytes = 0;
                }
            }
            Err(e) => {
                // Earlier files are reported first.
                import_group(store, std::mem::take(&mut group), args.publish, &mut tally).await;
                group_bytes = 0;
                eprintln!("{}: error: {e}", path.display());
                tally.failed += 1;
            }
        }
    }
    import_group(store, group, args.publish, &mut tally).await;
    let DocTally {
        imported,
        skipped,
        failed,
    } = tally;
    println!("{imported} imported, {skipped} already imported, {failed} failed");
    Ok(if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Imports a group of read files and reports each, in order.
async fn import_group(
    store: &Arc<dyn Store>,
    group: Vec<(PathBuf, String, Vec<u8>)>,
    publish: bool,
    tally: &mut DocTally,
) {
    if group.is_empty() {
        return;
    }
    let (paths, files): (Vec<PathBuf>, Vec<(String, Vec<u8>)>) =
        group.into_iter().map(|(p, n, b)| (p, (n, b))).unzip();
    let results = qiao_app::document_import::import_many(store, files, publish).await;
    for (path, result) in paths.iter().zip(results) {
        let shown = path.display();
        match result {
            Ok(done) => {
                tally.imported += 1;
                let d = &done.record.document;
                println!(
                    "{shown}: document {}, {}, {}, 「{}」, {} figures",
                    done.record.id,
                    d.encoding,
                    d.script,
                    d.title.as_deref().unwrap_or("(no title)"),
                    done.figures
                );
                match (d.state, d.review.len()) {
                    (qiao_store::DocumentState::Published, _) => {}
                    (_, 0) => println!(
                        "{shown}: draft: publish it on its page (or import with --publish)"
                    ),
                    (_, n) => println!(
                        "{shown}: draft for review: {n} lines still look like spam (see its page)"
                    ),
                }
                if !done.undecodable.is_empty() {
                    let at: Vec<String> = done
                        .undecodable
                        .iter()
                        .take(10)
                        .map(|(offset, hex)| format!("byte {offset} ({hex})"))
                        .collect();
                    let more = done.undecodable.len().saturating_sub(at.len());
                    eprintln!(
                        "{shown}: warning: {} spans of bytes are not valid {}: {}{}; stored with U+FFFD in their place",
                        done.undecodable.len(),
                        d.encoding,
                        at.join(", "),
                        if more > 0 {
                            format!(" and {more} more")
                        } else {
                            String::new()
                        }
                    );
                }
            }
            Err(qiao_app::document_import::ImportDocError::Duplicate { existing, .. }) => {
                tally.skipped += 1;
                println!("{shown}: skipped, already imported as document {existing}");
            }
            Err(e) => {
                tally.failed += 1;
                eprintln!("{shown}: error: {e}");
            }
        }
    }
}

fn read_document(path: &Path) -> anyhow::Result<Vec<u8>> {
    let size = std::fs::metadata(path)?.len();
    if size > qiao_docs::MAX_BYTES {
        anyhow::bail!(
            "{size} bytes; documents larger than {} bytes are not read",
            qiao_docs::MAX_BYTES
        );
    }
    Ok(std::fs::read(path)?)
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
                    given: None,
                }));
            }
            // Exports carry the marketplace, not who talked to whom; documents travel as their
            // files (`qiao import docs`), policies and targets in backups and the API, contracts
            // as registry lists (`qiao export contracts`), valuations and applications (which
            // are confidential to their parties) in backups and the API, and so do instruments'
            // slots, bookings and vouchers, and accounts' notification choices.
            BackupItem::Account(_)
            | BackupItem::NotificationPreference { .. }
            | BackupItem::ChallengeFollow { .. }
            | BackupItem::Voucher(_)
            | BackupItem::Slot(_)
            | BackupItem::Valuation(_)
            | BackupItem::Application(_)
            | BackupItem::Message(_)
            | BackupItem::Attachment(_)
            | BackupItem::Token(_)
            | BackupItem::ContactRequest(_)
            | BackupItem::Document(_)
            | BackupItem::Policy(_)
            | BackupItem::Target(_)
            | BackupItem::Deal(_)
            | BackupItem::Contract(_)
            | BackupItem::Setting { .. } => {}
        }
    }
    qiao_io::write_path(file, &records)?;
    println!("exported {} records to {}", records.len(), file.display());
    Ok(ExitCode::SUCCESS)
}
