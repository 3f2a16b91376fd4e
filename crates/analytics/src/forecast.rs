//! Forecasting next period's count from past periods, for staffing (how many cases next month).
//!
//! A straight line fitted by least squares to the most recent periods (at most
//! [`WINDOW`]), extended one period; with fewer than three periods there is no trend to speak
//! of and the forecast is their mean. Never below zero.

/// Most recent periods the line is fitted to.
pub const WINDOW: usize = 12;

/// The forecast for the period after `counts` (oldest first); `None` without any count.
pub fn next_count(counts: &[i64]) -> Option<i64> {
    let recent = &counts[counts.len().saturating_sub(WINDOW)..];
    let n = recent.len();
    if n == 0 {
        return None;
    }
    let mean_y = recent.iter().sum::<i64>() as f64 / n as f64;
    if n < 3 {
        return Some(mean_y.round().max(0.0) as i64);
    }
    let mean_x = (n as f64 - 1.0) / 2.0;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (i, y) in recent.iter().enumerate() {
        let dx = i as f64 - mean_x;
        sxy += dx * (*y as f64 - mean_y);
        sxx += dx * dx;
    }
    let slope = sxy / sxx;
    let next = mean_y + slope * (n as f64 - mean_x);
    Some(next.round().max(0.0) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_steady_trend_is_extended() {
        assert_eq!(next_count(&[10, 20, 30, 40]), Some(50));
        assert_eq!(next_count(&[100, 100, 100]), Some(100));
    }

    #[test]
    fn short_histories_give_their_mean_and_never_a_negative() {
        assert_eq!(next_count(&[]), None);
        assert_eq!(next_count(&[7]), Some(7));
        assert_eq!(next_count(&[4, 6]), Some(5));
        assert_eq!(next_count(&[30, 20, 10, 0]), Some(0));
    }

    #[test]
    fn only_the_last_twelve_periods_count() {
        let mut counts = vec![1000; 5];
        counts.extend([10; 12]);
        assert_eq!(next_count(&counts), Some(10));
    }
}
