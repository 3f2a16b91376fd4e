//! The customer value pyramid and the profitability matrix.
//!
//! **Pyramid.** Customers are ranked by profit, highest first, ties by customer id ascending
//! as text. The top `ceil(20% · n)` are `top`, the next customers up to the last
//! `min(ceil(20% · n), n − top)` are `middle`, and those last ones are `bottom`.
//!
//! **Profitability matrix** (after Shapiro et al., "Manage customers for profits (not just
//! sales)", 1987). Each customer has a gross margin `(revenue − product_cost) / revenue` and a
//! cost-to-serve ratio `cost_to_serve / revenue`. A value is *high* when it is strictly above
//! the threshold, which is the median over all customers unless given. The cells are:
//!
//! | cell               | margin | cost to serve |
//! |--------------------|--------|---------------|
//! | `passive_champion` | high   | low           |
//! | `demanding`        | high   | high          |
//! | `cheap_familiar`   | low    | low           |
//! | `aggressive`       | low    | high          |
//!
//! ("loser/aggressive" customers squeeze the price and demand much service.) Customers
//! without revenue have neither ratio; they are put in `aggressive` when they cost anything to
//! serve and in `cheap_familiar` otherwise.

/// What a customer brought in and cost, in one currency.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Economics {
    /// Sales to the customer.
    pub revenue: f64,
    /// What the goods or services sold cost.
    pub product_cost: f64,
    /// Selling, delivery and support costs attributed to the customer.
    pub cost_to_serve: f64,
}

impl Economics {
    /// Revenue minus all costs.
    pub fn profit(&self) -> f64 {
        self.revenue - self.product_cost - self.cost_to_serve
    }

    /// Gross margin as a fraction of revenue; `None` without revenue.
    pub fn margin(&self) -> Option<f64> {
        (self.revenue > 0.0).then(|| (self.revenue - self.product_cost) / self.revenue)
    }

    /// Cost to serve as a fraction of revenue; `None` without revenue.
    pub fn cost_to_serve_ratio(&self) -> Option<f64> {
        (self.revenue > 0.0).then(|| self.cost_to_serve / self.revenue)
    }
}

/// A level of the value pyramid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tier {
    /// The most profitable 20%.
    Top,
    /// The 60% in between.
    Middle,
    /// The least profitable 20%.
    Bottom,
}

impl Tier {
    /// The code written to CSV.
    pub fn code(self) -> &'static str {
        match self {
            Tier::Top => "top",
            Tier::Middle => "middle",
            Tier::Bottom => "bottom",
        }
    }
}

/// The rank (1 = most profitable) and tier of each customer, in input order. `id_rank` is the
/// text-order rank of each id (see [`crate::rfm::rank_ids`]).
pub fn pyramid(profits: &[f64], id_rank: &[u32]) -> Vec<(usize, Tier)> {
    let n = profits.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_unstable_by(|&a, &b| {
        profits[b]
            .total_cmp(&profits[a])
            .then(id_rank[a].cmp(&id_rank[b]))
    });
    let top = n.div_ceil(5);
    let bottom = n.div_ceil(5).min(n - top);
    let mut out = vec![(0, Tier::Middle); n];
    for (position, &index) in order.iter().enumerate() {
        let tier = if position < top {
            Tier::Top
        } else if position >= n - bottom {
            Tier::Bottom
        } else {
            Tier::Middle
        };
        out[index] = (position + 1, tier);
    }
    out
}

/// A cell of the profitability matrix; see the module documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Cell {
    /// High margin, low cost to serve.
    PassiveChampion,
    /// High margin, high cost to serve.
    Demanding,
    /// Low margin, low cost to serve.
    CheapFamiliar,
    /// Low margin, high cost to serve.
    Aggressive,
}

impl Cell {
    /// All cells in table order.
    pub const ALL: [Cell; 4] = [
        Cell::PassiveChampion,
        Cell::Demanding,
        Cell::CheapFamiliar,
        Cell::Aggressive,
    ];

    /// The code written to CSV.
    pub fn code(self) -> &'static str {
        match self {
            Cell::PassiveChampion => "passive_champion",
            Cell::Demanding => "demanding",
            Cell::CheapFamiliar => "cheap_familiar",
            Cell::Aggressive => "aggressive",
        }
    }
}

/// The median of the values present; `None` when there are none.
pub fn median(values: impl Iterator<Item = f64>) -> Option<f64> {
    let mut values: Vec<f64> = values.collect();
    if values.is_empty() {
        return None;
    }
    values.sort_unstable_by(f64::total_cmp);
    let middle = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[middle]
    } else {
        (values[middle - 1] + values[middle]) / 2.0
    })
}

/// The thresholds used by [`matrix`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// Margins above this are high.
    pub margin: f64,
    /// Cost-to-serve ratios above this are high.
    pub cost_to_serve: f64,
}

/// The median thresholds over the customers with revenue.
pub fn median_thresholds(customers: &[Economics]) -> Thresholds {
    Thresholds {
        margin: median(customers.iter().filter_map(Economics::margin)).unwrap_or(0.0),
        cost_to_serve: median(customers.iter().filter_map(Economics::cost_to_serve_ratio))
            .unwrap_or(0.0),
    }
}

/// The cell of one customer.
pub fn cell(customer: &Economics, thresholds: &Thresholds) -> Cell {
    match (customer.margin(), customer.cost_to_serve_ratio()) {
        (Some(margin), Some(cost)) => {
            match (margin > thresholds.margin, cost > thresholds.cost_to_serve) {
                (true, false) => Cell::PassiveChampion,
                (true, true) => Cell::Demanding,
                (false, false) => Cell::CheapFamiliar,
                (false, true) => Cell::Aggressive,
            }
        }
        _ if customer.cost_to_serve > 0.0 => Cell::Aggressive,
        _ => Cell::CheapFamiliar,
    }
}

/// The cell of every customer, in input order.
pub fn matrix(customers: &[Economics], thresholds: &Thresholds) -> Vec<Cell> {
    customers.iter().map(|c| cell(c, thresholds)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pyramid_splits_twenty_sixty_twenty_with_ties_by_id() {
        let profits: Vec<f64> = (0..10).map(|i| f64::from(i % 5)).collect();
        let rank: Vec<u32> = (0..10).collect();
        let tiers = pyramid(&profits, &rank);
        let count = |tier| tiers.iter().filter(|t| t.1 == tier).count();
        assert_eq!(
            (count(Tier::Top), count(Tier::Middle), count(Tier::Bottom)),
            (2, 6, 2)
        );
        // Profit 4 twice (ids 4 and 9): id 4 first.
        assert_eq!(tiers[4], (1, Tier::Top));
        assert_eq!(tiers[9], (2, Tier::Top));
        assert_eq!(tiers[5].1, Tier::Bottom);
        assert_eq!(pyramid(&[1.0], &[0]), vec![(1, Tier::Top)]);
        let three = pyramid(&[3.0, 2.0, 1.0], &[0, 1, 2]);
        assert_eq!(
            three.iter().map(|t| t.1).collect::<Vec<_>>(),
            [Tier::Top, Tier::Middle, Tier::Bottom]
        );
    }

    #[test]
    fn matrix_cells_follow_margin_and_cost_to_serve() {
        let customer = |revenue, product_cost, cost_to_serve| Economics {
            revenue,
            product_cost,
            cost_to_serve,
        };
        let customers = [
            customer(100.0, 40.0, 5.0),  // margin 0.6, cost 0.05
            customer(100.0, 40.0, 30.0), // 0.6, 0.3
            customer(100.0, 80.0, 5.0),  // 0.2, 0.05
            customer(100.0, 80.0, 30.0), // 0.2, 0.3
            customer(0.0, 0.0, 10.0),
        ];
        let thresholds = median_thresholds(&customers);
        assert_eq!(
            thresholds,
            Thresholds {
                margin: 0.4,
                cost_to_serve: 0.175
            }
        );
        assert_eq!(
            matrix(&customers, &thresholds),
            [
                Cell::PassiveChampion,
                Cell::Demanding,
                Cell::CheapFamiliar,
                Cell::Aggressive,
                Cell::Aggressive
            ]
        );
        assert_eq!(customers[1].profit(), 30.0);
    }
}
