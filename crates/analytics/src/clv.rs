//! Customer lifetime value: the customer summary, BG/NBD (Fader, Hardie & Lee 2005) for the
//! number of future purchases, Gamma-Gamma (Fader & Hardie 2013) for their value, and the
//! discounted value over a horizon.
//!
//! The summary follows the usual convention (as in the `lifetimes` Python package): all
//! purchases on one day are one purchase with their amounts added; `frequency` is the number
//! of *repeat* purchase days, `recency` the time from the first to the last purchase, `t`
//! (written `T` in the papers) the time from the first purchase to the end of the calibration
//! period, and `monetary_value` the mean value of the repeat purchases (0 without any).

use crate::AnalyticsError;
use crate::dates::Day;
use crate::optimize::{Failure, bfgs};
use crate::special::{digamma, hyp2f1, ln_gamma};

/// The unit in which recency, T and the horizon are measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeUnit {
    /// Days.
    Day,
    /// Weeks of seven days.
    Week,
}

impl TimeUnit {
    /// How many days one unit holds.
    pub fn days(self) -> f64 {
        match self {
            TimeUnit::Day => 1.0,
            TimeUnit::Week => 7.0,
        }
    }
}

/// One customer in the standard summary form.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// Number of repeat purchases (purchase days after the first).
    pub frequency: u32,
    /// Time from the first to the last purchase.
    pub recency: f64,
    /// Time from the first purchase to the end of the calibration period.
    pub t: f64,
    /// Mean value of the repeat purchases; 0 when there are none.
    pub monetary_value: f64,
}

/// Summarises one customer's orders `(day, amount)` up to and including `calibration_end`.
/// Orders after it are ignored; `None` when no order is left. The slice is sorted in place.
pub fn summarize(
    orders: &mut [(Day, f64)],
    calibration_end: Day,
    unit: TimeUnit,
) -> Option<Summary> {
    orders.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let kept = orders.partition_point(|&(day, _)| day <= calibration_end);
    let orders = &orders[..kept];
    let first = orders.first()?.0;
    let mut days = 0u32;
    let mut last = first;
    let mut repeat_total = 0.0;
    let mut index = 0;
    while index < orders.len() {
        let day = orders[index].0;
        let mut day_total = 0.0;
        while index < orders.len() && orders[index].0 == day {
            day_total += orders[index].1;
            index += 1;
        }
        if day != first {
            repeat_total += day_total;
        }
        days += 1;
        last = day;
    }
    let frequency = days - 1;
    Some(Summary {
        frequency,
        recency: f64::from(last - first) / unit.days(),
        t: f64::from(calibration_end - first) / unit.days(),
        monetary_value: if frequency > 0 {
            repeat_total / f64::from(frequency)
        } else {
            0.0
        },
    })
}

/// The fitted BG/NBD parameters, with time in the unit of the summaries.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct BgNbd {
    /// Shape of the gamma distribution of purchase rates.
    pub r: f64,
    /// Scale of the gamma distribution of purchase rates (in time units).
    pub alpha: f64,
    /// First shape of the beta distribution of drop-out probabilities.
    pub a: f64,
    /// Second shape of the beta distribution of drop-out probabilities.
    pub b: f64,
}

/// The fitted Gamma-Gamma parameters.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct GammaGamma {
    /// Shape of the gamma distribution of transaction values.
    pub p: f64,
    /// Shape of the gamma distribution of the customers' scale parameters.
    pub q: f64,
    /// Scale of the gamma distribution of the customers' scale parameters (money units).
    pub v: f64,
}

/// A compressed row: (frequency, recency or mean value, T, weight).
type Row = (u32, f64, f64, f64);

/// The log-likelihood and its gradient at natural parameters, summed over some rows.
type LikelihoodPart<const N: usize> = dyn Fn(&[f64], &[Row]) -> [f64; N] + Sync;

/// Summaries with equal `(frequency, recency, T)` collapsed into one row with a weight, sorted
/// by frequency so the terms that depend only on it are computed once per frequency.
struct Compressed {
    /// (frequency, recency, T, weight)
    rows: Vec<(u32, f64, f64, f64)>,
}

impl Compressed {
    fn new(mut rows: Vec<(u32, f64, f64)>) -> Compressed {
        rows.sort_unstable_by(|a, b| {
            a.0.cmp(&b.0)
                .then(a.1.total_cmp(&b.1))
                .then(a.2.total_cmp(&b.2))
        });
        let mut out: Vec<(u32, f64, f64, f64)> = Vec::new();
        for (x, r, t) in rows {
            match out.last_mut() {
                Some(last) if last.0 == x && last.1 == r && last.2 == t => last.3 += 1.0,
                _ => out.push((x, r, t, 1.0)),
            }
        }
        Compressed { rows: out }
    }

    fn total_weight(&self) -> f64 {
        self.rows.iter().map(|row| row.3).sum()
    }
}

/// Runs `part` on two halves of `rows` in parallel when there are many, and adds the results.
/// Two threads because the machines Peyvand targets are small; the sums are the same either way.
fn sum_in_parallel<const N: usize>(
    rows: &[(u32, f64, f64, f64)],
    part: &(dyn Fn(&[Row]) -> [f64; N] + Sync),
) -> [f64; N] {
    const PARALLEL_FROM: usize = 50_000;
    if rows.len() < PARALLEL_FROM {
        return part(rows);
    }
    let (left, right) = rows.split_at(rows.len() / 2);
    let (a, b) = std::thread::scope(|scope| {
        let handle = scope.spawn(|| part(right));
        (
            part(left),
            handle.join().expect("likelihood thread panicked"),
        )
    });
    std::array::from_fn(|i| a[i] + b[i])
}

/// Calls `each` with the rows of every distinct frequency in a slice sorted by frequency.
fn for_each_frequency(
    rows: &[(u32, f64, f64, f64)],
    mut each: impl FnMut(u32, &[(u32, f64, f64, f64)]),
) {
    let mut start = 0;
    while start < rows.len() {
        let x = rows[start].0;
        let end = start + rows[start..].partition_point(|row| row.0 == x);
        each(x, &rows[start..end]);
        start = end;
    }
}

/// BG/NBD log-likelihood summed over `rows` and its gradient with respect to (r, α, a, b).
fn bgnbd_part(p: &BgNbd, rows: &[(u32, f64, f64, f64)]) -> [f64; 5] {
    let BgNbd { r, alpha, a, b } = *p;
    let mut total = [0.0; 5];
    let (ln_alpha, psi_r, psi_ab, ln_a) = (alpha.ln(), digamma(r), digamma(a + b), a.ln());
    let base = ln_gamma(a + b) - ln_gamma(r) - ln_gamma(b) + r * ln_alpha;
    for_each_frequency(rows, |x, group| {
        let xf = f64::from(x);
        let rx = r + xf;
        let shared = base + ln_gamma(rx) + ln_gamma(b + xf) - ln_gamma(a + b + xf);
        let d_r_shared = digamma(rx) - psi_r + ln_alpha;
        let d_a_shared = psi_ab - digamma(a + b + xf);
        let d_b_shared = psi_ab + digamma(b + xf) - digamma(b) - digamma(a + b + xf);
        let ln_ratio = if x > 0 {
            ln_a - (b + xf - 1.0).ln()
        } else {
            0.0
        };
        for &(_, recency, t, weight) in group {
            let ln_alpha_t = (alpha + t).ln();
            let a3 = -rx * ln_alpha_t;
            let (ll, w3, w4, ln_alpha_recency) = if x > 0 {
                let ln_alpha_recency = (alpha + recency).ln();
                let a4 = ln_ratio - rx * ln_alpha_recency;
                // log(e^a3 + e^a4) and the share of the a4 term with a single exp.
                let gap = a4 - a3;
                let small = (-gap.abs()).exp();
                let ll = a3.max(a4) + small.ln_1p();
                let w4 = if gap > 0.0 {
                    1.0 / (1.0 + small)
                } else {
                    small / (1.0 + small)
                };
                (ll, 1.0 - w4, w4, ln_alpha_recency)
            } else {
                (a3, 1.0, 0.0, 0.0)
            };
            total[0] += weight * (shared + ll);
            total[1] += weight * (d_r_shared - w3 * ln_alpha_t - w4 * ln_alpha_recency);
            total[2] += weight * (r / alpha - rx * (w3 / (alpha + t) + w4 / (alpha + recency)));
            total[3] += weight * (d_a_shared + w4 / a);
            total[4] += weight * (d_b_shared - if x > 0 { w4 / (b + xf - 1.0) } else { 0.0 });
        }
    });
    total
}

/// Maximises a log-likelihood over log-parameters; `part` returns [ll, gradient…] in the
/// natural parameters. Works on the mean so the tolerance does not depend on the data size.
fn maximize<const N: usize>(
    model: &'static str,
    rows: &[(u32, f64, f64, f64)],
    weight: f64,
    start: &[f64],
    part: &LikelihoodPart<N>,
) -> Result<Vec<f64>, AnalyticsError> {
    let parameters = N - 1;
    let mut objective = |theta: &[f64], gradient: &mut [f64]| {
        let natural: Vec<f64> = theta.iter().map(|t| t.exp()).collect();
        let sums = sum_in_parallel(rows, &|chunk| part(&natural, chunk));
        for i in 0..parameters {
            // d/dθ = d/dp · p on the log scale; minimise the negative mean.
            gradient[i] = -sums[i + 1] * natural[i] / weight;
        }
        -sums[0] / weight
    };
    let minimum = bfgs(&mut objective, start, 1e-9, 1000).map_err(|failure| {
        AnalyticsError::NotConverged {
            model,
            reason: match failure {
                Failure::NotFinite => "the likelihood became infinite or undefined".to_owned(),
                Failure::IterationLimit { gradient } => {
                    format!("the gradient was still {gradient:.2e} after 1000 iterations")
                }
            },
        }
    })?;
    let natural: Vec<f64> = minimum.point.iter().map(|t| t.exp()).collect();
    if natural
        .iter()
        .any(|p| !p.is_finite() || *p <= 0.0 || *p > 1e12)
    {
        return Err(AnalyticsError::NotConverged {
            model,
            reason: format!(
                "a parameter ran off to zero or infinity (the data does not pin it down): {natural:?}"
            ),
        });
    }
    Ok(natural)
}

/// Fits BG/NBD by maximum likelihood to the customers' summaries.
pub fn fit_bgnbd(summaries: &[Summary]) -> Result<BgNbd, AnalyticsError> {
    if summaries.is_empty() {
        return Err(AnalyticsError::Empty);
    }
    if summaries.iter().all(|s| s.frequency == 0) {
        return Err(AnalyticsError::Insufficient(
            "no customer bought more than once, so repeat buying cannot be modelled".to_owned(),
        ));
    }
    let longest = summaries.iter().fold(0.0f64, |m, s| m.max(s.t));
    if longest <= 0.0 {
        return Err(AnalyticsError::Insufficient(
            "every customer made their first purchase on the calibration end".to_owned(),
        ));
    }
    // Rescale time so the longest T is 10: α then starts near its optimum whatever the unit.
    let scale = 10.0 / longest;
    let data = Compressed::new(
        summaries
            .iter()
            .map(|s| (s.frequency, s.recency * scale, s.t * scale))
            .collect(),
    );
    let weight = data.total_weight();
    let fitted = maximize("BG/NBD", &data.rows, weight, &[0.0; 4], &|p, rows| {
        bgnbd_part(
            &BgNbd {
                r: p[0],
                alpha: p[1],
                a: p[2],
                b: p[3],
            },
            rows,
        )
    })?;
    Ok(BgNbd {
        r: fitted[0],
        alpha: fitted[1] / scale,
        a: fitted[2],
        b: fitted[3],
    })
}

impl BgNbd {
    /// The log-likelihood of one customer's summary.
    pub fn log_likelihood(&self, s: &Summary) -> f64 {
        bgnbd_part(self, &[(s.frequency, s.recency, s.t, 1.0)])[0]
    }

    /// ((α + T) / (α + t_x))^(r + x) · a / (b + x − 1): the odds of having dropped out.
    fn dropout_odds(&self, s: &Summary) -> f64 {
        if s.frequency == 0 {
            return 0.0;
        }
        let x = f64::from(s.frequency);
        let ln_odds = (self.a / (self.b + x - 1.0)).ln()
            + (self.r + x) * ((self.alpha + s.t).ln() - (self.alpha + s.recency).ln());
        ln_odds.exp()
    }

    /// The probability that the customer is still active at the end of the calibration.
    pub fn p_alive(&self, s: &Summary) -> f64 {
        1.0 / (1.0 + self.dropout_odds(s))
    }

    /// The expected number of purchases in the `horizon` time units after the calibration end.
    pub fn expected_purchases(&self, s: &Summary, horizon: f64) -> Result<f64, AnalyticsError> {
        if horizon <= 0.0 {
            return Ok(0.0);
        }
        let BgNbd { r, alpha, a, b } = *self;
        let x = f64::from(s.frequency);
        let z = horizon / (alpha + s.t + horizon);
        let series = hyp2f1(r + x, b + x, a + b + x - 1.0, z)?;
        let decay = ((alpha + s.t) / (alpha + s.t + horizon)).powf(r + x);
        let numerator = (a + b + x - 1.0) / (a - 1.0) * (1.0 - decay * series);
        Ok(numerator / (1.0 + self.dropout_odds(s)))
    }
}

/// Gamma-Gamma log-likelihood over `(frequency, mean value, ln mean value, weight)` rows and
/// its gradient.
fn gamma_gamma_part(p: &GammaGamma, rows: &[(u32, f64, f64, f64)]) -> [f64; 4] {
    let GammaGamma { p, q, v } = *p;
    let mut total = [0.0; 4];
    let (ln_v, psi_q, ln_gamma_q) = (v.ln(), digamma(q), ln_gamma(q));
    for_each_frequency(rows, |x, group| {
        let xf = f64::from(x);
        let px = p * xf;
        let ln_x = xf.ln();
        let shared = ln_gamma(px + q) - ln_gamma(px) - ln_gamma_q + px * ln_x + q * ln_v;
        let psi_pxq = digamma(px + q);
        let d_p_shared = xf * (psi_pxq - digamma(px) + ln_x);
        let d_q_shared = psi_pxq - psi_q + ln_v;
        for &(_, mean, ln_mean, weight) in group {
            let spread = xf * mean + v;
            let ln_spread = spread.ln();
            total[0] += weight * (shared + (px - 1.0) * ln_mean - (px + q) * ln_spread);
            total[1] += weight * (d_p_shared + xf * (ln_mean - ln_spread));
            total[2] += weight * (d_q_shared - ln_spread);
            total[3] += weight * (q / v - (px + q) / spread);
        }
    });
    total
}

/// The largest q of a Gamma-Gamma fit taken as found. A q this large says customers' typical
/// spend per order varies between them by a thousandth of its size: with data like that the
/// likelihood keeps rising along a ridge towards infinite q and v, and where the search stopped
/// means nothing (published fits have q of a few units).
const MAX_SPEND_SHAPE: f64 = 1e6;

/// Fits Gamma-Gamma by maximum likelihood to the customers with repeat purchases.
pub fn fit_gamma_gamma(summaries: &[Summary]) -> Result<GammaGamma, AnalyticsError> {
    let repeaters: Vec<&Summary> = summaries.iter().filter(|s| s.frequency > 0).collect();
    if repeaters.is_empty() {
        return Err(AnalyticsError::Insufficient(
            "no customer has a repeat purchase, so the spend model cannot be fitted".to_owned(),
        ));
    }
    if let Some(bad) = repeaters
        .iter()
        .find(|s| s.monetary_value.is_nan() || s.monetary_value <= 0.0)
    {
        return Err(AnalyticsError::Insufficient(format!(
            "the spend model needs positive repeat purchase values, found {}",
            bad.monetary_value
        )));
    }
    // v is in money units; fitting on values divided by their mean keeps the start point
    // (all parameters 1) close to the optimum whatever the currency.
    let scale = repeaters.iter().map(|s| s.monetary_value).sum::<f64>() / repeaters.len() as f64;
    let data = Compressed::new(
        repeaters
            .iter()
            .map(|s| {
                let mean = s.monetary_value / scale;
                (s.frequency, mean, mean.ln())
            })
            .collect(),
    );
    let weight = data.total_weight();
    let start = [0.0; 3];
    let fitted = maximize("Gamma-Gamma", &data.rows, weight, &start, &|p, rows| {
        gamma_gamma_part(
            &GammaGamma {
                p: p[0],
                q: p[1],
                v: p[2],
            },
            rows,
        )
    })?;
    let model = GammaGamma {
        p: fitted[0],
        q: fitted[1],
        v: fitted[2] * scale,
    };
    found_spend_model(model)
}

/// Takes a fitted spend model as found, or says why it is not one: q at most 1 gives spending
/// without a finite mean, and a q past [`MAX_SPEND_SHAPE`] is a search that ran off along a
/// ridge.
fn found_spend_model(model: GammaGamma) -> Result<GammaGamma, AnalyticsError> {
    if model.q > MAX_SPEND_SHAPE {
        return Err(AnalyticsError::NotConverged {
            model: "Gamma-Gamma",
            reason: format!(
                "q ran off to {:.3e}: the repeat purchase values do not pin down how customers \
                 differ in what they spend",
                model.q
            ),
        });
    }
    if model.q <= 1.0 {
        return Err(AnalyticsError::NotConverged {
            model: "Gamma-Gamma",
            reason: format!(
                "q = {:.3} ≤ 1 gives spending without a finite mean",
                model.q
            ),
        });
    }
    Ok(model)
}

impl GammaGamma {
    /// The log-likelihood of one customer with repeat purchases.
    pub fn log_likelihood(&self, s: &Summary) -> f64 {
        let mean = s.monetary_value;
        gamma_gamma_part(self, &[(s.frequency, mean, mean.ln(), 1.0)])[0]
    }

    /// The expected value of the customer's future purchases given what they spent so far;
    /// the population mean p·v/(q − 1) for customers without repeat purchases.
    pub fn expected_average_value(&self, s: &Summary) -> f64 {
        let x = f64::from(s.frequency);
        self.p * (self.v + x * s.monetary_value) / (self.p * x + self.q - 1.0)
    }
}

/// The customer's value over `horizon` whole time units: the purchases expected in each unit
/// times the expected value of a purchase, discounted by `(1 + discount_rate)` per unit.
pub fn lifetime_value(
    purchases: &BgNbd,
    spend: &GammaGamma,
    s: &Summary,
    horizon: u32,
    discount_rate: f64,
) -> Result<f64, AnalyticsError> {
    let value = spend.expected_average_value(s);
    let mut total = 0.0;
    let mut previous = 0.0;
    for step in 1..=horizon {
        let cumulative = purchases.expected_purchases(s, f64::from(step))?;
        total += value * (cumulative - previous) / (1.0 + discount_rate).powi(step as i32);
        previous = cumulative;
    }
    Ok(total)
}

#[cfg(test)]
mod tests;
