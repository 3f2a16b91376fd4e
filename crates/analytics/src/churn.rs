//! Churn prediction: logistic regression on RFM-type features, learned from history.
//!
//! With an as-of date A and a horizon of H days, the model learns from the past as if it were
//! day C = A − H: features describe each customer's orders before C, and the label says
//! whether they bought nothing in [C, A) — they churned. Customers are split for validation by
//! a hash of their id (one in five held out, deterministic), the model is fitted on the rest
//! and its ROC AUC measured on the held-out ones. Then every customer with orders before A is
//! scored with features computed as of A: the probability of buying nothing in the next H days.
//!
//! The features, standardised with the training means and deviations, are listed in
//! [`FEATURES`]. A customer's top reasons are the features that push their probability up
//! most (coefficient × standardised value), described in words with the customer's values.

use crate::AnalyticsError;
use crate::dates::Day;

/// The names of the features, in model order.
pub const FEATURES: [&str; 6] = [
    "recency_days",
    "log_orders",
    "log_mean_amount",
    "tenure_days",
    "mean_gap_days",
    "overdue_ratio",
];
const N: usize = FEATURES.len();

/// The raw features of a customer's orders `(day, amount)`, sorted by day, as of `now`
/// (only orders strictly before `now` count). `None` without such orders.
pub fn features(orders: &[(Day, f64)], now: Day) -> Option<[f64; N]> {
    let before = &orders[..orders.partition_point(|o| o.0 < now)];
    let (first, last) = (before.first()?.0, before.last()?.0);
    let count = before.len() as f64;
    let mean_amount = before.iter().map(|o| o.1).sum::<f64>() / count;
    let recency = f64::from(now - last);
    let tenure = f64::from(now - first);
    let mean_gap = if before.len() > 1 {
        f64::from(last - first) / (count - 1.0)
    } else {
        tenure
    };
    Some([
        recency,
        count.ln_1p(),
        mean_amount.max(0.0).ln_1p(),
        tenure,
        mean_gap,
        recency / mean_gap.max(1.0),
    ])
}

/// A fitted logistic regression on standardised features.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// Training means of the raw features.
    pub means: [f64; N],
    /// Training standard deviations (1 where a feature was constant).
    pub scales: [f64; N],
    /// Coefficients on the standardised features.
    pub weights: [f64; N],
    /// The intercept.
    pub intercept: f64,
}

fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        z.exp() / (1.0 + z.exp())
    }
}

/// Fits `P(y) = σ(b + w·x)` minimising `Σ log-loss + ½ λ ‖w‖²` (the intercept is not
/// penalised; this is scikit-learn's `LogisticRegression(C = 1/λ)`) by Newton's method.
/// Returns the weights followed by the intercept.
pub fn fit_logistic(x: &[Vec<f64>], y: &[bool], l2: f64) -> Result<Vec<f64>, AnalyticsError> {
    let features = x.first().map_or(0, Vec::len);
    let p = features + 1;
    let mut beta = vec![0.0; p];
    for _ in 0..100 {
        let mut gradient = vec![0.0; p];
        let mut hessian = vec![0.0; p * p];
        for (row, &label) in x.iter().zip(y) {
            let z = beta[features] + row.iter().zip(&beta).map(|(a, b)| a * b).sum::<f64>();
            let prob = sigmoid(z);
            let residual = prob - f64::from(u8::from(label));
            let curvature = prob * (1.0 - prob);
            for i in 0..p {
                let xi = if i == features { 1.0 } else { row[i] };
                gradient[i] += residual * xi;
                for j in 0..=i {
                    let xj = if j == features { 1.0 } else { row[j] };
                    hessian[i * p + j] += curvature * xi * xj;
                }
            }
        }
        for i in 0..features {
            gradient[i] += l2 * beta[i];
            hessian[i * p + i] += l2;
        }
        for i in 0..p {
            for j in 0..i {
                hessian[j * p + i] = hessian[i * p + j];
            }
        }
        let step = solve(hessian, gradient).ok_or_else(|| AnalyticsError::NotConverged {
            model: "churn",
            reason: "the features are collinear (singular Hessian)".to_owned(),
        })?;
        let largest = step.iter().fold(0.0f64, |m, s| m.max(s.abs()));
        for (b, s) in beta.iter_mut().zip(&step) {
            *b -= s;
        }
        if !largest.is_finite() {
            break;
        }
        if largest < 1e-10 {
            return Ok(beta);
        }
    }
    Err(AnalyticsError::NotConverged {
        model: "churn",
        reason: "Newton's method did not settle in 100 steps (are the classes separable?)"
            .to_owned(),
    })
}

/// Solves `a · x = b` by Gaussian elimination with partial pivoting.
fn solve(mut a: Vec<f64>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    for col in 0..n {
        let pivot =
            (col..n).max_by(|&i, &j| a[i * n + col].abs().total_cmp(&a[j * n + col].abs()))?;
        if a[pivot * n + col].abs() < 1e-300 {
            return None;
        }
        for k in 0..n {
            a.swap(col * n + k, pivot * n + k);
        }
        b.swap(col, pivot);
        for row in col + 1..n {
            let factor = a[row * n + col] / a[col * n + col];
            for k in col..n {
                a[row * n + k] -= factor * a[col * n + k];
            }
            b[row] -= factor * b[col];
        }
    }
    let mut x = vec![0.0; n];
    for row in (0..n).rev() {
        let tail: f64 = (row + 1..n).map(|k| a[row * n + k] * x[k]).sum();
        x[row] = (b[row] - tail) / a[row * n + row];
    }
    Some(x)
}

/// The area under the ROC curve of `scores` for the positive `labels` (ties count one half,
/// as in scikit-learn). `None` unless both classes are present.
pub fn roc_auc(scores: &[f64], labels: &[bool]) -> Option<f64> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_unstable_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    let positives = labels.iter().filter(|&&l| l).count() as f64;
    let negatives = labels.len() as f64 - positives;
    if positives == 0.0 || negatives == 0.0 {
        return None;
    }
    // Mann–Whitney: sum the (average, 1-based) ranks of the positives.
    let mut rank_sum = 0.0;
    let mut start = 0;
    while start < order.len() {
        let mut end = start;
        while end < order.len() && scores[order[end]] == scores[order[start]] {
            end += 1;
        }
        let average_rank = (start + end + 1) as f64 / 2.0;
        rank_sum += order[start..end].iter().filter(|&&i| labels[i]).count() as f64 * average_rank;
        start = end;
    }
    Some((rank_sum - positives * (positives + 1.0) / 2.0) / (positives * negatives))
}

impl Model {
    fn standardise(&self, raw: &[f64; N]) -> [f64; N] {
        std::array::from_fn(|i| (raw[i] - self.means[i]) / self.scales[i])
    }

    /// The churn probability of raw features.
    pub fn probability(&self, raw: &[f64; N]) -> f64 {
        let z = self.standardise(raw);
        sigmoid(self.intercept + z.iter().zip(&self.weights).map(|(a, b)| a * b).sum::<f64>())
    }

    /// Up to three reasons, most important first, in words; features that lower the risk are
    /// not reasons.
    pub fn reasons(&self, raw: &[f64; N]) -> Vec<String> {
        let z = self.standardise(raw);
        let mut pushes: Vec<(f64, usize)> = (0..N)
            .map(|i| (self.weights[i] * z[i], i))
            .filter(|(push, _)| *push > 0.0)
            .collect();
        pushes.sort_by(|a, b| b.0.total_cmp(&a.0));
        pushes
            .into_iter()
            .take(3)
            .map(|(_, i)| describe(i, raw, z[i] > 0.0))
            .collect()
    }
}

/// Words for feature `index` of a customer whose value is above (or below) the average.
fn describe(index: usize, raw: &[f64; N], above: bool) -> String {
    let value = raw[index];
    match (index, above) {
        (0, true) => format!("long since the last purchase ({value:.0} days)"),
        (0, false) => format!("bought recently ({value:.0} days ago)"),
        (1, true) => format!("many purchases ({:.0})", value.exp_m1()),
        (1, false) => format!("few purchases ({:.0})", value.exp_m1()),
        (2, true) => format!("large orders (average {:.2})", value.exp_m1()),
        (2, false) => format!("small orders (average {:.2})", value.exp_m1()),
        (3, true) => format!("long-standing customer ({value:.0} days)"),
        (3, false) => format!("new customer ({value:.0} days)"),
        (4, true) => format!("long gaps between purchases ({value:.0} days)"),
        (4, false) => format!("short gaps between purchases ({value:.0} days)"),
        (_, true) => format!("overdue for their usual next purchase ({value:.1}× the usual gap)"),
        (_, false) => format!("buying on their usual rhythm ({value:.1}× the usual gap)"),
    }
}

/// One customer's prediction.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    /// Probability of no purchase in the next horizon.
    pub probability: f64,
    /// Top reasons in words.
    pub reasons: Vec<String>,
}

/// The fitted model, its validation and the predictions.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The model.
    pub model: Model,
    /// ROC AUC on the held-out customers.
    pub auc: f64,
    /// Customers used to train and to validate.
    pub trained_on: usize,
    /// Customers held out.
    pub validated_on: usize,
    /// Per customer, in input order; `None` for a customer without orders before as-of.
    pub predictions: Vec<Option<Prediction>>,
}

/// FNV-1a: a fixed, documented hash so the split is the same on every machine and run.
fn held_out(id: &str) -> bool {
    let hash = id.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    hash % 5 == 0
}

/// What learning needs of one customer, computed from their orders alone, so a caller can
/// stream customers one at a time and keep only this.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    /// Whether the customer is in the held-out validation fifth (by a hash of the id).
    pub held_out: bool,
    /// The features as of the cutoff (as-of minus the horizon) and whether the customer then
    /// bought nothing until as-of; `None` without orders before the cutoff.
    pub past: Option<([f64; N], bool)>,
}

/// The learning sample of customer `id` with `orders` sorted by day.
pub fn sample(id: &str, orders: &[(Day, f64)], as_of: Day, horizon_days: u32) -> Sample {
    let cutoff = as_of - horizon_days as i32;
    Sample {
        held_out: held_out(id),
        past: features(orders, cutoff).map(|raw| {
            let churned = !orders.iter().any(|o| o.0 >= cutoff && o.0 < as_of);
            (raw, churned)
        }),
    }
}

/// A model learnt from samples, with its validation.
#[derive(Debug, Clone, PartialEq)]
pub struct Fitted {
    /// The model.
    pub model: Model,
    /// ROC AUC on the held-out customers.
    pub auc: f64,
    /// Customers used to train.
    pub trained_on: usize,
    /// Customers held out.
    pub validated_on: usize,
}

/// Learns, validates and predicts. `customers[i]` is `(id, orders sorted by day)`.
pub fn predict(
    customers: &[(String, Vec<(Day, f64)>)],
    as_of: Day,
    horizon_days: u32,
) -> Result<Outcome, AnalyticsError> {
    if customers.is_empty() {
        return Err(AnalyticsError::Empty);
    }
    let samples: Vec<Sample> = customers
        .iter()
        .map(|(id, orders)| sample(id, orders, as_of, horizon_days))
        .collect();
    let fitted = learn(&samples, horizon_days)?;
    let predictions = customers
        .iter()
        .map(|(_, orders)| {
            features(orders, as_of).map(|raw| Prediction {
                probability: fitted.model.probability(&raw),
                reasons: fitted.model.reasons(&raw),
            })
        })
        .collect();
    Ok(Outcome {
        model: fitted.model,
        auc: fitted.auc,
        trained_on: fitted.trained_on,
        validated_on: fitted.validated_on,
        predictions,
    })
}

/// Learns a model from the training samples and validates it on the held-out ones.
pub fn learn(samples: &[Sample], horizon_days: u32) -> Result<Fitted, AnalyticsError> {
    if samples.is_empty() {
        return Err(AnalyticsError::Empty);
    }
    let mut train = (Vec::new(), Vec::new());
    let mut test = (Vec::new(), Vec::new());
    for sample in samples {
        let Some((raw, churned)) = sample.past else {
            continue;
        };
        let set = if sample.held_out {
            &mut test
        } else {
            &mut train
        };
        set.0.push(raw);
        set.1.push(churned);
    }
    let both_classes = |labels: &[bool]| labels.iter().any(|&l| l) && labels.iter().any(|&l| !l);
    if !both_classes(&train.1) || !both_classes(&test.1) {
        return Err(AnalyticsError::Insufficient(format!(
            "learning needs customers who bought again and customers who did not in the {horizon_days} days before the as-of date, among those with orders before it"
        )));
    }
    let count = train.0.len() as f64;
    let means: [f64; N] =
        std::array::from_fn(|i| train.0.iter().map(|r| r[i]).sum::<f64>() / count);
    let scales: [f64; N] = std::array::from_fn(|i| {
        let variance = train
            .0
            .iter()
            .map(|r| (r[i] - means[i]).powi(2))
            .sum::<f64>()
            / count;
        if variance > 0.0 { variance.sqrt() } else { 1.0 }
    });
    let standardised: Vec<Vec<f64>> = train
        .0
        .iter()
        .map(|r| (0..N).map(|i| (r[i] - means[i]) / scales[i]).collect())
        .collect();
    let beta = fit_logistic(&standardised, &train.1, 1.0)?;
    let model = Model {
        means,
        scales,
        weights: std::array::from_fn(|i| beta[i]),
        intercept: beta[N],
    };
    let scores: Vec<f64> = test.0.iter().map(|r| model.probability(r)).collect();
    let auc = roc_auc(&scores, &test.1).expect("both classes were checked");
    Ok(Fitted {
        model,
        auc,
        trained_on: train.1.len(),
        validated_on: test.1.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_counts_ordered_pairs_and_half_ties() {
        assert_eq!(
            roc_auc(&[0.1, 0.4, 0.35, 0.8], &[false, false, true, true]),
            Some(0.75)
        );
        assert_eq!(roc_auc(&[0.5, 0.5], &[false, true]), Some(0.5));
        assert_eq!(roc_auc(&[0.2, 0.3], &[true, true]), None);
    }

    #[test]
    fn logistic_regression_satisfies_its_optimality_condition() {
        let x: Vec<Vec<f64>> = (0..40)
            .map(|i| vec![f64::from(i) / 10.0 - 2.0, f64::from(i % 7)])
            .collect();
        let y: Vec<bool> = (0..40).map(|i| (i * 37 % 11) < 2 + i / 6).collect();
        let beta = fit_logistic(&x, &y, 1.0).unwrap();
        // At the optimum: Σ (p − y) x_j + λ w_j = 0 and Σ (p − y) = 0.
        let mut gradient = [0.0; 3];
        for (row, &label) in x.iter().zip(&y) {
            let residual =
                sigmoid(beta[2] + beta[0] * row[0] + beta[1] * row[1]) - f64::from(u8::from(label));
            gradient[0] += residual * row[0];
            gradient[1] += residual * row[1];
            gradient[2] += residual;
        }
        assert!((gradient[0] + beta[0]).abs() < 1e-8);
        assert!((gradient[1] + beta[1]).abs() < 1e-8);
        assert!(gradient[2].abs() < 1e-8);
    }

    #[test]
    fn lapsed_customers_score_higher_and_get_recency_as_a_reason() {
        // Regular buyers every 10 days; half of them stop 200 days before the as-of date.
        let customers: Vec<(String, Vec<(Day, f64)>)> = (0..400)
            .map(|i| {
                let stop = if i % 2 == 0 { 800 } else { 1000 };
                let orders = (0..)
                    .map(|k| k * 10 + i % 10)
                    .take_while(|&d| d < stop)
                    .map(|d| (d, 10.0 + f64::from(i % 5)))
                    .collect();
                (format!("c{i}"), orders)
            })
            .collect();
        let outcome = predict(&customers, 1000, 100).unwrap();
        assert!(outcome.auc > 0.9, "{}", outcome.auc);
        let lapsed = outcome.predictions[0].as_ref().unwrap();
        let active = outcome.predictions[1].as_ref().unwrap();
        assert!(lapsed.probability > 0.9 && active.probability < 0.1);
        assert!(
            lapsed
                .reasons
                .iter()
                .any(|r| r.contains("last purchase") || r.contains("overdue")),
            "{:?}",
            lapsed.reasons
        );
    }
}
