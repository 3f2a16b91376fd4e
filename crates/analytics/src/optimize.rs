//! A small BFGS minimiser for the maximum-likelihood fits.
//!
//! The likelihoods of BG/NBD and Gamma-Gamma are smooth with analytic gradients and have three
//! or four parameters, which BFGS handles in a few dozen gradient evaluations. Parameters are
//! optimised on the log scale so they stay positive without constraints.

/// How a minimisation ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Minimum {
    /// Where the minimum is.
    pub point: Vec<f64>,
    /// The objective there.
    pub value: f64,
    /// Iterations used.
    pub iterations: usize,
}

/// Why a minimisation failed.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// The objective or its gradient became NaN or infinite.
    NotFinite,
    /// The gradient was still too large after the iteration limit.
    IterationLimit {
        /// The largest gradient component at the end.
        gradient: f64,
    },
}

/// Minimises `objective`, which returns the value and writes the gradient into its second
/// argument, from `start`, until every gradient component is below `tolerance`.
pub fn bfgs(
    objective: &mut dyn FnMut(&[f64], &mut [f64]) -> f64,
    start: &[f64],
    tolerance: f64,
    max_iterations: usize,
) -> Result<Minimum, Failure> {
    let n = start.len();
    let mut x = start.to_vec();
    let mut gradient = vec![0.0; n];
    let mut value = objective(&x, &mut gradient);
    // The inverse Hessian estimate, row-major, starting from the identity.
    let mut inverse_hessian = identity(n);
    let mut next_x = vec![0.0; n];
    let mut next_gradient = vec![0.0; n];
    // Sums over a million customers carry rounding noise: once a step no longer changes the
    // objective in its last digits and the gradient is already small, the minimum is found.
    let mut stalled = false;
    for iteration in 0..max_iterations {
        if !value.is_finite() || gradient.iter().any(|g| !g.is_finite()) {
            return Err(Failure::NotFinite);
        }
        if max_abs(&gradient) < tolerance || stalled {
            return Ok(Minimum {
                point: x,
                value,
                iterations: iteration,
            });
        }
        let mut direction: Vec<f64> = (0..n)
            .map(|i| {
                -(0..n)
                    .map(|j| inverse_hessian[i * n + j] * gradient[j])
                    .sum::<f64>()
            })
            .collect();
        let mut slope = dot(&direction, &gradient);
        if slope >= 0.0 {
            // The estimate lost positive definiteness: fall back to steepest descent.
            inverse_hessian = identity(n);
            direction = gradient.iter().map(|g| -g).collect();
            slope = dot(&direction, &gradient);
        }
        // Backtracking line search with the Armijo condition; long steps are capped so a
        // log-parameter never jumps by more than e^5 in one go.
        let longest = max_abs(&direction);
        let mut step = if longest > 5.0 { 5.0 / longest } else { 1.0 };
        let mut next_value;
        loop {
            for i in 0..n {
                next_x[i] = x[i] + step * direction[i];
            }
            next_value = objective(&next_x, &mut next_gradient);
            if next_value.is_finite() && next_value <= value + 1e-4 * step * slope {
                break;
            }
            step *= 0.5;
            if step < 1e-20 {
                // No decrease possible at this precision: we are at the minimum.
                return Ok(Minimum {
                    point: x,
                    value,
                    iterations: iteration,
                });
            }
        }
        let s: Vec<f64> = (0..n).map(|i| next_x[i] - x[i]).collect();
        let y: Vec<f64> = (0..n).map(|i| next_gradient[i] - gradient[i]).collect();
        let sy = dot(&s, &y);
        if sy > 1e-300 {
            update_inverse_hessian(&mut inverse_hessian, &s, &y, sy);
        }
        stalled = (value - next_value).abs() <= 1e-15 * value.abs().max(1.0)
            && max_abs(&next_gradient) < tolerance.sqrt() * 1e-2;
        x.copy_from_slice(&next_x);
        gradient.copy_from_slice(&next_gradient);
        value = next_value;
    }
    Err(Failure::IterationLimit {
        gradient: max_abs(&gradient),
    })
}

fn identity(n: usize) -> Vec<f64> {
    (0..n * n)
        .map(|k| if k % (n + 1) == 0 { 1.0 } else { 0.0 })
        .collect()
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |m, x| m.max(x.abs()))
}

/// H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ with ρ = 1 / (yᵀ s).
fn update_inverse_hessian(h: &mut [f64], s: &[f64], y: &[f64], sy: f64) {
    let n = s.len();
    let rho = 1.0 / sy;
    let hy: Vec<f64> = (0..n)
        .map(|i| (0..n).map(|j| h[i * n + j] * y[j]).sum())
        .collect();
    let yhy = dot(y, &hy);
    for i in 0..n {
        for j in 0..n {
            h[i * n + j] += rho * ((1.0 + rho * yhy) * s[i] * s[j] - hy[i] * s[j] - s[i] * hy[j]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_minimum_of_the_rosenbrock_valley() {
        let mut rosenbrock = |p: &[f64], g: &mut [f64]| {
            let (x, y) = (p[0], p[1]);
            g[0] = -2.0 * (1.0 - x) - 400.0 * x * (y - x * x);
            g[1] = 200.0 * (y - x * x);
            (1.0 - x).powi(2) + 100.0 * (y - x * x).powi(2)
        };
        let minimum = bfgs(&mut rosenbrock, &[-1.2, 1.0], 1e-10, 1000).unwrap();
        assert!((minimum.point[0] - 1.0).abs() < 1e-8, "{minimum:?}");
        assert!((minimum.point[1] - 1.0).abs() < 1e-8, "{minimum:?}");
    }

    #[test]
    fn reports_failure_instead_of_a_wrong_answer() {
        let mut unbounded = |p: &[f64], g: &mut [f64]| {
            g[0] = -1.0;
            -p[0]
        };
        assert!(bfgs(&mut unbounded, &[0.0], 1e-8, 50).is_err());
    }
}
