//! Products of activations with the Q4_0 weights in integer arithmetic: `y = x · wᵀ + b` for
//! every linear layer of the encoder.
//!
//! Why integers: a ~200-token passage costs ~4.4 G multiply-adds in these products. In f32 a
//! core does 16 of them per cycle (AVX2 FMA); with 8-bit integers AVX-512BW's `vpmaddubsw`
//! does 64 per instruction, and the weights take a quarter of the bytes, which is what bounds
//! a short query. The numbers are those of the wheel's own engine (ggml-style Q4_0 × Q8_0):
//!
//! - Weights keep their 4-bit values `q` (−8..7) and per-block f16 scales exactly; they are
//!   stored one per byte as `q + 8` (0..15, unsigned, as `vpmaddubsw` wants its first operand)
//!   and repacked into *panels* of 16 outputs: for each group of 4 inputs, 16 × 4 bytes, so one
//!   64-byte load feeds 16 output lanes (see [`PackedWeights`]).
//! - Activations are quantised per row and per block of 32 inputs to i8 (−127..127) with an
//!   f32 scale, at every product ([`QuantisedRows`]). Since the weights carry `+ 8`, a block's
//!   integer sum is `Σ (q + 8)·x = Σ q·x + 8·Σ x`; the second term is subtracted per block.
//! - Within a block the sums stay exact: a pair product is at most 2·15·127 = 3810, and the
//!   eight 4-input steps of a block add up to at most 30,480 in i16 lanes (no saturation). Each
//!   block's i32 sum is then turned into f32 and added with `fma(sum, d·s, acc)`.
//!
//! The micro-kernel ([`tile_v4`]) keeps a tile of `MR` rows × `NV` panels in registers: per
//! group of 4 inputs it loads `NV` weight vectors and `MR` broadcast activations and does
//! `MR·NV` multiply-adds, so each load is used several times. It is written with `pulp`'s
//! safe wrappers of the AVX-512 intrinsics and runs inside `V4::vectorize`, which checks the
//! CPU at run time (so this kernel needs no `unsafe`). Without AVX-512, [`tile_v3`] does the
//! same with AVX2's 256-bit `vpmaddubsw`, a panel as two halves (x86-64-v3: the servers
//! without AVX-512, such as AMD EPYC before Zen 4; the scalar code ran 16 times slower there).
//! Without either the same arithmetic runs as plain scalar code ([`tile_scalar`]), which also
//! serves the tests as the exact reference: every path performs the same IEEE operations in
//! the same order, so they agree bit for bit.
//! Where the CPU also has AVX-512 VNNI, [`vnni`] does each 4-input step in one `vpdpbusd`
//! instead of two instructions, with the same sums; it holds the workspace's one `unsafe`.

use std::ops::Range;

use crate::container::Q4_BLOCK_BYTES;
use crate::quant::f16_to_f32;

/// Outputs per panel: one 512-bit vector of i32/f32 lanes.
pub const PANEL: usize = 16;
/// Inputs per quantisation block (Q4_0 and the activations alike).
pub const BLOCK: usize = 32;
/// Groups of 4 inputs per block.
const GROUPS: usize = BLOCK / 4;

/// A [n, k] Q4_0 matrix repacked for [`matmul`]; `n` a multiple of 16, `k` of 32.
pub struct PackedWeights {
    n: usize,
    k: usize,
    /// Per panel, per group of 4 inputs: output `l`'s weights `4g..4g + 4` at bytes
    /// `4l..4l + 4`, each `q + 8`. Index `panel · k/4 + group`.
    w: Vec<[u8; 64]>,
    /// Per panel, per block: the 16 outputs' scales. Index `panel · k/32 + block`.
    d: Vec<[f32; PANEL]>,
}

impl PackedWeights {
    /// Repacks Q4_0 rows (`n` rows of `k / 32` blocks of 18 bytes). `None` if the shape does
    /// not fit the panels (`n` not a multiple of 16, `k` not of 32) or the bytes do not match.
    pub fn from_q4(src: &[u8], n: usize, k: usize) -> Option<PackedWeights> {
        if !n.is_multiple_of(PANEL)
            || !k.is_multiple_of(BLOCK)
            || src.len() != n * k / BLOCK * Q4_BLOCK_BYTES
        {
            return None;
        }
        let (groups, blocks) = (k / 4, k / BLOCK);
        let mut w = vec![[0u8; 64]; n / PANEL * groups];
        let mut d = vec![[0f32; PANEL]; n / PANEL * blocks];
        let row_bytes = blocks * Q4_BLOCK_BYTES;
        for (j, row) in src.chunks_exact(row_bytes).enumerate() {
            let (panel, lane) = (j / PANEL, j % PANEL);
            for (b, block) in row.chunks_exact(Q4_BLOCK_BYTES).enumerate() {
                d[panel * blocks + b][lane] = f16_to_f32(u16::from_le_bytes([block[0], block[1]]));
                // Byte i of a block holds weight i (low nibble) and weight i + 16 (high).
                let mut q = [0u8; BLOCK];
                for (i, &byte) in block[2..].iter().enumerate() {
                    q[i] = byte & 0x0f;
                    q[i + 16] = byte >> 4;
                }
                for g in 0..GROUPS {
                    let dst = &mut w[panel * groups + b * GROUPS + g];
                    dst[4 * lane..4 * lane + 4].copy_from_slice(&q[4 * g..4 * g + 4]);
                }
            }
        }
        Some(PackedWeights { n, k, w, d })
    }

    /// Outputs (rows of the original matrix).
    pub fn rows(&self) -> usize {
        self.n
    }

    /// Inputs (columns of the original matrix).
    pub fn cols(&self) -> usize {
        self.k
    }

    /// The weights as f32, [n, k] row-major (for tests and comparisons).
    pub fn dequantised(&self) -> Vec<f32> {
        let (groups, blocks) = (self.k / 4, self.k / BLOCK);
        let mut out = vec![0f32; self.n * self.k];
        for (j, row) in out.chunks_exact_mut(self.k).enumerate() {
            let (panel, lane) = (j / PANEL, j % PANEL);
            for (i, v) in row.iter_mut().enumerate() {
                let q = self.w[panel * groups + i / 4][4 * lane + i % 4];
                *v = (i32::from(q) - 8) as f32 * self.d[panel * blocks + i / BLOCK][lane];
            }
        }
        out
    }
}

/// One block of 32 quantised activations.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QBlock {
    /// The values as i8, four to an i32 (little-endian), so one group broadcasts as one lane.
    q: [i32; GROUPS],
    /// `x ≈ q · scale`.
    scale: f32,
    /// `8 · Σ q`: what the `+ 8` of the stored weights adds to the block's sum.
    offset: i32,
}

/// Activations [m, k] quantised per row and per block of 32 (Q8_0).
pub struct QuantisedRows {
    m: usize,
    blocks: usize,
    /// Index `row · k/32 + block`.
    q: Vec<QBlock>,
}

impl QuantisedRows {
    /// Quantises `m` rows of `k` values (`k` a multiple of 32), row-major in `x`.
    pub fn new(x: &[f32], k: usize) -> QuantisedRows {
        assert!(
            k.is_multiple_of(BLOCK) && x.len().is_multiple_of(k),
            "rows of whole blocks"
        );
        #[cfg(target_arch = "x86_64")]
        let q = match pulp::x86::V4::try_new() {
            Some(simd) => simd.vectorize(Quantise { simd, x }),
            // With AVX2 (or less) the plain loops, vectorised as wide as the CPU allows.
            None => crate::vecmath::wide(
                #[inline(always)]
                || quantise_all(x),
            ),
        };
        #[cfg(not(target_arch = "x86_64"))]
        let q = quantise_all(x);
        QuantisedRows {
            m: x.len() / k,
            blocks: k / BLOCK,
            q,
        }
    }

    /// Rows.
    pub fn rows(&self) -> usize {
        self.m
    }

    fn row(&self, i: usize) -> &[QBlock] {
        &self.q[i * self.blocks..(i + 1) * self.blocks]
    }
}

#[inline(always)]
fn quantise_all(x: &[f32]) -> Vec<QBlock> {
    let mut out = Vec::with_capacity(x.len() / BLOCK);
    for b in x.chunks_exact(BLOCK) {
        out.push(quantise_block(b.try_into().expect("32 values")));
    }
    out
}

/// [`quantise_all`] with AVX-512, for `V4::vectorize` (see [`Product`] for why not a
/// closure). Written with intrinsics: left to itself, the compiler turns the 32-value block
/// into a tangle of scalar shuffles.
#[cfg(target_arch = "x86_64")]
struct Quantise<'a> {
    simd: pulp::x86::V4,
    x: &'a [f32],
}

#[cfg(target_arch = "x86_64")]
impl pulp::NullaryFnOnce for Quantise<'_> {
    type Output = Vec<QBlock>;

    #[inline(always)]
    fn call(self) -> Vec<QBlock> {
        let mut out = Vec::with_capacity(self.x.len() / BLOCK);
        for b in self.x.chunks_exact(BLOCK) {
            out.push(quantise_block_v4(self.simd, b));
        }
        out
    }
}

/// [`quantise_block`] with AVX-512: the same operations on two vectors of 16, so the same
/// results bit for bit.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn quantise_block_v4(simd: pulp::x86::V4, x: &[f32]) -> QBlock {
    use crate::vecmath::ROUND;
    use core::arch::x86_64::__m512;
    use pulp::cast;
    let f = simd.avx512f;
    let half = |h: usize| -> __m512 {
        let a: [f32; 16] = x[16 * h..16 * h + 16].try_into().expect("32 values");
        cast(a)
    };
    let (lo, hi) = (half(0), half(1));
    let amax = f._mm512_reduce_max_ps(f._mm512_max_ps(f._mm512_abs_ps(lo), f._mm512_abs_ps(hi)));
    let scale = amax / 127.0;
    let inv = if amax > 0.0 { 127.0 / amax } else { 0.0 };
    let (vinv, round) = (f._mm512_set1_ps(inv), f._mm512_set1_ps(ROUND));
    let bias = f._mm512_set1_epi32(ROUND.to_bits() as i32);
    let ints = |v: __m512| {
        let shifted = f._mm512_add_ps(f._mm512_mul_ps(v, vinv), round);
        f._mm512_sub_epi32(f._mm512_castps_si512(shifted), bias)
    };
    let (qlo, qhi) = (ints(lo), ints(hi));
    let sum = f._mm512_reduce_add_epi32(f._mm512_add_epi32(qlo, qhi));
    let blo: [i32; 4] = cast(f._mm512_cvtepi32_epi8(qlo));
    let bhi: [i32; 4] = cast(f._mm512_cvtepi32_epi8(qhi));
    QBlock {
        q: [
            blo[0], blo[1], blo[2], blo[3], bhi[0], bhi[1], bhi[2], bhi[3],
        ],
        scale,
        offset: 8 * sum,
    }
}

/// Q8_0 of one block: scale `max |x| / 127`, values rounded to the nearest (ties to even, by
/// adding 1.5·2²³, see [`ROUND`](crate::vecmath::ROUND): `round_ties_even` is a libm call below
/// SSE4.1, and this stays vector code in every build). Loops without iterator closures, so that all of it is
/// inlined into the AVX-512 caller.
#[inline(always)]
fn quantise_block(x: &[f32; BLOCK]) -> QBlock {
    use crate::vecmath::ROUND;
    // `if a > m` rather than `f32::max`, whose NaN rule keeps the compiler from `vmaxps`.
    let mut lanes = [0f32; BLOCK / 2];
    for (l, m) in lanes.iter_mut().enumerate() {
        let (a, b) = (x[l].abs(), x[l + BLOCK / 2].abs());
        *m = if a > b { a } else { b };
    }
    let mut amax = 0f32;
    for &v in &lanes {
        amax = if v > amax { v } else { amax };
    }
    let scale = amax / 127.0;
    let inv = if amax > 0.0 { 127.0 / amax } else { 0.0 };
    let mut ints = [0i32; BLOCK];
    for (q, &v) in ints.iter_mut().zip(x) {
        // The integer read from the mantissa bits (`as i32` would not vectorise).
        *q = (v * inv + ROUND).to_bits().wrapping_sub(ROUND.to_bits()) as i32;
    }
    let mut sum = 0i32;
    for &q in &ints {
        sum += q;
    }
    let mut q = [0i32; GROUPS];
    for (g, word) in q.iter_mut().enumerate() {
        *word = (ints[4 * g] & 0xff)
            | (ints[4 * g + 1] & 0xff) << 8
            | (ints[4 * g + 2] & 0xff) << 16
            | (ints[4 * g + 3] & 0xff) << 24;
    }
    QBlock {
        q,
        scale,
        offset: 8 * sum,
    }
}

#[cfg(target_arch = "x86_64")]
mod vnni;

/// Which code runs the products. All four give the same results bit for bit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kernel {
    /// AVX-512 VNNI (`vpdpbusd`, [`vnni`]), chosen at run time when the CPU has it.
    Vnni,
    /// AVX-512 (F + BW), chosen at run time when the CPU has it and not VNNI.
    Avx512,
    /// AVX2 + FMA (x86-64-v3: most x86 servers without AVX-512, such as AMD EPYC before
    /// Zen 4), chosen at run time when the CPU has it and not AVX-512.
    Avx2,
    /// Plain scalar code: the same arithmetic, one lane at a time.
    Scalar,
}

impl Kernel {
    /// The fastest kernel this CPU runs, unless `QIAO_EMBED_KERNEL` names a slower one
    /// (`avx512`, `avx2` or `scalar`: for measuring what each kernel is worth).
    pub fn best() -> Kernel {
        let fastest = Kernel::fastest();
        match std::env::var("QIAO_EMBED_KERNEL").as_deref() {
            Ok("scalar") => Kernel::Scalar,
            Ok("avx512") if matches!(fastest, Kernel::Vnni | Kernel::Avx512) => Kernel::Avx512,
            Ok("avx2") if fastest != Kernel::Scalar => Kernel::Avx2,
            _ => fastest,
        }
    }

    fn fastest() -> Kernel {
        #[cfg(target_arch = "x86_64")]
        {
            if pulp::x86::V4::try_new().is_some() {
                return if vnni::available() {
                    Kernel::Vnni
                } else {
                    Kernel::Avx512
                };
            }
            if pulp::x86::V3::try_new().is_some() {
                return Kernel::Avx2;
            }
        }
        Kernel::Scalar
    }

    /// The kernel's name, as `QIAO_EMBED_KERNEL` spells it.
    pub fn name(self) -> &'static str {
        match self {
            Kernel::Vnni => "vnni",
            Kernel::Avx512 => "avx512",
            Kernel::Avx2 => "avx2",
            Kernel::Scalar => "scalar",
        }
    }
}

/// A destination for the rows of a product: row `i`'s outputs of the panels being computed.
pub trait Rows {
    /// The outputs of row `i`, starting at the first panel of the range.
    fn row(&mut self, i: usize) -> &mut [f32];
}

impl Rows for ndarray::ArrayViewMut2<'_, f32> {
    fn row(&mut self, i: usize) -> &mut [f32] {
        self.row_mut(i)
            .into_slice()
            .expect("rows of a column range are contiguous")
    }
}

/// Panels per register tile of the AVX-512 kernels, and rows. A product split over threads
/// is best split at a multiple of `NV` panels ([`TILE_PANELS`]): the remainder runs in
/// narrower tiles, which reuse each activation load less.
const NV: usize = 3;
const MR: usize = 4;

/// Panels per register tile (see [`NV`]).
pub const TILE_PANELS: usize = NV;

/// Runs `$tile!(R, V)` for the tile of `$mr` rows (1..=4) × `$nv` panels (1..=3): one
/// instance of the kernel per shape, so that the remainders of a product (the last rows, the
/// last panels) still keep their tile in registers.
macro_rules! tile_shapes {
    ($mr:expr, $nv:expr, $tile:ident) => {
        match ($mr, $nv) {
            (4, 3) => $tile!(4, 3),
            (3, 3) => $tile!(3, 3),
            (2, 3) => $tile!(2, 3),
            (1, 3) => $tile!(1, 3),
            (4, 2) => $tile!(4, 2),
            (3, 2) => $tile!(3, 2),
            (2, 2) => $tile!(2, 2),
            (1, 2) => $tile!(1, 2),
            (4, 1) => $tile!(4, 1),
            (3, 1) => $tile!(3, 1),
            (2, 1) => $tile!(2, 1),
            (_, _) => $tile!(1, 1),
        }
    };
}
use tile_shapes;

/// `out = x · wᵀ + bias` for the outputs of `panels` (16 each); `out.row(i)` receives row
/// `i`'s outputs `16 · panels.start ..`, and `bias` holds all `n` biases.
pub fn matmul(
    kernel: Kernel,
    x: &QuantisedRows,
    w: &PackedWeights,
    panels: Range<usize>,
    bias: &[f32],
    out: &mut impl Rows,
) {
    assert_eq!(x.blocks * BLOCK, w.k, "inputs of x and w");
    assert!(panels.end * PANEL <= w.n && bias.len() == w.n);
    match kernel {
        #[cfg(target_arch = "x86_64")]
        Kernel::Avx512 => {
            let simd = pulp::x86::V4::try_new().expect("Kernel::best checked the CPU");
            simd.vectorize(Product {
                simd,
                x,
                w,
                panels,
                bias,
                out,
            });
        }
        #[cfg(target_arch = "x86_64")]
        Kernel::Vnni => vnni::matmul(x, w, panels, bias, out),
        #[cfg(target_arch = "x86_64")]
        Kernel::Avx2 => {
            let simd = pulp::x86::V3::try_new().expect("Kernel::best checked the CPU");
            simd.vectorize(Product {
                simd,
                x,
                w,
                panels,
                bias,
                out,
            });
        }
        #[cfg(not(target_arch = "x86_64"))]
        Kernel::Avx512 | Kernel::Vnni | Kernel::Avx2 => {
            unreachable!("Kernel::best never picks an x86 kernel off x86-64")
        }
        Kernel::Scalar => {
            for i in 0..x.m {
                let row = out.row(i);
                for (o, p) in panels.clone().enumerate() {
                    let acc = tile_scalar(x.row(i), w, p, &bias[p * PANEL..(p + 1) * PANEL]);
                    row[o * PANEL..(o + 1) * PANEL].copy_from_slice(&acc);
                }
            }
        }
    }
}

/// One row × one panel, lane by lane, in the order of operations of [`tile_v4`].
fn tile_scalar(x: &[QBlock], w: &PackedWeights, p: usize, bias: &[f32]) -> [f32; PANEL] {
    let (groups, blocks) = (w.k / 4, w.k / BLOCK);
    let mut acc: [f32; PANEL] = bias.try_into().expect("16 biases");
    for (b, xb) in x.iter().enumerate() {
        let d = &w.d[p * blocks + b];
        for (l, a) in acc.iter_mut().enumerate() {
            let mut sum = 0i32;
            for g in 0..GROUPS {
                let wg = &w.w[p * groups + b * GROUPS + g][4 * l..4 * l + 4];
                let xg = xb.q[g].to_le_bytes();
                for (&wv, &xv) in wg.iter().zip(&xg) {
                    sum += i32::from(wv) * i32::from(xv as i8);
                }
            }
            *a = ((sum - xb.offset) as f32).mul_add(d[l] * xb.scale, *a);
        }
    }
    acc
}

/// A product as the operation `vectorize` runs with the CPU's features enabled: `simd` is
/// pulp's token for them ([`matmul_v4`] with `V4`, [`matmul_v3`] with `V3`). A struct with an
/// `#[inline(always)]` call rather than a closure: a closure this large is not inlined into
/// pulp's target-feature function, and then the intrinsics run as out-of-line calls.
#[cfg(target_arch = "x86_64")]
struct Product<'a, S, O> {
    simd: S,
    x: &'a QuantisedRows,
    w: &'a PackedWeights,
    panels: Range<usize>,
    bias: &'a [f32],
    out: &'a mut O,
}

#[cfg(target_arch = "x86_64")]
impl<O: Rows> pulp::NullaryFnOnce for Product<'_, pulp::x86::V4, O> {
    type Output = ();

    #[inline(always)]
    fn call(self) {
        matmul_v4(self.simd, self.x, self.w, self.panels, self.bias, self.out);
    }
}

#[cfg(target_arch = "x86_64")]
impl<O: Rows> pulp::NullaryFnOnce for Product<'_, pulp::x86::V3, O> {
    type Output = ();

    #[inline(always)]
    fn call(self) {
        matmul_v3(self.simd, self.x, self.w, self.panels, self.bias, self.out);
    }
}

#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn matmul_v4(
    simd: pulp::x86::V4,
    x: &QuantisedRows,
    w: &PackedWeights,
    panels: Range<usize>,
    bias: &[f32],
    out: &mut impl Rows,
) {
    let start = panels.start;
    tiles(
        x.m,
        panels,
        #[inline(always)]
        |i, p, mr, nv| {
            macro_rules! tile {
                ($r:literal, $v:literal) => {
                    store(tile_v4::<$r, $v>(simd, x, i, w, p, bias), i, p - start, out)
                };
            }
            tile_shapes!(mr, nv, tile);
        },
    );
}

/// The loop nest both AVX-512 kernels share: `each(i, p, rows, panels)` for every tile of up
/// to `MR` rows from row `i` × up to `NV` panels from panel `p`. Panel tiles outside, row tiles
/// inside: a tile's weights (NV panels, ≤ 72 KB) stay in L1/L2 while every row passes over
/// them, and all rows' activations fit in L2.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn tiles(m: usize, panels: Range<usize>, each: impl FnMut(usize, usize, usize, usize)) {
    tiles_of(NV, m, panels, each);
}

/// [`tiles`] with tiles of at most `max_panels` panels.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn tiles_of(
    max_panels: usize,
    m: usize,
    panels: Range<usize>,
    mut each: impl FnMut(usize, usize, usize, usize),
) {
    let mut p = panels.start;
    while p < panels.end {
        let nv = (panels.end - p).min(max_panels);
        let mut i = 0;
        while i < m {
            let mr = (m - i).min(MR);
            each(i, p, mr, nv);
            i += mr;
        }
        p += nv;
    }
}

/// Writes a tile's outputs: rows `i..i + R`, panels `panel..panel + V` of the range.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
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

/// Rows `i..i + R` × panels `p..p + V`, in registers. See the module docs for the arithmetic.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
#[expect(
    clippy::needless_range_loop,
    reason = "the group index walks the weights of V panels and the activations of R rows at once"
)]
fn tile_v4<const R: usize, const V: usize>(
    simd: pulp::x86::V4,
    x: &QuantisedRows,
    i: usize,
    w: &PackedWeights,
    p: usize,
    bias: &[f32],
) -> [[[f32; PANEL]; V]; R] {
    use core::arch::x86_64::{__m512, __m512i};
    use pulp::cast;
    let (f, bw) = (simd.avx512f, simd.avx512bw);
    let (groups, blocks) = (w.k / 4, x.blocks);
    let xs: [&[QBlock]; R] = std::array::from_fn(|r| x.row(i + r));
    let ws: [&[[u8; 64]]; V] =
        std::array::from_fn(|v| &w.w[(p + v) * groups..(p + v + 1) * groups]);
    let ds: [&[[f32; PANEL]]; V] =
        std::array::from_fn(|v| &w.d[(p + v) * blocks..(p + v + 1) * blocks]);
    let ones = f._mm512_set1_epi16(1);
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
        let mut sums: [[__m512i; V]; R] = [[f._mm512_setzero_si512(); V]; R];
        // A trip count the compiler cannot see: fully unrolled, the eight groups' loads are
        // hoisted and spilled to the stack; as a loop, the tile's sums, one group's weights
        // and a broadcast fit in the 32 registers.
        for g in 0..std::hint::black_box(GROUPS) {
            let wv: [__m512i; V] = std::array::from_fn(|v| cast(wb[v][g]));
            for r in 0..R {
                let xv = f._mm512_set1_epi32(xb[r].q[g]);
                for v in 0..V {
                    let prod = bw._mm512_maddubs_epi16(wv[v], xv);
                    sums[r][v] = bw._mm512_add_epi16(sums[r][v], prod);
                }
            }
        }
        let dv: [__m512; V] = std::array::from_fn(|v| cast(ds[v][b]));
        for r in 0..R {
            let scale = f._mm512_set1_ps(xb[r].scale);
            let offset = f._mm512_set1_epi32(xb[r].offset);
            for v in 0..V {
                let s32 = f._mm512_sub_epi32(bw._mm512_madd_epi16(sums[r][v], ones), offset);
                let ds = f._mm512_mul_ps(dv[v], scale);
                acc[r][v] = f._mm512_fmadd_ps(f._mm512_cvtepi32_ps(s32), ds, acc[r][v]);
            }
        }
    }
    acc.map(|row| row.map(cast))
}

/// The AVX2 kernel: the loop nest of the AVX-512 ones with tiles one panel wide. A panel's
/// 16 lanes are two 256-bit vectors, and AVX2 has 16 registers, not 32: a tile of 4 rows ×
/// 1 panel keeps its 8 block sums, one group's 2 weight vectors and a broadcast in registers.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn matmul_v3(
    simd: pulp::x86::V3,
    x: &QuantisedRows,
    w: &PackedWeights,
    panels: Range<usize>,
    bias: &[f32],
    out: &mut impl Rows,
) {
    let start = panels.start;
    tiles_of(
        1,
        x.m,
        panels,
        #[inline(always)]
        |i, p, mr, _| {
            macro_rules! tile {
                ($r:literal) => {
                    store(tile_v3::<$r>(simd, x, i, w, p, bias), i, p - start, out)
                };
            }
            match mr {
                4 => tile!(4),
                3 => tile!(3),
                2 => tile!(2),
                _ => tile!(1),
            }
        },
    );
}

/// Rows `i..i + R` × panel `p` with AVX2: [`tile_v4`]'s operations on two halves of 8 lanes,
/// so the same results bit for bit.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
#[expect(
    clippy::needless_range_loop,
    reason = "the group index walks the weights and the activations of R rows at once"
)]
fn tile_v3<const R: usize>(
    simd: pulp::x86::V3,
    x: &QuantisedRows,
    i: usize,
    w: &PackedWeights,
    p: usize,
    bias: &[f32],
) -> [[[f32; PANEL]; 1]; R] {
    use core::arch::x86_64::{__m256, __m256i};
    use pulp::cast;
    let (avx, avx2, fma) = (simd.avx, simd.avx2, simd.fma);
    let (groups, blocks) = (w.k / 4, x.blocks);
    let xs: [&[QBlock]; R] = std::array::from_fn(|r| x.row(i + r));
    let ws = &w.w[p * groups..(p + 1) * groups];
    let ds = &w.d[p * blocks..(p + 1) * blocks];
    let ones = avx._mm256_set1_epi16(1);
    let b: [f32; PANEL] = bias[p * PANEL..(p + 1) * PANEL]
        .try_into()
        .expect("16 biases");
    let mut acc: [[__m256; 2]; R] = [cast(b); R];
    for b in 0..blocks {
        let wb: &[[u8; 64]; GROUPS] = ws[b * GROUPS..(b + 1) * GROUPS]
            .try_into()
            .expect("a block's groups");
        let xb: [&QBlock; R] = std::array::from_fn(|r| &xs[r][b]);
        let mut sums: [[__m256i; 2]; R] = [[avx._mm256_setzero_si256(); 2]; R];
        // A loop, not unrolled (see `tile_v4`).
        for g in 0..std::hint::black_box(GROUPS) {
            let wv: [__m256i; 2] = cast(wb[g]);
            for r in 0..R {
                let xv = avx._mm256_set1_epi32(xb[r].q[g]);
                for h in 0..2 {
                    let prod = avx2._mm256_maddubs_epi16(wv[h], xv);
                    sums[r][h] = avx2._mm256_add_epi16(sums[r][h], prod);
                }
            }
        }
        let dv: [__m256; 2] = cast(ds[b]);
        for r in 0..R {
            let scale = avx._mm256_set1_ps(xb[r].scale);
            let offset = avx._mm256_set1_epi32(xb[r].offset);
            for h in 0..2 {
                let s32 = avx2._mm256_sub_epi32(avx2._mm256_madd_epi16(sums[r][h], ones), offset);
                let d = avx._mm256_mul_ps(dv[h], scale);
                acc[r][h] = fma._mm256_fmadd_ps(avx._mm256_cvtepi32_ps(s32), d, acc[r][h]);
            }
        }
    }
    acc.map(|halves| [cast(halves)])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fixed-seed sequence of pseudo-random values in [-1, 1).
    fn noise(seed: u64, n: usize) -> Vec<f32> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s = s
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                ((s >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
            })
            .collect()
    }

    /// Q4_0 bytes of `n` random rows of `k`, with scales varying from block to block.
    fn random_q4(seed: u64, n: usize, k: usize) -> Vec<u8> {
        let v = noise(seed, n * k);
        let mut out = Vec::new();
        for (bi, block) in v.chunks_exact(BLOCK).enumerate() {
            let d = 0.01 + 0.002 * (bi % 7) as f32;
            out.extend_from_slice(&f32_to_f16(d).to_le_bytes());
            let q: Vec<u8> = block
                .iter()
                .map(|x| ((x * 8.0).floor() as i32 + 8).clamp(0, 15) as u8)
                .collect();
            for i in 0..16 {
                out.push(q[i] | (q[i + 16] << 4));
            }
        }
        out
    }

    /// Enough of f32 → f16 for normal values in the test's range.
    fn f32_to_f16(v: f32) -> u16 {
        let bits = v.to_bits();
        let exp = ((bits >> 23) & 0xff) as i32 - 127 + 15;
        (((bits >> 16) & 0x8000) | ((exp as u32) << 10) | ((bits >> 13) & 0x3ff)) as u16
    }

    fn plain_product(x: &[f32], w: &[f32], k: usize, bias: &[f32]) -> Vec<f32> {
        let n = bias.len();
        let mut y = Vec::new();
        for xr in x.chunks_exact(k) {
            for j in 0..n {
                let dot: f64 = xr
                    .iter()
                    .zip(&w[j * k..(j + 1) * k])
                    .map(|(&a, &b)| f64::from(a) * f64::from(b))
                    .sum();
                y.push(dot as f32 + bias[j]);
            }
        }
        y
    }

    fn run(kernel: Kernel, x: &QuantisedRows, w: &PackedWeights, bias: &[f32]) -> Vec<f32> {
        let mut y = ndarray::Array2::<f32>::zeros((x.rows(), w.rows()));
        matmul(kernel, x, w, 0..w.rows() / PANEL, bias, &mut y.view_mut());
        y.into_raw_vec_and_offset().0
    }

    #[test]
    fn packing_keeps_the_q4_values() {
        let (n, k) = (32, 96);
        let src = random_q4(7, n, k);
        let w = PackedWeights::from_q4(&src, n, k).unwrap();
        let mut want = vec![0f32; n * k];
        crate::quant::dequantise(&src, &mut want);
        assert_eq!(w.dequantised(), want);
        assert!(PackedWeights::from_q4(&src, n - 1, k).is_none());
        assert!(PackedWeights::from_q4(&src[1..], n, k).is_none());
    }

    #[test]
    fn quantised_rows_round_trip_within_half_a_step() {
        let x: Vec<f32> = noise(3, 4 * 64).iter().map(|v| v * 5.0).collect();
        let q = QuantisedRows::new(&x, 64);
        for (block, xs) in q.q.iter().zip(x.chunks_exact(BLOCK)) {
            let bytes: Vec<i8> = block
                .q
                .iter()
                .flat_map(|w| w.to_le_bytes())
                .map(|b| b as i8)
                .collect();
            assert_eq!(
                block.offset,
                8 * bytes.iter().map(|&b| i32::from(b)).sum::<i32>()
            );
            for (&b, &v) in bytes.iter().zip(xs) {
                assert!((f32::from(b) * block.scale - v).abs() <= block.scale * 0.5 + 1e-6);
            }
        }
        // An all-zero block quantises to zeros, not NaN.
        let z = QuantisedRows::new(&[0.0; 32], 32);
        assert_eq!(z.q[0].scale, 0.0);
        assert_eq!(z.q[0].q, [0; GROUPS]);
    }

    #[test]
    fn simd_quantisation_agrees_bit_for_bit_with_the_scalar_one() {
        let x: Vec<f32> = noise(9, 64 * BLOCK)
            .iter()
            .enumerate()
            .map(|(i, v)| v * (1 + i % 7) as f32)
            .chain([0.0; BLOCK])
            .collect();
        let q = QuantisedRows::new(&x, BLOCK);
        assert_eq!(q.q, quantise_all(&x));
    }

    #[test]
    fn simd_kernel_agrees_bit_for_bit_with_the_scalar_one() {
        if Kernel::fastest() == Kernel::Scalar {
            eprintln!("no AVX2 on this CPU: only the scalar kernel runs");
            return;
        }
        // Rows and panels that exercise every tile shape and the remainders; the largest
        // magnitudes (x = ±127 against q + 8 = 15) check that the i16 sums never saturate.
        for (m, n, k) in [(1, 16, 32), (7, 80, 64), (13, 48, 384), (4, 112, 1536)] {
            let mut src = random_q4(m as u64, n, k);
            let row_bytes = k / BLOCK * Q4_BLOCK_BYTES;
            for block in src[..row_bytes].chunks_exact_mut(Q4_BLOCK_BYTES) {
                block[2..].iter_mut().for_each(|b| *b = 0xff);
            }
            let w = PackedWeights::from_q4(&src, n, k).unwrap();
            let mut xs = noise(11 + m as u64, m * k);
            xs[..k]
                .iter_mut()
                .for_each(|v| *v = if *v < 0.0 { -3.0 } else { 3.0 });
            let x = QuantisedRows::new(&xs, k);
            let bias = noise(5, n);
            let slow = run(Kernel::Scalar, &x, &w, &bias);
            let avx2 = run(Kernel::Avx2, &x, &w, &bias);
            assert_eq!(avx2, slow, "AVX2, {m}×{k} · {n}");
            if Kernel::fastest() == Kernel::Avx2 {
                if m == 1 {
                    eprintln!("no AVX-512 on this CPU: its kernels are not compared");
                }
                continue;
            }
            let fast = run(Kernel::Avx512, &x, &w, &bias);
            assert_eq!(fast, slow, "AVX-512BW, {m}×{k} · {n}");
            if Kernel::fastest() == Kernel::Vnni {
                let vnni = run(Kernel::Vnni, &x, &w, &bias);
                assert_eq!(vnni, slow, "VNNI, {m}×{k} · {n}");
            } else if m == 1 {
                eprintln!("no AVX-512 VNNI on this CPU: its kernel is not compared");
            }
        }
    }

    #[test]
    fn product_is_close_to_the_f32_product() {
        for kernel in [Kernel::fastest(), Kernel::Scalar] {
            let (m, n, k) = (9, 64, 384);
            let w = PackedWeights::from_q4(&random_q4(1, n, k), n, k).unwrap();
            let xs = noise(2, m * k);
            let bias = noise(4, n);
            let got = run(kernel, &QuantisedRows::new(&xs, k), &w, &bias);
            let want = plain_product(&xs, &w.dequantised(), k, &bias);
            // Each activation is off by at most half a step (max |x| / 254 per block), so an
            // output is off by at most Σ |w| · step / 2; random errors stay far below that.
            let wf = w.dequantised();
            for (idx, (g, e)) in got.iter().zip(&want).enumerate() {
                let (i, j) = (idx / n, idx % n);
                let bound: f32 = (0..k)
                    .map(|c| wf[j * k + c].abs() * (1.0 / 254.0))
                    .sum::<f32>()
                    + 1e-4;
                assert!(
                    (g - e).abs() <= bound,
                    "[{i}, {j}] {g} vs {e} (bound {bound})"
                );
            }
            let err: f32 = got.iter().zip(&want).map(|(g, e)| (g - e).powi(2)).sum();
            let norm: f32 = want.iter().map(|e| e * e).sum();
            assert!(
                (err / norm).sqrt() < 0.01,
                "relative error {}",
                (err / norm).sqrt()
            );
        }
    }
}
