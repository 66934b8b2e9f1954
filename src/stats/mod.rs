//! Trend statistics: the Mann-Kendall test and its autocorrelation-corrected variants,
//! its seasonal and regional forms over several series, Sen's slope, ordinary and log-linear
//! (annual percent change) regression, joinpoint regression, Pettitt's change
//! point, growth rates and share changes, tests on proportions and lagged
//! cross-correlation.
//!
//! Everything here is pure computation on plain slices: values in time order
//! with missing periods absent (a gap is never a zero) and, where spacing
//! matters, `x` in years (2017Q2 is 2017.25). Each method returns a result
//! struct whose fields are named from the domain, or an [`Unavailable`] reason
//! that can be shown to a reader ("fewer than 3 observations"). No function
//! panics, hangs or returns a NaN field, whatever the input.
//!
//! The conventions, and the reference implementation each one matches, are
//! those of `STATISTICS.md`; every function's documentation names its formula,
//! its edge cases and its reference. This module does not align series,
//! aggregate regions, pick windows or read configuration: callers do that and
//! pass the chosen parameters ([`Alpha`], [`JoinpointOptions`]) in.

mod cross_correlation;
mod distribution;
mod growth;
mod input;
mod joinpoint;
mod linear;
mod log_linear;
mod mann_kendall;
mod modified_mann_kendall;
mod multivariate_kendall;
mod pettitt;
mod proportions;
mod ranks;
mod sen;
mod significance;
mod unavailable;

pub use cross_correlation::{cross_correlation, CrossCorrelation, LagCorrelation};
pub use distribution::{
    f_sf, normal_quantile, normal_sf, normal_two_sided_p, t_quantile, t_two_sided_p,
    T_QUANTILE_CORNISH_FISHER_DF, T_QUANTILE_MIN_TAIL,
};
pub use growth::{
    cagr, percentage_point_change, relative_change_percent, share, share_change, CompoundGrowth,
    ShareChange,
};
pub use joinpoint::{
    fit_joinpoint, joinpoint_parallelism, nci_max_joinpoints, Joinpoint, JoinpointModel,
    JoinpointOptions, JoinpointSegment, JoinpointSelection, Parallelism, PermutationTest,
    EXACT_FIT_LOG_RESIDUAL, MAX_JOINPOINTS, NCI_PERMUTATIONS, SSE_TIE_RELATIVE,
};
pub use linear::{linear_trend, LinearTrend};
pub use log_linear::{annual_percent_change, AnnualPercentChange};
pub use mann_kendall::{mann_kendall, mann_kendall_min_p, MannKendall};
pub use modified_mann_kendall::{
    correction_applies, hamed_rao, trend_free_prewhitening, yue_wang, HamedRao,
    TrendFreePrewhitening, YueWang, CORRECTION_MIN_N, CORRECTION_MIN_RATIO,
};
pub use multivariate_kendall::{
    block_mann_kendall, correlated_regional_kendall, regional_kendall, seasonal_mann_kendall,
    BlockKendall, CorrelatedKendall,
};
pub use pettitt::{pettitt, Pettitt};
pub use proportions::{
    cochran_armitage, two_proportion_z_test, CochranArmitage, Proportion, TwoProportionTest,
};
pub use sen::{sen_slope, SenSlope};
pub use significance::{Alpha, Trend};
pub use unavailable::Unavailable;
