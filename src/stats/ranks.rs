//! Ranks and tie groups: the building blocks shared by the rank-based tests
//! (Mann-Kendall variance, Hamed-Rao, Pettitt). Ties are numeric equality
//! (`-0.0 == 0.0`), as numpy's `unique`, scipy's `rankdata` and R's `rank`
//! and `table` treat them. Not public.

/// Sizes of the groups of equal values, summarised as the two sums the
/// Mann-Kendall family needs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct TieSummary {
    /// `sum_g t_g (t_g - 1)(2 t_g + 5)`, the Var(S) correction.
    pub(crate) variance_term: f64,
    /// `sum_g t_g (t_g - 1) / 2`, the tied pairs `n1` of tau-b.
    pub(crate) tied_pairs: f64,
}

impl TieSummary {
    /// Summarise ties of a slice already sorted in numeric order.
    pub(crate) fn of_sorted(sorted: &[f64]) -> TieSummary {
        let mut variance_term: u128 = 0;
        let mut tied_pairs: u128 = 0;
        let mut start = 0;
        while start < sorted.len() {
            let mut end = start + 1;
            while end < sorted.len() && sorted[end] == sorted[start] {
                end += 1;
            }
            let t = (end - start) as u128;
            variance_term += t * (t - 1) * (2 * t + 5);
            tied_pairs += t * (t - 1) / 2;
            start = end;
        }
        TieSummary {
            variance_term: variance_term as f64,
            tied_pairs: tied_pairs as f64,
        }
    }
}

/// Mann-Kendall variance of S with the tie correction:
/// `[n(n-1)(2n+5) - sum_g t_g(t_g-1)(2t_g+5)] / 18`.
pub(crate) fn variance_of_s(n: usize, ties: TieSummary) -> f64 {
    let n = n as u128;
    let untied = (n * n.saturating_sub(1) * (2 * n + 5)) as f64;
    (untied - ties.variance_term) / 18.0
}

/// Average ranks (1-based; tied values share the mean of their positions),
/// as scipy.stats.rankdata(method="average") and R's rank(). `order` is
/// scratch space; `ranks` receives one rank per value.
pub(crate) fn average_ranks(values: &[f64], order: &mut Vec<usize>, ranks: &mut Vec<f64>) {
    let n = values.len();
    order.clear();
    order.extend(0..n);
    order.sort_unstable_by(|&a, &b| values[a].total_cmp(&values[b]));
    ranks.clear();
    ranks.resize(n, 0.0);
    let mut start = 0;
    while start < n {
        let mut end = start + 1;
        while end < n && values[order[end]] == values[order[start]] {
            end += 1;
        }
        // Positions start+1 ..= end (1-based) share their mean.
        let rank = (start + 1 + end) as f64 / 2.0;
        for &i in &order[start..end] {
            ranks[i] = rank;
        }
        start = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn average_ranks_match_scipy_rankdata() {
        // scipy 1.17.1: rankdata([3, 1, 3, 2, 3, -0.0, 0.0]) =
        // [6., 3., 6., 4., 6., 1.5, 1.5]
        let (mut order, mut ranks) = (Vec::new(), Vec::new());
        average_ranks(
            &[3.0, 1.0, 3.0, 2.0, 3.0, -0.0, 0.0],
            &mut order,
            &mut ranks,
        );
        assert_eq!(ranks, vec![6.0, 3.0, 6.0, 4.0, 6.0, 1.5, 1.5]);
    }

    #[test]
    fn tie_summary_counts_groups() {
        let ties = TieSummary::of_sorted(&[1.0, 1.0, 2.0, 3.0, 3.0, 3.0]);
        // t = 2: 2*1*9 = 18; t = 3: 3*2*11 = 66
        assert_eq!(ties.variance_term, 84.0);
        assert_eq!(ties.tied_pairs, 1.0 + 3.0);
        // Var(S) for n = 6: (6*5*17 - 84)/18 = 23.666...
        assert!((variance_of_s(6, ties) - (510.0 - 84.0) / 18.0).abs() < 1e-12);
    }
}
