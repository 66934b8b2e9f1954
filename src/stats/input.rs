//! Input checks shared by every method, so that each one rejects bad series
//! in the same order and with the same reason: length mismatch, then a
//! non-finite value, then too few observations, then unordered time. Not
//! public: callers see only the resulting [`Unavailable`] reasons.

use super::Unavailable;

/// Values only (order-based methods such as Mann-Kendall and Pettitt).
pub(crate) fn check_values(values: &[f64], needed: usize) -> Result<(), Unavailable> {
    if values.iter().any(|v| !v.is_finite()) {
        return Err(Unavailable::NonFinite);
    }
    if values.len() < needed {
        return Err(Unavailable::TooFewObservations { needed });
    }
    Ok(())
}

/// Time and values (spacing-based methods): same length, finite, at least
/// `needed` observations, time strictly increasing.
pub(crate) fn check_series(x: &[f64], values: &[f64], needed: usize) -> Result<(), Unavailable> {
    if x.len() != values.len() {
        return Err(Unavailable::LengthMismatch);
    }
    if x.iter().any(|v| !v.is_finite()) {
        return Err(Unavailable::NonFinite);
    }
    check_values(values, needed)?;
    if x.windows(2).any(|w| w[1] <= w[0]) {
        return Err(Unavailable::TimeNotIncreasing);
    }
    Ok(())
}

/// `v > 0`, false for NaN: the test every divisor and variance passes
/// before it is used, so that a NaN can never slip through as "positive".
pub(crate) fn is_positive(v: f64) -> bool {
    v > 0.0
}

/// Guard applied to every result before it is returned: a non-finite field
/// (overflow on extreme inputs) becomes a reason instead of a silent NaN.
pub(crate) fn all_finite(fields: &[f64]) -> Result<(), Unavailable> {
    if fields.iter().all(|v| v.is_finite()) {
        Ok(())
    } else {
        Err(Unavailable::NumericalFailure)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_come_in_a_fixed_order() {
        assert_eq!(
            check_series(&[1.0], &[1.0, 2.0], 3),
            Err(Unavailable::LengthMismatch)
        );
        assert_eq!(
            check_series(&[1.0, f64::NAN], &[1.0, 2.0], 3),
            Err(Unavailable::NonFinite)
        );
        assert_eq!(
            check_series(&[1.0, 2.0], &[1.0, 2.0], 3),
            Err(Unavailable::TooFewObservations { needed: 3 })
        );
        assert_eq!(
            check_series(&[1.0, 1.0, 2.0], &[1.0, 2.0, 3.0], 3),
            Err(Unavailable::TimeNotIncreasing)
        );
        assert_eq!(check_series(&[1.0, 2.0, 3.0], &[1.0, 2.0, 3.0], 3), Ok(()));
    }
}
