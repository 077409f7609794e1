//! Element-wise maths of the encoder (GELU, softmax, layer normalisation), as plain loops that
//! the compiler vectorises.
//!
//! Why not `f32::exp` and friends: they are calls into libm, one value at a time, and a
//! ~200-token passage needs ~4 M GELUs and ~6 M softmax exponentials, which took a quarter of
//! the time once the products ran in integers. Here `exp` is a short polynomial with
//! bit-level scaling and rounding by the 1.5·2²³ trick, so nothing in the loops is a call and
//! LLVM turns them into vector code. [`wide`] runs a loop with AVX-512 enabled when the CPU
//! has it (pulp's run-time dispatch; the workspace forbids `unsafe`), else as compiled for
//! baseline x86-64 (SSE2, still vectorised four lanes wide).
//!
//! Accuracy: `exp` within ~2 ulp of the true value over the range used; `erf` within 2e-7
//! (Abramowitz & Stegun 7.1.26), far below what the 4-bit weights already cost.

/// Runs `f` with AVX-512 enabled when the CPU has it. `f` should be a small closure that calls
/// an `#[inline(always)]` loop: large closures are not inlined into the dispatching function,
/// and then they run without the wider instructions.
#[inline(always)]
pub fn wide<R>(f: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    if let Some(simd) = pulp::x86::V4::try_new() {
        return simd.vectorize(f);
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
