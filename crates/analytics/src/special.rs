//! Special functions for the likelihoods: log-gamma, digamma and the Gauss hypergeometric
//! function. Written here (a few dozen lines) rather than pulled in with a statistics crate.

use crate::AnalyticsError;

/// The shift below which the asymptotic series are not used: the recurrence moves the
/// argument up to at least this, where the series are accurate to about 1e-15.
const ASYMPTOTIC_FROM: f64 = 10.0;

/// ln Γ(x) for x > 0 (Stirling's series after the recurrence Γ(x+1) = x Γ(x)).
pub fn ln_gamma(x: f64) -> f64 {
    debug_assert!(x > 0.0, "ln_gamma needs a positive argument, got {x}");
    let mut x = x;
    let mut product = 1.0;
    while x < ASYMPTOTIC_FROM {
        product *= x;
        x += 1.0;
    }
    let inverse = 1.0 / x;
    let inverse_squared = inverse * inverse;
    let series = inverse
        * (1.0 / 12.0
            - inverse_squared
                * (1.0 / 360.0
                    - inverse_squared
                        * (1.0 / 1260.0
                            - inverse_squared * (1.0 / 1680.0 - inverse_squared / 1188.0))));
    (x - 0.5) * x.ln() - x + 0.5 * (2.0 * std::f64::consts::PI).ln() + series - product.ln()
}

/// The digamma function ψ(x) = d/dx ln Γ(x) for x > 0.
pub fn digamma(x: f64) -> f64 {
    debug_assert!(x > 0.0, "digamma needs a positive argument, got {x}");
    let mut x = x;
    let mut shift = 0.0;
    while x < ASYMPTOTIC_FROM {
        shift -= 1.0 / x;
        x += 1.0;
    }
    let inverse_squared = 1.0 / (x * x);
    let series = inverse_squared
        * (1.0 / 12.0
            - inverse_squared
                * (1.0 / 120.0
                    - inverse_squared
                        * (1.0 / 252.0
                            - inverse_squared * (1.0 / 240.0 - inverse_squared / 132.0))));
    shift + x.ln() - 0.5 / x - series
}

/// The Gauss hypergeometric function ₂F₁(a, b; c; z) for 0 ≤ z < 1 by its power series.
///
/// BG/NBD only needs it with positive parameters and z = t / (α + T + t) < 1, where the terms
/// eventually shrink like zᵏ; the sum stops when a term no longer changes it.
pub fn hyp2f1(a: f64, b: f64, c: f64, z: f64) -> Result<f64, AnalyticsError> {
    const MAX_TERMS: usize = 1_000_000;
    if !(0.0..1.0).contains(&z) {
        return Err(AnalyticsError::InvalidArgument(format!(
            "the hypergeometric series needs 0 <= z < 1, got {z}"
        )));
    }
    let mut term = 1.0;
    let mut sum = 1.0;
    for k in 0..MAX_TERMS {
        let k = k as f64;
        term *= (a + k) * (b + k) / ((c + k) * (k + 1.0)) * z;
        sum += term;
        if term.abs() <= f64::EPSILON * sum.abs() {
            return Ok(sum);
        }
    }
    Err(AnalyticsError::NotConverged {
        model: "hypergeometric series",
        reason: format!("no convergence after {MAX_TERMS} terms (z = {z})"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() <= tolerance * b.abs().max(1.0)
    }

    #[test]
    fn log_gamma_matches_factorials_and_half_integers() {
        let mut factorial = 1.0f64;
        for n in 1..30 {
            // Γ(n) = (n-1)!
            assert!(close(ln_gamma(n as f64), factorial.ln(), 1e-13), "n = {n}");
            factorial *= n as f64;
        }
        assert!(close(
            ln_gamma(0.5),
            std::f64::consts::PI.sqrt().ln(),
            1e-13
        ));
        assert!(close(ln_gamma(1e-3), 6.907_178_885_383_854, 1e-12));
    }

    #[test]
    fn digamma_is_the_derivative_of_log_gamma() {
        assert!(close(digamma(1.0), -0.577_215_664_901_532_9, 1e-13));
        for &x in &[0.01, 0.3, 1.7, 4.2, 12.5, 250.0] {
            let h = 1e-5 * x;
            let numeric = (ln_gamma(x + h) - ln_gamma(x - h)) / (2.0 * h);
            assert!(close(digamma(x), numeric, 1e-6), "x = {x}");
        }
    }

    #[test]
    fn hypergeometric_series_matches_closed_forms() {
        // ₂F₁(1, 1; 2; z) = -ln(1 - z) / z
        for &z in &[0.1, 0.5, 0.9, 0.99] {
            let exact = -(1.0f64 - z).ln() / z;
            assert!(
                close(hyp2f1(1.0, 1.0, 2.0, z).unwrap(), exact, 1e-12),
                "z = {z}"
            );
        }
        // ₂F₁(a, b; b; z) = (1 - z)^-a
        assert!(close(
            hyp2f1(2.5, 3.0, 3.0, 0.3).unwrap(),
            0.7f64.powf(-2.5),
            1e-12
        ));
        assert!(hyp2f1(1.0, 1.0, 2.0, 1.0).is_err());
    }
}
