//! One plot filling the body of a figure: line charts, stacked and share areas, and grouped
//! bars.
//!
//! Stacks top-down the legend (unless direct labels name the series), the y-axis title, the
//! change-point label row and the plot with its axes and marks; tries direct labels first and
//! falls back to a legend when they would stray from their lines. Not here: small multiples
//! (`panels.rs`) or the figure's header and footer (`layout.rs`).

use super::axes::{
    axis_title_block, draw_x_axis, draw_y_axis, draw_zero_line, tick_label, time_label_width,
    x_label_band, y_intervals,
};
use super::frame::{time_range, Ctx, Frame};
use super::legend::{direct_label_centres, direct_labels, keying, legend, Keying};
use super::marks::{
    change_point, draw_areas, draw_bars, draw_lines, marker, no_data_band, no_data_regions,
};
use super::scale;
use super::scene::Scene;
use super::text::{block_height, clean_line, widest, wrap};
use super::{ChartKind, PlotError};
use crate::i18n::Texts;

/// Lays out one plot between `top` and `bottom`: with direct labels when they work out,
/// else with a legend.
pub(super) fn single_plot(
    ctx: &Ctx,
    scene: &mut Scene,
    top: f64,
    bottom: f64,
) -> Result<(), PlotError> {
    let (direct, legend) = keying(ctx)?;
    if let Some(labels) = direct {
        let mut attempt = scene.clone();
        if plot_keyed(ctx, &mut attempt, top, bottom, Keying::Direct(labels))? {
            *scene = attempt;
            return Ok(());
        }
    }
    plot_keyed(ctx, scene, top, bottom, Keying::Legend(legend))?;
    Ok(())
}

/// Lays out one plot with the given keying. Returns `false` (and leaves a partial scene) when
/// direct labels would stray too far from their lines; the caller then uses a legend.
fn plot_keyed(
    ctx: &Ctx,
    scene: &mut Scene,
    top: f64,
    bottom: f64,
    keying: Keying,
) -> Result<bool, PlotError> {
    let (p, t, chart) = (ctx.p, ctx.t, ctx.chart);
    let m = t.margin;
    let mut y = top;
    if let Keying::Legend(entries) = &keying {
        y = legend(ctx, scene, entries, y)? + 1.0 * t.body_em;
    }
    // y axis title, above the tick labels.
    if let Some(below) = axis_title_block(ctx, scene, y)? {
        y = below;
    }
    // Change-point label row(s), above the plot so the label never covers data.
    let cp_row = match &p.change_point {
        Some(c) => {
            let lines = wrap(&clean_line(&c.label), t.tick_em, false, ctx.w - 2.0 * m)?;
            let row_top = y + 0.5 * t.tick_em;
            y = row_top + block_height(lines.len(), t.tick_em);
            Some((row_top, lines))
        }
        None => None,
    };
    // One label row per event, under the change point's.
    let mut event_rows = Vec::with_capacity(chart.events.len());
    for event in &chart.events {
        let lines = wrap(&clean_line(&event.label), t.tick_em, false, ctx.w - 2.0 * m)?;
        let row_top = y + 0.3 * t.tick_em;
        y = row_top + block_height(lines.len(), t.tick_em);
        event_rows.push((event.x, row_top, lines));
    }
    let plot_top = y + 0.75 * t.tick_em;
    let plot_bottom = bottom - x_label_band(t);
    if plot_bottom - plot_top < 4.0 * t.tick_em {
        return Err(PlotError::Layout(
            "the legend and labels leave no room for the plot".into(),
        ));
    }

    // Value axis.
    let (lo, hi) = p.axis_range(&(0..p.series.len()).collect::<Vec<_>>());
    let ticks = if chart.kind == ChartKind::ShareArea {
        scale::nice_ticks(0.0, 100.0, y_intervals(t, plot_bottom - plot_top).min(5))
    } else {
        let intervals = y_intervals(t, plot_bottom - plot_top);
        if p.log {
            scale::log_ticks(lo, hi, intervals)
        } else {
            scale::nice_ticks(lo, hi, intervals)
        }
    };
    let ylabels = widest(
        ticks
            .values
            .iter()
            .map(|&v| tick_label(v, &ticks, p.unit.percent, Texts::of(p.language))),
        t.tick_em,
    )?;
    let plot_left = m + ylabels + 0.5 * t.tick_em;

    // Time axis.
    let pad = match chart.kind {
        ChartKind::GroupedBars => 0.5 * p.step,
        ChartKind::StackedArea | ChartKind::ShareArea => 0.0,
        _ => 0.35 * p.step,
    };
    let label_w = time_label_width(ctx)?;
    let plot_right = match &keying {
        Keying::Direct(labels) => {
            let w = widest(labels.iter().map(|l| l.text.clone()), t.body_em)?;
            ctx.w - m - w - 1.3 * t.body_em
        }
        Keying::Legend(_) => ctx.w - m - if pad > 0.0 { 0.0 } else { label_w / 2.0 },
    };
    let (x0, x1) = time_range(p, pad);
    let f = Frame {
        left: plot_left,
        right: plot_right,
        top: plot_top,
        bottom: plot_bottom,
        x0,
        x1,
        y0: ticks.lo,
        y1: ticks.hi,
    };
    let xticks = f.time_ticks(p, label_w, t.tick_em);

    let centres = match &keying {
        Keying::Direct(labels) => match direct_label_centres(ctx, &f, labels) {
            Some(c) => c,
            None => return Ok(false),
        },
        Keying::Legend(_) => Vec::new(),
    };
    let all: Vec<usize> = (0..p.series.len()).collect();
    if !p.has_values(&all) {
        no_data_band(ctx, scene, &f, f.x0, f.x1)?;
    } else if matches!(chart.kind, ChartKind::StackedArea | ChartKind::ShareArea) {
        no_data_regions(ctx, scene, &f)?;
    }
    draw_y_axis(ctx, scene, &f, &ticks)?;
    for (x, row_top, lines) in &event_rows {
        marker(ctx, scene, &f, *x, Some((*row_top, lines.as_slice())))?;
    }
    match chart.kind {
        ChartKind::Line => {
            draw_zero_line(ctx, scene, &f);
            if let Some((row_top, lines)) = &cp_row {
                change_point(ctx, scene, &f, Some((*row_top, lines.as_slice())))?;
            }
            draw_lines(
                ctx,
                scene,
                &f,
                &(0..p.series.len()).collect::<Vec<_>>(),
                false,
            )?;
            draw_x_axis(ctx, scene, &f, &xticks, true, true)?;
        }
        ChartKind::StackedArea | ChartKind::ShareArea => {
            draw_areas(ctx, scene, &f);
            draw_zero_line(ctx, scene, &f);
            draw_x_axis(ctx, scene, &f, &xticks, true, true)?;
        }
        ChartKind::GroupedBars => {
            draw_bars(ctx, scene, &f);
            draw_zero_line(ctx, scene, &f);
            draw_x_axis(ctx, scene, &f, &xticks, true, false)?;
        }
        ChartKind::SmallMultiples => {
            // Small multiples are laid out panel by panel elsewhere; never drawn as one plot.
            return Err(PlotError::NotSupported {
                what: "a single-plot layout",
                kind: ChartKind::SmallMultiples,
            });
        }
    }
    if let Keying::Direct(labels) = &keying {
        direct_labels(ctx, scene, &f, labels, &centres)?;
    }
    Ok(true)
}
