//! `qiao backup`, `qiao restore` and `qiao check`.
//!
//! A backup is a JSON-lines file: a header line, then one record per line (organisations,
//! accounts, tokens, listings), read in one transaction so it is consistent. It is the same on
//! both backends, so a SQLite database can be restored into PostgreSQL and back.

use std::io::{BufRead, BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};
use qiao_store::{Backup, BackupItem, Store};
use serde_json::json;

const FORMAT: &str = "qiao-backup";
const VERSION: u64 = 1;

pub async fn backup(store: &Arc<dyn Store>, file: &Path) -> anyhow::Result<ExitCode> {
    let backup = store.backup().await?;
    // Write beside the target and rename, so an interrupted backup never leaves a truncated
    // file under the final name.
    let tmp = file.with_extension("partial");
    {
        let mut w = BufWriter::new(
            private_file(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?,
        );
        let header = json!({"format": FORMAT, "version": VERSION, "backend": store.backend().name(),
                            "created_at": chrono::Utc::now().to_rfc3339(), "items": backup.items.len()});
        writeln!(w, "{header}")?;
        for item in &backup.items {
            serde_json::to_writer(&mut w, item)?;
            w.write_all(b"\n")?;
        }
        w.into_inner()?.sync_all()?;
    }
    std::fs::rename(&tmp, file)?;
    println!(
        "backed up {} records to {}",
        backup.items.len(),
        file.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Creates (or truncates) a file only its owner may read and write: a backup holds every
/// account's password hash and every API token's hash, and private fields of listings and
/// organisations; a contract export every contract's parties and amounts. On unix the file is made with mode 0600 (and set to it if it existed).
pub(crate) fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        let file = options.open(path)?;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        Ok(file)
    }
    #[cfg(not(unix))]
    options.open(path)
}

pub async fn restore(store: &Arc<dyn Store>, file: &Path) -> anyhow::Result<ExitCode> {
    let reader = std::io::BufReader::new(
        std::fs::File::open(file).with_context(|| format!("cannot open {}", file.display()))?,
    );
    let mut lines = reader.lines().enumerate();
    let Some((_, header)) = lines.next() else {
        bail!("{} is empty; it is not a Qiao backup", file.display())
    };
    let header: serde_json::Value =
        serde_json::from_str(&header?).context("line 1: not a Qiao backup header")?;
    if header["format"] != FORMAT || header["version"] != VERSION {
        bail!("line 1: not a {FORMAT} version {VERSION} file");
    }
    let mut items = Vec::new();
    for (i, line) in lines {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let item: BackupItem = serde_json::from_str(&line)
            .with_context(|| format!("line {}: not a backup record", i + 1))?;
        items.push(item);
    }
    if header["items"].as_u64() != Some(items.len() as u64) {
        bail!(
            "the header announces {} records but the file holds {}; the backup is incomplete",
            header["items"],
            items.len()
        );
    }
    let n = items.len();
    store.restore(&Backup { items }).await?;
    println!("restored {n} records from {}", file.display());
    Ok(ExitCode::SUCCESS)
}

pub async fn check(store: &Arc<dyn Store>) -> anyhow::Result<ExitCode> {
    let problems = store.integrity_check().await?;
    if problems.is_empty() {
        println!(
            "ok: the {} database passed its integrity check",
            store.backend().name()
        );
        Ok(ExitCode::SUCCESS)
    } else {
        for p in &problems {
            println!("problem: {p}");
        }
        Ok(ExitCode::FAILURE)
    }
}
