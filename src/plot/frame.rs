//! What the layout modules share: the [`Ctx`] of one figure (chart, prepared data, theme,
//! canvas size) and the [`Frame`] that maps data units to the pixels of one plot rectangle,
//! with the time range a plot shows.
//!
//! Geometry only: nothing is drawn here, and where a frame sits on the canvas is decided by
//! its caller (a single plot or a panel of small multiples).

use super::prepare::Prepared;
use super::scale::{self, TimeTicks};
use super::theme::Theme;
use super::Chart;
use crate::i18n::Texts;

/// One figure being laid out: its chart, prepared data and theme, and the canvas width in px.
pub(super) struct Ctx<'a> {
    pub(super) chart: &'a Chart,
    pub(super) p: &'a Prepared,
    pub(super) t: &'a Theme,
    pub(super) w: f64,
}

/// A plot rectangle and the data ranges it maps.
#[derive(Debug, Clone, Copy)]
pub(super) struct Frame {
    pub(super) left: f64,
    pub(super) right: f64,
    pub(super) top: f64,
    pub(super) bottom: f64,
    pub(super) x0: f64,
    pub(super) x1: f64,
    pub(super) y0: f64,
    pub(super) y1: f64,
}

impl Frame {
    pub(super) fn px(&self, x: f64) -> f64 {
        self.left + (x - self.x0) / (self.x1 - self.x0) * (self.right - self.left)
    }
    pub(super) fn py(&self, y: f64) -> f64 {
        self.bottom - (y - self.y0) / (self.y1 - self.y0) * (self.bottom - self.top)
    }
    /// The time-axis ticks of this frame over the periods of `p`, spaced so that labels
    /// `label_w` wide keep 1.2 tick em apart.
    pub(super) fn time_ticks(&self, p: &Prepared, label_w: f64, tick_em: f64) -> TimeTicks {
        let px_per_year = (self.right - self.left) / (self.x1 - self.x0);
        let (first, last) = (p.grid[0], p.grid[p.grid.len() - 1]);
        scale::time_ticks(
            first,
            last,
            p.quarterly,
            px_per_year,
            label_w + 1.2 * tick_em,
            Texts::of(p.language),
        )
    }
}

/// The time range a plot shows: its first to last period with `pad` beyond each end, or half
/// a step each way around a single period.
pub(super) fn time_range(p: &Prepared, pad: f64) -> (f64, f64) {
    let (first, last) = (p.grid[0], p.grid[p.grid.len() - 1]);
    if last > first {
        (first - pad, last + pad)
    } else {
        (first - 0.5 * p.step, last + 0.5 * p.step)
    }
}
