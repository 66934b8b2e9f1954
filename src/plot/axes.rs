//! The axes of a plot frame: the y-axis title (measure and display unit), value gridlines and
//! tick labels, the zero line, time tick marks and labels, and the room they take.
//!
//! Which tick values and how many come from `scale.rs`; this module only turns them into text
//! and rules around a [`Frame`]. Not here: the data marks (`marks.rs`) or how panels share an
//! axis (`panels.rs`).

use super::frame::{Ctx, Frame};
use super::prepare::Prepared;
use super::scale::{Ticks, TimeTicks};
use super::scene::{Align, Scene, ASCENT_EM, DESCENT_EM};
use super::text::{clean_line, text_block, wrap};
use super::theme::{self, Theme};
use super::{Chart, PlotError};
use crate::i18n::Texts;
use crate::model::Period;

/// Draws the y-axis title (measure and unit) as a wrapped block at `y`, above the plot or
/// panels; returns the y below it, or `None` when there is no title.
pub(super) fn axis_title_block(
    ctx: &Ctx,
    scene: &mut Scene,
    y: f64,
) -> Result<Option<f64>, PlotError> {
    let (t, m) = (ctx.t, ctx.t.margin);
    let axis = axis_title(ctx.chart, ctx.p);
    if axis.is_empty() {
        return Ok(None);
    }
    let lines = wrap(&axis, t.body_em, false, ctx.w - 2.0 * m)?;
    text_block(
        scene,
        &lines,
        m,
        y,
        t.body_em,
        false,
        theme::BODY_INK,
        Align::Left,
    )
    .map(Some)
}

/// The y-axis title: the measure and the display unit.
fn axis_title(chart: &Chart, p: &Prepared) -> String {
    let texts = Texts::of(p.language);
    let measure = clean_line(&chart.y_label);
    let code = &p.unit.label;
    if p.unit.percent || code == "count" || code.is_empty() {
        if measure.is_empty() && p.unit.percent {
            return texts.get("axis-share");
        }
        return measure;
    }
    let unit = p.unit.text(texts);
    if measure.is_empty() {
        unit
    } else {
        texts.format(
            "axis-title",
            &[("measure", measure.into()), ("unit", unit.into())],
        )
    }
}

/// A value tick label: the language's grouping and decimal separator, a true minus sign,
/// the language's percent sign for shares.
pub(super) fn tick_label(v: f64, ticks: &Ticks, percent: bool, texts: &Texts) -> String {
    let v = if ticks.log { 10f64.powf(v) } else { v };
    let s = texts.number(v, ticks.decimals).replace('-', "\u{2212}");
    if percent {
        texts.format("percent", &[("value", s.into())])
    } else {
        s
    }
}

/// Space for x tick labels under a plot: tick, gap, one line of tick text.
pub(super) fn x_label_band(t: &Theme) -> f64 {
    (0.35 + 0.35 + ASCENT_EM + DESCENT_EM) * t.tick_em
}

/// The widest possible time label, for spacing ticks.
pub(super) fn time_label_width(ctx: &Ctx) -> Result<f64, PlotError> {
    if !ctx.p.quarterly {
        return theme::text_width("2000", ctx.t.tick_em, false);
    }
    let texts = Texts::of(ctx.p.language);
    let mut widest: f64 = 0.0;
    for quarter in 1..=4 {
        let label = texts.period(Period {
            year: 2000,
            quarter: Some(quarter),
        });
        widest = widest.max(theme::text_width(&label, ctx.t.tick_em, false)?);
    }
    Ok(widest)
}

/// y axis: gridlines, tick labels left of `frame`, and the zero line.
pub(super) fn draw_y_axis(
    ctx: &Ctx,
    scene: &mut Scene,
    f: &Frame,
    ticks: &Ticks,
) -> Result<(), PlotError> {
    let t = ctx.t;
    for &v in &ticks.values {
        let y = f.py(v);
        if v != 0.0 {
            scene.line((f.left, y), (f.right, y), theme::GRID, t.grid_w);
        }
        let label = tick_label(v, ticks, ctx.p.unit.percent, Texts::of(ctx.p.language));
        scene.text(
            &label,
            f.left - 0.5 * t.tick_em,
            y + 0.365 * t.tick_em,
            t.tick_em,
            false,
            theme::BODY_INK,
            Align::Right,
        )?;
    }
    Ok(())
}

pub(super) fn draw_zero_line(ctx: &Ctx, scene: &mut Scene, f: &Frame) {
    let y = f.py(0.0_f64.clamp(f.y0, f.y1));
    scene.line((f.left, y), (f.right, y), theme::AXIS, ctx.t.axis_w);
}

/// x axis: tick marks and labels under `frame`.
pub(super) fn draw_x_axis(
    ctx: &Ctx,
    scene: &mut Scene,
    f: &Frame,
    ticks: &TimeTicks,
    labels: bool,
    marks: bool,
) -> Result<(), PlotError> {
    let t = ctx.t;
    let em = t.tick_em;
    if marks {
        for &x in &ticks.minor {
            let px = f.px(x);
            scene.line(
                (px, f.bottom),
                (px, f.bottom + 0.2 * em),
                theme::AXIS,
                t.grid_w,
            );
        }
        for (x, _) in &ticks.major {
            let px = f.px(*x);
            scene.line(
                (px, f.bottom),
                (px, f.bottom + 0.35 * em),
                theme::AXIS,
                t.axis_w,
            );
        }
    }
    if labels {
        let baseline = f.bottom + (0.35 + 0.35 + ASCENT_EM) * em;
        for (x, label) in &ticks.major {
            scene.text(
                label,
                f.px(*x),
                baseline,
                em,
                false,
                theme::BODY_INK,
                Align::Center,
            )?;
        }
    }
    Ok(())
}

/// Number of y intervals that keep tick labels well apart at this plot height.
pub(super) fn y_intervals(t: &Theme, plot_h: f64) -> usize {
    ((plot_h / (3.0 * t.tick_em)).floor() as usize).clamp(2, 8)
}

/// The same for the small panels of small multiples, which tolerate tighter ticks.
pub(super) fn panel_y_intervals(t: &Theme, plot_h: f64) -> usize {
    ((plot_h / (2.2 * t.tick_em)).floor() as usize).clamp(2, 5)
}
