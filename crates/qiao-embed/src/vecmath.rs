//! Element-wise maths of the encoder (GELU, softmax, layer normalisation), as plain loops that
//! the compiler vectorises.
//!
//! Why not `f32::exp` and friends: they are calls into libm, one value at a time, and a
//! ~200-token passage needs ~4 M GELUs and ~6 M softmax exponentials, which took a quarter of
//! the time once the products ran in integers. Here `exp` is a short polynomial with
//! bit-level scaling and rounding by the 1.5·2²³ trick, so nothing in the loops is a call and
//! LLVM turns them into vector code. [`wide`] runs a loop with AVX-512 enabled when the CPU
//! has it, else AVX2 (pulp's run-time dispatch, no `unsafe`), else as compiled for baseline
//! x86-64 (SSE2, still vectorised four lanes wide). Rust never fuses a multiply and an add
//! on its own, so a plain loop computes the same values at every width (the AVX-512
//! attention products, written with `vfmadd`, differ from the plain ones in the last bits).
//!
//! Accuracy: `exp` within ~2 ulp of the true value over the range used; `erf` within 2e-7
//! (Abramowitz & Stegun 7.1.26), far below what the 4-bit weights already cost.

/// Runs `f` with AVX-512 enabled when the CPU has it, else AVX2 and FMA when it has those.
/// `f` should be a small closure that calls an `#[inline(always)]` loop: large closures are
/// not inlined into the dispatching function, and then they run without the wider
/// instructions.
#[inline(always)]
pub fn wide<R>(f: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    {
        if let Some(simd) = pulp::x86::V4::try_new() {
            return simd.vectorize(f);
        }
        if let Some(simd) = pulp::x86::V3::try_new() {
            return simd.vectorize(f);
        }
    }
    f()
}

/// Adding then subtracting 1.5·2²³ rounds an f32 of magnitude below 2²² to the nearest
/// integer (ties to even) with two ordinary additions; after the addition, the integer sits in
/// the low mantissa bits (`bits − bits(1.5·2²³)`).
pub const ROUND: f32 = 12_582_912.0;

/// eˣ for f32, clamped to the normal range (Cephes' `expf` polynomial).
#[inline(always)]
pub fn exp(x: f32) -> f32 {
    let x = x.clamp(-87.0, 88.0);
    let shifted = x * std::f32::consts::LOG2_E + ROUND;
    let n = shifted - ROUND;
    // ln 2 in two parts, so that n · ln 2 is subtracted without rounding error.
    let r = x - n * 0.693_359_4 - n * -2.121_944_4e-4;
    let p = ((((1.987_569_1e-4 * r + 1.398_199_9e-3) * r + 8.333_452e-3) * r + 4.166_579_6e-2) * r
        + 1.666_666_5e-1)
        * r
        + 0.5;
    let e = p * r * r + r + 1.0;
    // `shifted` holds n in its low mantissa bits; reading them there instead of `n as i32`
    // (a saturating conversion the compiler does not vectorise) keeps the loop vector code.
    let n_bits = shifted.to_bits().wrapping_sub(ROUND.to_bits());
    e * f32::from_bits(n_bits.wrapping_add(127) << 23)
}

/// The error function (Abramowitz & Stegun 7.1.26).
#[inline(always)]
pub fn erf(x: f32) -> f32 {
    let a = x.abs();
    let t = 1.0 / (1.0 + 0.327_591_1 * a);
    let poly = t
        * (0.254_829_6
            + t * (-0.284_496_74 + t * (1.421_413_8 + t * (-1.453_152 + t * 1.061_405_4))));
    (1.0 - poly * exp(-a * a)).copysign(x)
}

/// GELU with the error function (BERT's, not the tanh approximation).
#[inline(always)]
pub fn gelu(x: f32) -> f32 {
    0.5 * x * (1.0 + erf(x * std::f32::consts::FRAC_1_SQRT_2))
}

/// GELU of every value, in place.
pub fn gelu_all(xs: &mut [f32]) {
    wide(
        #[inline(always)]
        || gelu_loop(xs),
    );
}

#[inline(always)]
fn gelu_loop(xs: &mut [f32]) {
    for v in xs.iter_mut() {
        *v = gelu(*v);
    }
}

/// Softmax of each row of `m` (rows of `cols` values, row-major), in place.
pub fn softmax_rows(m: &mut [f32], cols: usize) {
    wide(
        #[inline(always)]
        || softmax_loop(m, cols),
    );
}

/// Lanes of the reductions below. A plain `sum += v` loop is not vectorised (f32 addition is
/// not associative, and the compiler keeps the order); sixteen partial sums are, one vector.
const LANES: usize = 16;

#[inline(always)]
fn sum(xs: &[f32]) -> f32 {
    let mut acc = [0f32; LANES];
    let chunks = xs.chunks_exact(LANES);
    let tail: f32 = chunks.remainder().iter().sum();
    for c in chunks {
        for l in 0..LANES {
            acc[l] += c[l];
        }
    }
    acc.iter().sum::<f32>() + tail
}

#[inline(always)]
fn max(xs: &[f32]) -> f32 {
    // `if v > m` rather than `f32::max`, whose NaN rule keeps the compiler from `vmaxps`.
    let mut acc = [f32::NEG_INFINITY; LANES];
    let chunks = xs.chunks_exact(LANES);
    let mut m = f32::NEG_INFINITY;
    for &v in chunks.remainder() {
        m = if v > m { v } else { m };
    }
    for c in chunks {
        for l in 0..LANES {
            acc[l] = if c[l] > acc[l] { c[l] } else { acc[l] };
        }
    }
    for &v in &acc {
        m = if v > m { v } else { m };
    }
    m
}

#[inline(always)]
fn softmax_loop(m: &mut [f32], cols: usize) {
    for row in m.chunks_exact_mut(cols) {
        let max = max(row);
        for v in row.iter_mut() {
            *v = exp(*v - max);
        }
        let inv = 1.0 / sum(row);
        for v in row.iter_mut() {
            *v *= inv;
        }
    }
}

/// Layer normalisation of each row of `x` (rows of `w.len()` values), in place.
pub fn layer_norm_rows(x: &mut [f32], w: &[f32], b: &[f32], eps: f32) {
    wide(
        #[inline(always)]
        || layer_norm_loop(x, w, b, eps),
    );
}

#[inline(always)]
fn layer_norm_loop(x: &mut [f32], w: &[f32], b: &[f32], eps: f32) {
    let n = w.len() as f32;
    let mut dev = vec![0f32; w.len()];
    for r in x.chunks_exact_mut(w.len()) {
        let mean = sum(r) / n;
        for (d, &v) in dev.iter_mut().zip(r.iter()) {
            *d = (v - mean) * (v - mean);
        }
        let inv = 1.0 / (sum(&dev) / n + eps).sqrt();
        for ((v, &g), &bb) in r.iter_mut().zip(w).zip(b) {
            *v = (*v - mean) * inv * g + bb;
        }
    }
}

/// `y += x`, element by element.
pub fn add_assign(y: &mut [f32], x: &[f32]) {
    wide(
        #[inline(always)]
        || {
            for (a, &b) in y.iter_mut().zip(x) {
                *a += b;
            }
        },
    );
}

/// Width of one attention head.
pub const HEAD: usize = 32;

/// Scaled dot-product attention of head `h` over one sequence: `qkv` holds `m` rows of
/// `[q | k | v]` (each `d` wide, head `h` at columns `h·32..`), the result is `m` rows of 32.
///
/// Why not sgemm: with 32-wide heads, packing the operands costs as much as the products, and
/// the [m, m] scores need a softmax pass in between anyway. Six query rows at a time, their
/// scores stay in L1; K is transposed once (zero-padded to a multiple of 32 columns) so that
/// each step of the score loop is two vectors of 16 products for each of the six rows.
#[expect(
    clippy::redundant_closure,
    reason = "a closure marked inline(always) is inlined into the wider dispatch; a fn item is called out of line (a profile on AVX2 put 11 % of the embedding time in such calls)"
)]
pub fn attention_head(qkv: &[f32], m: usize, d: usize, h: usize, scale: f32) -> Vec<f32> {
    #[cfg(target_arch = "x86_64")]
    if let Some(simd) = pulp::x86::V4::try_new() {
        return simd.vectorize(
            #[inline(always)]
            || {
                attention_loop(
                    qkv,
                    m,
                    (d, h, scale),
                    #[inline(always)]
                    |q, kt| scores_v4(simd, q, kt),
                    #[inline(always)]
                    |p, v| weighted_v4(simd, p, v),
                )
            },
        );
    }
    wide(
        #[inline(always)]
        || {
            attention_loop(
                qkv,
                m,
                (d, h, scale),
                #[inline(always)]
                |q, kt| scores_plain(q, kt),
                #[inline(always)]
                |p, v| weighted_plain(p, v),
            )
        },
    )
}

/// Score columns per step (two vectors) and query rows per step: a step keeps 6 × 2 score
/// vectors, or 6 × 2 output vectors, in registers, so each K or V vector loaded serves six
/// rows. (Four rows × 64 columns measured a few per cent slower: more padding at ~200 tokens.)
const CHUNK: usize = 32;
const ROWS: usize = 6;

/// `ROWS` query rows' scores against one chunk of columns; `kt` is the chunk's first column,
/// rows of K transposed `stride` apart (see `attention_loop`).
type Scores = [[f32; CHUNK]; ROWS];

/// The plain version of `scores_v4` (without AVX-512: the compiler vectorises what it can).
#[inline(always)]
fn scores_plain(q: &[[f32; HEAD]; ROWS], kt: (&[f32], usize)) -> Scores {
    let (kt, stride) = kt;
    let mut acc = [[0f32; CHUNK]; ROWS];
    for c in 0..HEAD {
        let k = &kt[c * stride..c * stride + CHUNK];
        for (a, qr) in acc.iter_mut().zip(q) {
            for (x, &kv) in a.iter_mut().zip(k) {
                *x += qr[c] * kv;
            }
        }
    }
    acc
}

/// `Σ_j p[r][j] · v[j]` for `ROWS` rows (`p` rows `stride` apart, `v` rows of 32).
#[inline(always)]
fn weighted_plain(p: (&[f32], usize), v: &[f32]) -> [[f32; HEAD]; ROWS] {
    let (p, stride) = p;
    let mut acc = [[0f32; HEAD]; ROWS];
    for (j, vj) in v.chunks_exact(HEAD).enumerate() {
        for (r, a) in acc.iter_mut().enumerate() {
            let pr = p[r * stride + j];
            for (x, &vv) in a.iter_mut().zip(vj) {
                *x += pr * vv;
            }
        }
    }
    acc
}

/// [`scores_plain`] with AVX-512 FMA, written with intrinsics: the compiler does not keep the
/// 16 accumulators of the plain version in registers.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn scores_v4(simd: pulp::x86::V4, q: &[[f32; HEAD]; ROWS], kt: (&[f32], usize)) -> Scores {
    use core::arch::x86_64::__m512;
    use pulp::cast;
    let f = simd.avx512f;
    let (kt, stride) = kt;
    let mut acc: [[__m512; CHUNK / 16]; ROWS] = [[f._mm512_setzero_ps(); CHUNK / 16]; ROWS];
    for c in 0..HEAD {
        let k: &[f32; CHUNK] = kt[c * stride..c * stride + CHUNK]
            .try_into()
            .expect("a chunk");
        let kv: [__m512; CHUNK / 16] = std::array::from_fn(|t| {
            let a: [f32; 16] = k[16 * t..16 * t + 16].try_into().expect("16");
            cast(a)
        });
        for (a, qr) in acc.iter_mut().zip(q) {
            let qc = f._mm512_set1_ps(qr[c]);
            for (x, &kvt) in a.iter_mut().zip(&kv) {
                *x = f._mm512_fmadd_ps(qc, kvt, *x);
            }
        }
    }
    acc.map(|a| {
        let lanes: [[f32; 16]; CHUNK / 16] = a.map(cast);
        cast(lanes)
    })
}

/// [`weighted_plain`] with AVX-512 FMA.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn weighted_v4(simd: pulp::x86::V4, p: (&[f32], usize), v: &[f32]) -> [[f32; HEAD]; ROWS] {
    use core::arch::x86_64::__m512;
    use pulp::cast;
    let f = simd.avx512f;
    let (p, stride) = p;
    let mut acc: [[__m512; 2]; ROWS] = [[f._mm512_setzero_ps(); 2]; ROWS];
    for (j, vj) in v.chunks_exact(HEAD).enumerate() {
        let vv: [__m512; 2] = std::array::from_fn(|t| {
            let a: [f32; 16] = vj[16 * t..16 * t + 16].try_into().expect("16");
            cast(a)
        });
        for (r, a) in acc.iter_mut().enumerate() {
            let pr = f._mm512_set1_ps(p[r * stride + j]);
            a[0] = f._mm512_fmadd_ps(pr, vv[0], a[0]);
            a[1] = f._mm512_fmadd_ps(pr, vv[1], a[1]);
        }
    }
    acc.map(|a| {
        let lanes: [[f32; 16]; 2] = a.map(cast);
        cast(lanes)
    })
}

#[inline(always)]
fn attention_loop(
    qkv: &[f32],
    m: usize,
    (d, h, scale): (usize, usize, f32),
    scores_of: impl Fn(&[[f32; HEAD]; ROWS], (&[f32], usize)) -> Scores,
    weighted: impl Fn((&[f32], usize), &[f32]) -> [[f32; HEAD]; ROWS],
) -> Vec<f32> {
    let row = 3 * d;
    let cols = m.next_multiple_of(CHUNK);
    // K transposed and V copied out of the interleaved [q | k | v] rows: both contiguous, so
    // the loops below read them sequentially from L1.
    let mut kt = vec![0f32; HEAD * cols];
    let mut v = vec![0f32; m * HEAD];
    for j in 0..m {
        let k = &qkv[j * row + d + h * HEAD..][..HEAD];
        for (c, &x) in k.iter().enumerate() {
            kt[c * cols + j] = x;
        }
        v[j * HEAD..(j + 1) * HEAD].copy_from_slice(&qkv[j * row + 2 * d + h * HEAD..][..HEAD]);
    }
    let mut out = vec![0f32; m * HEAD];
    let mut scores = vec![0f32; ROWS * cols];
    for i0 in (0..m).step_by(ROWS) {
        let rows = ROWS.min(m - i0);
        // Missing rows of the last step stay zero: their scores are computed and dropped.
        let mut q = [[0f32; HEAD]; ROWS];
        for (r, qr) in q.iter_mut().enumerate().take(rows) {
            for (a, &b) in qr.iter_mut().zip(&qkv[(i0 + r) * row + h * HEAD..][..HEAD]) {
                *a = b * scale;
            }
        }
        for jc in 0..cols / CHUNK {
            let acc = scores_of(&q, (&kt[jc * CHUNK..], cols));
            for (r, a) in acc.iter().enumerate() {
                scores[r * cols + jc * CHUNK..][..CHUNK].copy_from_slice(a);
            }
        }
        let mut inv = [0f32; ROWS];
        for (r, i) in inv.iter_mut().enumerate() {
            let s = &mut scores[r * cols..r * cols + m];
            let top = max(s);
            for x in s.iter_mut() {
                *x = exp(*x - top);
            }
            *i = 1.0 / sum(s);
        }
        let acc = weighted((&scores, cols), &v);
        for r in 0..rows {
            for l in 0..HEAD {
                out[(i0 + r) * HEAD + l] = acc[r][l] * inv[r];
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_is_within_a_few_ulp() {
        let mut worst = 0f64;
        for i in -8_700..8_800 {
            let x = i as f32 * 0.01;
            let want = f64::from(x).exp();
            let rel = ((f64::from(exp(x)) - want) / want).abs();
            worst = worst.max(rel);
        }
        assert!(worst < 3e-7, "worst relative error {worst}");
        assert_eq!(exp(0.0), 1.0);
        assert!(exp(-1000.0) >= 0.0 && exp(-1000.0) < 1e-37);
    }

    #[test]
    fn erf_and_gelu_match_known_values() {
        for (x, want) in [
            (0.0f32, 0.0f32),
            (0.5, 0.520_499_9),
            (1.0, 0.842_700_8),
            (2.0, 0.995_322_3),
            (-1.0, -0.842_700_8),
        ] {
            assert!(
                (erf(x) - want).abs() < 3e-7,
                "erf({x}) = {} not {want}",
                erf(x)
            );
        }
        assert!((gelu(1.0) - 0.841_344_7).abs() < 1e-6);
        assert!((gelu(-3.0) + 0.004_049_6).abs() < 1e-6);
        let mut xs = vec![1.0f32, -3.0, 0.0];
        gelu_all(&mut xs);
        assert_eq!(xs, [gelu(1.0), gelu(-3.0), 0.0]);
    }

    #[test]
    fn softmax_rows_sum_to_one() {
        let mut m: Vec<f32> = (0..3 * 37).map(|i| ((i * 17) % 23) as f32 - 11.0).collect();
        let plain: Vec<f32> = m
            .chunks(37)
            .flat_map(|r| {
                let max = r.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                let s: f32 = r.iter().map(|v| (v - max).exp()).sum();
                r.iter()
                    .map(move |v| (v - max).exp() / s)
                    .collect::<Vec<_>>()
            })
            .collect();
        softmax_rows(&mut m, 37);
        for (a, b) in m.iter().zip(&plain) {
            assert!((a - b).abs() < 1e-6, "{a} vs {b}");
        }
    }

    #[test]
    fn attention_matches_a_plain_computation() {
        let (d, heads) = (64, 2);
        for m in [1, 5, 70] {
            let qkv: Vec<f32> = (0..m * 3 * d)
                .map(|i| ((i * 37 % 101) as f32 - 50.0) * 0.02)
                .collect();
            for h in 0..heads {
                let got = attention_head(&qkv, m, d, h, 0.25);
                let plain = attention_loop(&qkv, m, (d, h, 0.25), scores_plain, weighted_plain);
                for (a, b) in got.iter().zip(&plain) {
                    assert!((a - b).abs() < 1e-5, "vector {a} vs plain {b}");
                }
                let at = |i: usize, part: usize, c: usize| qkv[i * 3 * d + part * d + h * HEAD + c];
                for i in 0..m {
                    let s: Vec<f64> = (0..m)
                        .map(|j| {
                            (0..HEAD)
                                .map(|c| f64::from(at(i, 0, c) * at(j, 1, c)))
                                .sum::<f64>()
                                * 0.25
                        })
                        .collect();
                    let top = s.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    let e: Vec<f64> = s.iter().map(|v| (v - top).exp()).collect();
                    let total: f64 = e.iter().sum();
                    for c in 0..HEAD {
                        let want: f64 = (0..m).map(|j| e[j] / total * f64::from(at(j, 2, c))).sum();
                        let g = f64::from(got[i * HEAD + c]);
                        assert!(
                            (g - want).abs() < 1e-5,
                            "m {m} head {h} [{i}, {c}]: {g} vs {want}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn layer_norm_has_zero_mean_and_unit_variance() {
        let mut x: Vec<f32> = (0..2 * 64).map(|i| (i % 9) as f32 * 0.5 + 3.0).collect();
        let (w, b) = (vec![1.0f32; 64], vec![0.0f32; 64]);
        layer_norm_rows(&mut x, &w, &b, 1e-12);
        for r in x.chunks(64) {
            let mean: f32 = r.iter().sum::<f32>() / 64.0;
            let var: f32 = r.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / 64.0;
            assert!(
                mean.abs() < 1e-5 && (var - 1.0).abs() < 1e-4,
                "{mean} {var}"
            );
        }
    }
}
