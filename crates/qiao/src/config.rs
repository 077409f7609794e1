//! Resolves where the database is, from the command line and environment (clap reads both:
//! flags win over `QIAO_*` variables, which win over defaults), and opens it.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;

/// The database URL to use: `--database` if given, else the SQLite file in the data directory
/// (created with its directory if missing).
pub fn database_url(data_dir: &Path, database: Option<&str>) -> anyhow::Result<String> {
    if let Some(url) = database {
        return Ok(url.to_string());
    }
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("cannot create the data directory {}", data_dir.display()))?;
    Ok(format!("sqlite://{}", data_dir.join("qiao.db").display()))
}

/// The URL with any password replaced, for logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Opens the store named by `--database` / `--data-dir`.
pub async fn open_store(cli: &crate::cli::Cli) -> anyhow::Result<Arc<dyn qiao_store::Store>> {
    let url = database_url(&cli.data_dir, cli.database.as_deref())?;
    qiao_store::open(&url)
        .await
        .with_context(|| format!("cannot open the database {}", redact(&url)))
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            super::redact("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(super::redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(
            super::redact("sqlite://data/qiao.db"),
            "sqlite://data/qiao.db"
        );
    }
}
