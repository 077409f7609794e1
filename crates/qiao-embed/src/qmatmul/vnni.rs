//! The integer products with AVX-512 VNNI.
//!
//! `vpdpbusd` multiplies four unsigned weight bytes by four signed activation bytes and adds
//! the four products into an i32 lane, in one instruction. The AVX-512BW kernel needs two for
//! the same step (`vpmaddubsw` into i16 pairs, then an i16 add) and, at the end of every block,
//! a `vpmaddwd` to widen the pairs. The sums are the same integers (nothing saturates: i32
//! lanes), and what follows them is the same sequence of IEEE operations, so this kernel
//! agrees with the scalar reference bit for bit, like the other.
//!
//! Why the workspace's one `unsafe` is here: `pulp`, which wraps the other kernels'
//! intrinsics safely, has no VNNI entry point. The kernel is a `#[target_feature]` function
//! whose body is safe Rust (intrinsics are safe inside a function that enables their
//! features, and loads are `pulp::cast`s of arrays). Only the call into it, from code
//! compiled without those features, needs `unsafe`; [`matmul`] makes it after checking the
//! CPU at run time, which is the whole of the precondition.

use std::arch::x86_64::{
    _mm512_cvtepi32_ps, _mm512_dpbusd_epi32, _mm512_fmadd_ps, _mm512_mul_ps, _mm512_set1_epi32,
    _mm512_set1_ps, _mm512_setzero_ps, _mm512_setzero_si512, _mm512_sub_epi32,
};
use std::ops::Range;

use pulp::cast;

use super::{
    BLOCK, GROUPS, PANEL, PackedWeights, QBlock, QuantisedRows, Rows, store, tile_shapes, tiles,
};

/// Whether this CPU runs the kernel.
pub fn available() -> bool {
    is_x86_feature_detected!("avx512f")
        && is_x86_feature_detected!("avx512bw")
        && is_x86_feature_detected!("avx512vnni")
}

/// [`super::matmul`] with `vpdpbusd`. Panics if the CPU lacks VNNI ([`available`]).
pub fn matmul(
    x: &QuantisedRows,
    w: &PackedWeights,
    panels: Range<usize>,
    bias: &[f32],
    out: &mut impl Rows,
) {
    assert!(available(), "the VNNI kernel needs AVX-512 F, BW and VNNI");
    // SAFETY: `matmul_vnni` enables avx512f, avx512bw and avx512vnni, and the CPU has all
    // three (checked just above). It has no other precondition: its body is safe code.
    #[allow(unsafe_code)]
    unsafe {
        matmul_vnni(x, w, panels, bias, out);
    }
}

/// The tiles of the product ([`super::tiles`], the loop nest of the AVX-512BW kernel too),
/// each computed with `vpdpbusd`.
#[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
fn matmul_vnni(
    x: &QuantisedRows,
    w: &PackedWeights,
    panels: Range<usize>,
    bias: &[f32],
    out: &mut impl Rows,
) {
    let start = panels.start;
    tiles(x.m, panels, |i, p, mr, nv| {
        macro_rules! tile {
            ($r:literal, $v:literal) => {
                store(tile::<$r, $v>(x, i, w, p, bias), i, p - start, out)
            };
        }
        tile_shapes!(mr, nv, tile);
    });
}

/// Rows `i..i + R` × panels `p..p + V`, in registers: per group of 4 inputs, `V` weight loads,
/// `R` broadcasts and `R·V` `vpdpbusd`; per block, the scaled sums added in f32.
#[inline]
#[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
#[expect(
    clippy::needless_range_loop,
    reason = "the group index walks the weights of V panels and the activations of R rows at once"
)]
fn tile<const R: usize, const V: usize>(
    x: &QuantisedRows,
    i: usize,
    w: &PackedWeights,
    p: usize,
    bias: &[f32],
) -> [[[f32; PANEL]; V]; R] {
    let (groups, blocks) = (w.k / 4, x.blocks);
    debug_assert_eq!(blocks * BLOCK, w.k);
    // Plain loops rather than `array::from_fn` / `map`: those generic helpers are compiled
    // without AVX-512 and, called from here, are not inlined (they showed as 5 % of a
    // passage), so the vectors would pass through memory.
    let mut acc = [[_mm512_setzero_ps(); V]; R];
    for v in 0..V {
        let b: [f32; PANEL] = bias[(p + v) * PANEL..(p + v + 1) * PANEL]
            .try_into()
            .expect("16 biases");
        for row in acc.iter_mut() {
            row[v] = cast(b);
        }
    }
    let (x0, w0, d0) = (i * blocks, p * groups, p * blocks);
    for b in 0..blocks {
        let mut sums = [[_mm512_setzero_si512(); V]; R];
        // As in the BW kernel: a trip count the compiler cannot see keeps this a loop whose
        // working set fits the 32 registers.
        for g in 0..std::hint::black_box(GROUPS) {
            let mut wv = [_mm512_setzero_si512(); V];
            for v in 0..V {
                wv[v] = cast(w.w[w0 + v * groups + b * GROUPS + g]);
            }
            for r in 0..R {
                let xv = _mm512_set1_epi32(x.q[x0 + r * blocks + b].q[g]);
                for v in 0..V {
                    sums[r][v] = _mm512_dpbusd_epi32(sums[r][v], wv[v], xv);
                }
            }
        }
        for r in 0..R {
            let xb: &QBlock = &x.q[x0 + r * blocks + b];
            let scale = _mm512_set1_ps(xb.scale);
            let offset = _mm512_set1_epi32(xb.offset);
            for v in 0..V {
                let s32 = _mm512_sub_epi32(sums[r][v], offset);
                let ds = _mm512_mul_ps(cast(w.d[d0 + v * blocks + b]), scale);
                acc[r][v] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(s32), ds, acc[r][v]);
            }
        }
    }
    let mut out = [[[0f32; PANEL]; V]; R];
    for r in 0..R {
        for v in 0..V {
            out[r][v] = cast(acc[r][v]);
        }
    }
    out
}
