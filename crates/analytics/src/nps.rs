//! Net Promoter Score and customer satisfaction from 0–10 survey answers.
//!
//! Promoters answer 9–10, passives 7–8, detractors 0–6. NPS is the percentage of promoters
//! minus the percentage of detractors, from −100 to 100. CSAT here is the percentage of
//! satisfied answers, those of 7 or more (passives and promoters), from 0 to 100.

use crate::dates::{self, Day};

/// Counts and scores for a set of answers.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Score {
    /// Number of answers.
    pub responses: u64,
    /// Answers of 9 or 10.
    pub promoters: u64,
    /// Answers of 7 or 8.
    pub passives: u64,
    /// Answers of 0 to 6.
    pub detractors: u64,
}

impl Score {
    /// Adds one answer (0–10).
    pub fn add(&mut self, answer: u8) {
        self.responses += 1;
        match answer {
            9.. => self.promoters += 1,
            7..=8 => self.passives += 1,
            _ => self.detractors += 1,
        }
    }

    /// % promoters − % detractors; `None` without answers.
    pub fn nps(&self) -> Option<f64> {
        (self.responses > 0).then(|| {
            100.0 * (self.promoters as f64 - self.detractors as f64) / self.responses as f64
        })
    }

    /// % of answers of 7 or more; `None` without answers.
    pub fn csat(&self) -> Option<f64> {
        (self.responses > 0)
            .then(|| 100.0 * (self.promoters + self.passives) as f64 / self.responses as f64)
    }
}

/// How answers are grouped in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// Calendar months: `2024-03` (or `1403-01` in the Jalali calendar).
    Month,
    /// Quarters: `2024-Q1`.
    Quarter,
    /// Years: `2024`.
    Year,
}

/// The label of the period containing `day`; labels sort in time order.
pub fn period_label(day: Day, period: Period, jalali: bool) -> String {
    let (year, month) = dates::month_label(day, jalali);
    match period {
        Period::Month => format!("{year:04}-{month:02}"),
        Period::Quarter => format!("{year:04}-Q{}", (month - 1) / 3 + 1),
        Period::Year => format!("{year:04}"),
    }
}

/// One period's result with the change of NPS since the previous period.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodScore {
    /// The group this row is for (for example a branch or segment), empty for all answers.
    pub group: String,
    /// The period label.
    pub period: String,
    /// The counts.
    pub score: Score,
    /// NPS minus the previous period's NPS in the same group; `None` for the first period.
    pub trend: Option<f64>,
}

/// Scores answers `(group, day, answer)` per group and period, periods in time order, with the
/// trend between consecutive periods of a group.
pub fn by_period(answers: &[(String, Day, u8)], period: Period, jalali: bool) -> Vec<PeriodScore> {
    let mut table: std::collections::BTreeMap<(String, String), Score> = Default::default();
    for (group, day, answer) in answers {
        table
            .entry((group.clone(), period_label(*day, period, jalali)))
            .or_default()
            .add(*answer);
    }
    let mut out: Vec<PeriodScore> = Vec::with_capacity(table.len());
    for ((group, period), score) in table {
        let trend = match out.last() {
            Some(previous) if previous.group == group => {
                Some(score.nps().unwrap_or(0.0) - previous.score.nps().unwrap_or(0.0))
            }
            _ => None,
        };
        out.push(PeriodScore {
            group,
            period,
            score,
            trend,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dates::days_from_civil;

    #[test]
    fn nps_counts_promoters_minus_detractors() {
        let mut score = Score::default();
        for answer in [10, 9, 9, 8, 7, 6, 0, 10, 3, 9] {
            score.add(answer);
        }
        assert_eq!(
            (score.promoters, score.passives, score.detractors),
            (5, 2, 3)
        );
        assert_eq!(score.nps(), Some(20.0));
        assert_eq!(score.csat(), Some(70.0));
        assert_eq!(Score::default().nps(), None);
        let mut all_detractors = Score::default();
        all_detractors.add(0);
        assert_eq!(all_detractors.nps(), Some(-100.0));
    }

    #[test]
    fn periods_are_grouped_in_order_with_trend() {
        let day = |y, m, d| days_from_civil(y, m, d);
        let answers = vec![
            (String::new(), day(2024, 2, 10), 10),
            (String::new(), day(2024, 1, 5), 0),
            (String::new(), day(2024, 2, 11), 6),
            (String::new(), day(2024, 4, 1), 9),
        ];
        let months = by_period(&answers, Period::Month, false);
        let labels: Vec<&str> = months.iter().map(|p| p.period.as_str()).collect();
        assert_eq!(labels, ["2024-01", "2024-02", "2024-04"]);
        assert_eq!(months[0].trend, None);
        assert_eq!(months[1].trend, Some(100.0), "-100 then 0");
        let quarters = by_period(&answers, Period::Quarter, false);
        assert_eq!(quarters[0].period, "2024-Q1");
        assert_eq!(quarters[0].score.responses, 3);
        assert_eq!(
            period_label(day(2024, 3, 20), Period::Month, true),
            "1403-01"
        );
    }
}
