//! Q4_0 dequantisation: blocks of 32 weights stored as an f16 scale `d` and 16 bytes, byte `j`
//! holding weight `j` in its low nibble and weight `j + 16` in its high nibble; a weight is
//! `(nibble - 8) * d`.
//!
//! The layers' matrices are never dequantised: [`crate::qmatmul`] repacks their 4-bit values
//! and multiplies in integers. The word embeddings (250,037 × 384) stay quantised too, 54 MB
//! instead of 384 MB as f32, and only the rows a text looks up are dequantised here.

use crate::container::Q4_BLOCK_BYTES;

/// An IEEE half-precision value as f32 (exact: every f16 is an f32).
pub fn f16_to_f32(h: u16) -> f32 {
    let sign = ((h >> 15) as u32) << 31;
    let exp = ((h >> 10) & 0x1f) as u32;
    let frac = (h & 0x3ff) as u32;
    let bits = match (exp, frac) {
        (0, 0) => sign,
        // Subnormal: value = frac * 2^-24.
        (0, f) => {
            let v = f as f32 * (1.0 / 16_777_216.0);
            return if sign != 0 { -v } else { v };
        }
        (0x1f, 0) => sign | 0x7f80_0000,
        (0x1f, f) => sign | 0x7fc0_0000 | (f << 13),
        (e, f) => sign | ((e + 127 - 15) << 23) | (f << 13),
    };
    f32::from_bits(bits)
}

/// Dequantises whole Q4_0 blocks from `src` into `dst` (32 values per 18 bytes).
pub fn dequantise(src: &[u8], dst: &mut [f32]) {
    debug_assert_eq!(src.len() / Q4_BLOCK_BYTES * 32, dst.len());
    for (block, out) in src
        .chunks_exact(Q4_BLOCK_BYTES)
        .zip(dst.chunks_exact_mut(32))
    {
        let d = f16_to_f32(u16::from_le_bytes([block[0], block[1]]));
        let (lo, hi) = out.split_at_mut(16);
        for (j, &q) in block[2..].iter().enumerate() {
            lo[j] = ((q & 0x0f) as i32 - 8) as f32 * d;
            hi[j] = ((q >> 4) as i32 - 8) as f32 * d;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_precision_values() {
        assert_eq!(f16_to_f32(0x3c00), 1.0);
        assert_eq!(f16_to_f32(0xc000), -2.0);
        assert_eq!(f16_to_f32(0x3555), 0.333_251_95);
        assert_eq!(f16_to_f32(0x0001), 5.960_464_5e-8);
        assert_eq!(f16_to_f32(0x7bff), 65504.0);
        assert!(f16_to_f32(0x7c00).is_infinite());
        assert_eq!(f16_to_f32(0x8000), 0.0);
    }

    #[test]
    fn q4_block_nibble_order() {
        // Scale 0.5; byte j = low nibble j mod 16, high nibble 15 - (j mod 16).
        let mut block = vec![0x00, 0x38];
        block.extend((0u8..16).map(|j| j | ((15 - j) << 4)));
        let mut out = [0f32; 32];
        dequantise(&block, &mut out);
        for j in 0..16 {
            assert_eq!(out[j], (j as f32 - 8.0) * 0.5, "weight {j}");
            assert_eq!(out[j + 16], (7.0 - j as f32) * 0.5, "weight {}", j + 16);
        }
    }
}
