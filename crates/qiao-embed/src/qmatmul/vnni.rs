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
    __m512, __m512i, _mm512_cvtepi32_ps, _mm512_dpbusd_epi32, _mm512_fmadd_ps, _mm512_mul_ps,
    _mm512_set1_epi32, _mm512_set1_ps, _mm512_setzero_si512, _mm512_sub_epi32,
};
use std::ops::Range;

use pulp::cast;

use super::{
    BLOCK, GROUPS, MR, NV, PANEL, PackedWeights, QBlock, QuantisedRows, Rows, tile_shapes,
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

/// The loop nest of the AVX-512BW kernel (`matmul_v4`): panel tiles outside, row tiles
/// inside, so a tile's weights stay in cache while every row passes over them.
#[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
fn matmul_vnni(
    x: &QuantisedRows,
    w: &PackedWeights,
    panels: Range<usize>,
    bias: &[f32],
    out: &mut impl Rows,
) {
    let mut p = panels.start;
    while p < panels.end {
        let nv = (panels.end - p).min(NV);
        let mut i = 0;
        while i < x.m {
            let mr = (x.m - i).min(MR);
            let at = p - panels.start;
            macro_rules! tile {
                ($r:literal, $v:literal) => {
                    store(tile::<$r, $v>(x, i, w, p, bias), i, at, out)
                };
            }
            tile_shapes!(mr, nv, tile);
            i += mr;
        }
        p += nv;
    }
}

#[inline]
fn store<const R: usize, const V: usize>(
    acc: [[[f32; PANEL]; V]; R],
    i: usize,
    panel: usize,
    out: &mut impl Rows,
) {
    for (r, row) in acc.iter().enumerate() {
        let dst = &mut out.row(i + r)[panel * PANEL..(panel + V) * PANEL];
        for (v, lanes) in row.iter().enumerate() {
            dst[v * PANEL..(v + 1) * PANEL].copy_from_slice(lanes);
        }
    }
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
    let xs: [&[QBlock]; R] = std::array::from_fn(|r| x.row(i + r));
    let ws: [&[[u8; 64]]; V] =
        std::array::from_fn(|v| &w.w[(p + v) * groups..(p + v + 1) * groups]);
    let ds: [&[[f32; PANEL]]; V] =
        std::array::from_fn(|v| &w.d[(p + v) * blocks..(p + v + 1) * blocks]);
    let mut acc: [[__m512; V]; R] = [std::array::from_fn(|v| {
        let b: [f32; PANEL] = bias[(p + v) * PANEL..(p + v + 1) * PANEL]
            .try_into()
            .expect("16 biases");
        cast(b)
    }); R];
    for b in 0..blocks {
        let wb: [&[[u8; 64]; GROUPS]; V] = std::array::from_fn(|v| {
            ws[v][b * GROUPS..(b + 1) * GROUPS]
                .try_into()
                .expect("a block's groups")
        });
        let xb: [&QBlock; R] = std::array::from_fn(|r| &xs[r][b]);
        let mut sums: [[__m512i; V]; R] = [[_mm512_setzero_si512(); V]; R];
        // As in the BW kernel: a trip count the compiler cannot see keeps this a loop whose
        // working set fits the 32 registers.
        for g in 0..std::hint::black_box(GROUPS) {
            let wv: [__m512i; V] = std::array::from_fn(|v| cast(wb[v][g]));
            for r in 0..R {
                let xv = _mm512_set1_epi32(xb[r].q[g]);
                for v in 0..V {
                    sums[r][v] = _mm512_dpbusd_epi32(sums[r][v], wv[v], xv);
                }
            }
        }
        let dv: [__m512; V] = std::array::from_fn(|v| cast(ds[v][b]));
        for r in 0..R {
            let scale = _mm512_set1_ps(xb[r].scale);
            let offset = _mm512_set1_epi32(xb[r].offset);
            for v in 0..V {
                let s32 = _mm512_sub_epi32(sums[r][v], offset);
                let ds = _mm512_mul_ps(dv[v], scale);
                acc[r][v] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(s32), ds, acc[r][v]);
            }
        }
    }
    acc.map(|row| row.map(cast))
}
