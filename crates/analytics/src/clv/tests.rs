use super::*;

fn summary(frequency: u32, recency: f64, t: f64, monetary_value: f64) -> Summary {
    Summary {
        frequency,
        recency,
        t,
        monetary_value,
    }
}

/// A small deterministic generator (xorshift64*) so tests need no extra crate.
struct Random(u64);

impl Random {
    fn uniform(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        ((self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    fn exponential(&mut self, rate: f64) -> f64 {
        -self.uniform().ln() / rate
    }

    /// Gamma(shape, 1) by Marsaglia–Tsang, with the boost for shapes below 1.
    fn gamma(&mut self, shape: f64) -> f64 {
        if shape < 1.0 {
            return self.gamma(shape + 1.0) * self.uniform().powf(1.0 / shape);
        }
        let d = shape - 1.0 / 3.0;
        let c = 1.0 / (9.0 * d).sqrt();
        loop {
            // Box–Muller normal.
            let normal = (-2.0 * self.uniform().ln()).sqrt()
                * (2.0 * std::f64::consts::PI * self.uniform()).cos();
            let v = (1.0 + c * normal).powi(3);
            if v > 0.0 && self.uniform().ln() < 0.5 * normal * normal + d - d * v + d * v.ln() {
                return d * v;
            }
        }
    }

    fn beta(&mut self, a: f64, b: f64) -> f64 {
        let x = self.gamma(a);
        x / (x + self.gamma(b))
    }
}

/// Customers drawn from the BG/NBD story itself, observed for `t` units each.
fn simulate(truth: &BgNbd, customers: usize, t: f64) -> Vec<Summary> {
    let mut random = Random(0x9E37_79B9_7F4A_7C15);
    (0..customers)
        .map(|_| {
            let rate = random.gamma(truth.r) / truth.alpha;
            let dropout = random.beta(truth.a, truth.b);
            let (mut now, mut frequency, mut last) = (0.0, 0u32, 0.0);
            loop {
                now += random.exponential(rate);
                if now > t {
                    break;
                }
                frequency += 1;
                last = now;
                if random.uniform() < dropout {
                    break;
                }
            }
            summary(frequency, last, t, 0.0)
        })
        .collect()
}

#[test]
fn same_day_purchases_are_one_and_the_first_is_not_a_repeat() {
    let mut orders = vec![
        (10, 5.0),
        (3, 1.0),
        (10, 7.0),
        (3, 2.0),
        (24, 9.0),
        (40, 100.0),
    ];
    let s = summarize(&mut orders, 31, TimeUnit::Week).unwrap();
    assert_eq!(s.frequency, 2);
    assert!((s.recency - 3.0).abs() < 1e-12);
    assert!((s.t - 4.0).abs() < 1e-12);
    assert!((s.monetary_value - 10.5).abs() < 1e-12, "(12 + 9) / 2");
    assert_eq!(summarize(&mut [(40, 1.0)], 31, TimeUnit::Day), None);
    let single = summarize(&mut [(30, 1.0)], 31, TimeUnit::Day).unwrap();
    assert_eq!(
        (
            single.frequency,
            single.recency,
            single.t,
            single.monetary_value
        ),
        (0, 0.0, 1.0, 0.0)
    );
}

#[test]
fn analytic_gradients_match_finite_differences() {
    let rows = vec![
        (0, 0.0, 30.0, 1.0),
        (1, 3.5, 20.0, 2.0),
        (4, 18.0, 25.0, 1.0),
        (7, 2.0, 40.0, 3.0),
    ];
    let at = [0.7, 3.1, 0.9, 2.2];
    let analytic = bgnbd_part(
        &BgNbd {
            r: at[0],
            alpha: at[1],
            a: at[2],
            b: at[3],
        },
        &rows,
    );
    for i in 0..4 {
        let (mut up, mut down) = (at, at);
        up[i] += 1e-6;
        down[i] -= 1e-6;
        let f = |p: [f64; 4]| {
            bgnbd_part(
                &BgNbd {
                    r: p[0],
                    alpha: p[1],
                    a: p[2],
                    b: p[3],
                },
                &rows,
            )[0]
        };
        let numeric = (f(up) - f(down)) / 2e-6;
        assert!(
            (numeric - analytic[i + 1]).abs() < 1e-5,
            "parameter {i}: {numeric} vs {}",
            analytic[i + 1]
        );
    }
    let spend = vec![
        (1, 12.0, 12f64.ln(), 1.0),
        (3, 40.0, 40f64.ln(), 2.0),
        (6, 7.5, 7.5f64.ln(), 1.0),
    ];
    let at = [2.0, 3.5, 20.0];
    let analytic = gamma_gamma_part(
        &GammaGamma {
            p: at[0],
            q: at[1],
            v: at[2],
        },
        &spend,
    );
    for i in 0..3 {
        let (mut up, mut down) = (at, at);
        up[i] += 1e-6;
        down[i] -= 1e-6;
        let f = |p: [f64; 3]| {
            gamma_gamma_part(
                &GammaGamma {
                    p: p[0],
                    q: p[1],
                    v: p[2],
                },
                &spend,
            )[0]
        };
        let numeric = (f(up) - f(down)) / 2e-6;
        assert!((numeric - analytic[i + 1]).abs() < 1e-5, "parameter {i}");
    }
}

#[test]
fn the_fit_recovers_simulated_parameters_and_is_a_maximum() {
    let truth = BgNbd {
        r: 0.5,
        alpha: 6.0,
        a: 0.8,
        b: 2.5,
    };
    let data = simulate(&truth, 20_000, 52.0);
    let fit = fit_bgnbd(&data).unwrap();
    assert!((fit.r - truth.r).abs() / truth.r < 0.1, "{fit:?}");
    assert!(
        (fit.alpha - truth.alpha).abs() / truth.alpha < 0.15,
        "{fit:?}"
    );
    assert!((fit.a - truth.a).abs() / truth.a < 0.3, "{fit:?}");
    assert!((fit.b - truth.b).abs() / truth.b < 0.4, "{fit:?}");
    let total = |p: &BgNbd| data.iter().map(|s| p.log_likelihood(s)).sum::<f64>();
    let best = total(&fit);
    for nudge in [0.99, 1.01] {
        for i in 0..4 {
            let mut other = [fit.r, fit.alpha, fit.a, fit.b];
            other[i] *= nudge;
            let other = BgNbd {
                r: other[0],
                alpha: other[1],
                a: other[2],
                b: other[3],
            };
            assert!(
                total(&other) < best,
                "moving parameter {i} by {nudge} does not improve"
            );
        }
    }
}

#[test]
fn predictions_behave() {
    let model = BgNbd {
        r: 0.243,
        alpha: 4.414,
        a: 0.793,
        b: 2.426,
    };
    let never_repeated = summary(0, 0.0, 38.0, 0.0);
    assert_eq!(model.p_alive(&never_repeated), 1.0);
    // A frequent buyer silent for a long time is probably gone; a recent one is not.
    let silent = summary(10, 5.0, 38.0, 20.0);
    let recent = summary(10, 37.0, 38.0, 20.0);
    assert!(model.p_alive(&silent) < 0.1);
    assert!(model.p_alive(&recent) > 0.9);
    let soon = model.expected_purchases(&recent, 10.0).unwrap();
    let later = model.expected_purchases(&recent, 20.0).unwrap();
    assert!(soon > 0.0 && later > soon);
    assert!(model.expected_purchases(&silent, 10.0).unwrap() < soon);
    let spend = GammaGamma {
        p: 6.25,
        q: 3.74,
        v: 15.44,
    };
    let population = spend.p * spend.v / (spend.q - 1.0);
    assert!((spend.expected_average_value(&never_repeated) - population).abs() < 1e-9);
    let undiscounted = lifetime_value(&model, &spend, &recent, 20, 0.0).unwrap();
    let expected = later * spend.expected_average_value(&recent);
    assert!((undiscounted - expected).abs() < 1e-9 * expected);
    assert!(lifetime_value(&model, &spend, &recent, 20, 0.1).unwrap() < undiscounted);
}

#[test]
fn degenerate_data_is_refused_with_a_reason() {
    assert_eq!(fit_bgnbd(&[]), Err(AnalyticsError::Empty));
    let nobody_returns = vec![summary(0, 0.0, 10.0, 0.0); 5];
    assert!(matches!(
        fit_bgnbd(&nobody_returns),
        Err(AnalyticsError::Insufficient(_))
    ));
    assert!(matches!(
        fit_gamma_gamma(&nobody_returns),
        Err(AnalyticsError::Insufficient(_))
    ));
}

/// Spend that differs between customers in a way the model's gamma mixing cannot separate from
/// the spread within each customer (levels 1–20 times a uniform amount, similar purchase counts):
/// the likelihood keeps rising towards infinite q and v, and the point where the search stops
/// must be refused rather than returned as a model.
#[test]
fn a_spend_model_that_runs_off_to_infinity_is_refused() {
    // Whole numbers below n from a plain xorshift, as the benchmark's generator draws them.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut below = |n: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n) as f64
    };
    let customers: Vec<Summary> = (0..10_000)
        .map(|_| {
            let level = below(20) + 1.0;
            let frequency = below(11) as u32 + 4;
            let total: f64 = (0..frequency)
                .map(|_| level * (below(100) + 1.0) * 1e5)
                .sum();
            summary(frequency, 10.0, 20.0, total / f64::from(frequency))
        })
        .collect();
    // Where the search stops on such data depends on rounding (a build with other
    // optimisations stops elsewhere), so either refusal will do here; the one for a point far
    // out on the ridge is checked on its own below.
    assert!(
        matches!(
            fit_gamma_gamma(&customers),
            Err(AnalyticsError::NotConverged {
                model: "Gamma-Gamma",
                ..
            })
        ),
        "{:?}",
        fit_gamma_gamma(&customers)
    );
    // The point a release build reached on this data: p, q and v far out on the ridge.
    let ran_off = GammaGamma {
        p: 0.2398,
        q: 2.03e7,
        v: 4.50e15,
    };
    match found_spend_model(ran_off) {
        Err(AnalyticsError::NotConverged { model, reason }) => {
            assert_eq!(model, "Gamma-Gamma");
            assert!(reason.contains("q ran off"), "{reason}");
        }
        other => panic!("a model came back: {other:?}"),
    }
    let cdnow = GammaGamma {
        p: 6.25,
        q: 3.74,
        v: 15.44,
    };
    assert_eq!(found_spend_model(cdnow), Ok(cdnow));
}
