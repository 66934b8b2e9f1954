//! Small multiples: one line panel per series on a grid, each headed by its series' name and
//! annotations (change point, trend), on one time scale and shared or independent y axes.
//!
//! Picks the column count (as asked, else 3, more while the rows would be too flat) and lines
//! the panels up so their plots align; each panel's axes and lines come from `axes.rs` and
//! `marks.rs`. Not here: the figure's header and footer (`layout.rs`) or single plots with
//! legends and direct labels (`single.rs`, `legend.rs`).

use super::axes::{
    axis_title_block, draw_x_axis, draw_y_axis, draw_zero_line, panel_y_intervals, tick_label,
    time_label_width, x_label_band,
};
use super::frame::{time_range, Ctx, Frame};
use super::marks::{change_point, draw_lines, marker, no_data_band};
use super::scale::{self, Ticks};
use super::scene::{Align, Scene};
use super::text::{block_height, clean_line, text_block, widest, wrap};
use super::theme;
use super::{PanelY, PlotError};
use crate::i18n::Texts;

/// The panel grid of small multiples for a given column count.
struct PanelGrid {
    cols: usize,
    cell_w: f64,
    cell_h: f64,
    /// Per panel: header lines, `true` for the (bold) name lines.
    headers: Vec<Vec<(String, bool)>>,
    header_h: f64,
    plot_h: f64,
}

const PANEL_HGAP_EM: f64 = 1.6;
const PANEL_VGAP_EM: f64 = 0.6;

/// Lays out `cols` columns of panels between `top` and `bottom`; `None` if the plots would be
/// too small to read.
fn panel_grid(
    ctx: &Ctx,
    cols: usize,
    top: f64,
    bottom: f64,
) -> Result<Option<PanelGrid>, PlotError> {
    let (p, t) = (ctx.p, ctx.t);
    let n = p.series.len();
    let rows = n.div_ceil(cols);
    let hgap = PANEL_HGAP_EM * t.body_em;
    let vgap = PANEL_VGAP_EM * t.body_em;
    let cell_w = (ctx.w - 2.0 * t.margin - hgap * (cols as f64 - 1.0)) / cols as f64;
    let cell_h = (bottom - top - vgap * (rows as f64 - 1.0)) / rows as f64;
    if cell_w < 8.0 * t.tick_em {
        return Ok(None);
    }
    // Panel headers: the series name, then annotations (change point, trend) of that panel.
    let mut headers: Vec<Vec<(String, bool)>> = Vec::with_capacity(n);
    for (i, s) in p.series.iter().enumerate() {
        let mut lines: Vec<(String, bool)> = wrap(&clean_line(&s.name), t.body_em, true, cell_w)?
            .into_iter()
            .map(|l| (l, true))
            .collect();
        let mut notes = Vec::new();
        if let Some(c) = p.change_point.as_ref().filter(|c| c.series == i) {
            notes.push(clean_line(&c.label));
        }
        if let Some(tr) = p.trend.as_ref().filter(|tr| tr.series == i) {
            notes.push(clean_line(&tr.label));
        }
        if !notes.is_empty() {
            lines.extend(
                wrap(&notes.join("; "), t.tick_em, false, cell_w)?
                    .into_iter()
                    .map(|l| (l, false)),
            );
        }
        headers.push(lines);
    }
    let header_h = headers
        .iter()
        .map(|h| {
            let bold = h.iter().filter(|l| l.1).count();
            let small = h.len() - bold;
            block_height(bold, t.body_em)
                + if small > 0 {
                    0.3 * t.body_em + block_height(small, t.tick_em)
                } else {
                    0.0
                }
        })
        .fold(0.0, f64::max);
    let plot_h = cell_h - header_h - 0.9 * t.tick_em - x_label_band(t);
    if plot_h < 3.0 * t.tick_em {
        return Ok(None);
    }
    Ok(Some(PanelGrid {
        cols,
        cell_w,
        cell_h,
        headers,
        header_h,
        plot_h,
    }))
}

pub(super) fn small_multiples(
    ctx: &Ctx,
    scene: &mut Scene,
    top: f64,
    bottom: f64,
) -> Result<(), PlotError> {
    let (p, t, chart) = (ctx.p, ctx.t, ctx.chart);
    let m = t.margin;
    let n = p.series.len();
    let mut y = top;
    if let Some(below) = axis_title_block(ctx, scene, y)? {
        y = below + 0.6 * t.body_em;
    }
    // Columns as asked; when not given, 3, or more if the rows would get too flat.
    let candidates: Vec<usize> = if chart.columns == 0 {
        (3.min(n)..=n.max(1)).collect()
    } else {
        vec![chart.columns.min(n).max(1)]
    };
    let mut grid = None;
    for cols in candidates {
        if let Some(g) = panel_grid(ctx, cols, y, bottom)? {
            grid = Some(g);
            break;
        }
    }
    let Some(PanelGrid {
        cols,
        cell_w,
        cell_h,
        headers,
        header_h,
        plot_h,
    }) = grid
    else {
        return Err(PlotError::Layout(format!(
            "{n} panels leave no room for the plots at this size; use fewer panels, shorter \
             text or a larger preset"
        )));
    };
    let hgap = PANEL_HGAP_EM * t.body_em;
    let vgap = PANEL_VGAP_EM * t.body_em;
    let intervals = panel_y_intervals(t, plot_h);
    let all: Vec<usize> = (0..n).collect();
    let ticks = |(lo, hi): (f64, f64)| {
        if p.log {
            scale::log_ticks(lo, hi, intervals)
        } else {
            scale::nice_ticks(lo, hi, intervals)
        }
    };
    let shared = ticks(p.axis_range(&all));
    let (x0, x1) = time_range(p, 0.35 * p.step);
    let label_w = time_label_width(ctx)?;

    // Every panel reserves the same label widths so the plots line up.
    let panel_ticks: Vec<Ticks> = (0..n)
        .map(|i| match chart.panel_y {
            PanelY::Shared => shared.clone(),
            PanelY::Independent => ticks(p.axis_range(&[i])),
        })
        .collect();
    let mut ylabels: f64 = 0.0;
    for tk in &panel_ticks {
        ylabels = ylabels.max(widest(
            tk.values
                .iter()
                .map(|&v| tick_label(v, tk, p.unit.percent, Texts::of(p.language))),
            t.tick_em,
        )?);
    }

    for i in 0..n {
        let (r, c) = (i / cols, i % cols);
        let cell_x = m + c as f64 * (cell_w + hgap);
        let cell_y = y + r as f64 * (cell_h + vgap);
        // Header.
        let mut hy = cell_y;
        let bold: Vec<String> = headers[i]
            .iter()
            .filter(|l| l.1)
            .map(|l| l.0.clone())
            .collect();
        let small: Vec<String> = headers[i]
            .iter()
            .filter(|l| !l.1)
            .map(|l| l.0.clone())
            .collect();
        hy = text_block(
            scene,
            &bold,
            cell_x,
            hy,
            t.body_em,
            true,
            theme::TITLE_INK,
            Align::Left,
        )?;
        if !small.is_empty() {
            text_block(
                scene,
                &small,
                cell_x,
                hy + 0.3 * t.body_em,
                t.tick_em,
                false,
                theme::ANNOTATION,
                Align::Left,
            )?;
        }
        let ticks = &panel_ticks[i];
        // Every column keeps room for half a tick label on the right so the panels share one
        // x scale exactly.
        let plot_right = cell_x + cell_w - label_w / 2.0;
        let f = Frame {
            left: cell_x + ylabels + 0.5 * t.tick_em,
            right: plot_right,
            top: cell_y + header_h + 0.9 * t.tick_em,
            bottom: cell_y + header_h + 0.9 * t.tick_em + plot_h,
            x0,
            x1,
            y0: ticks.lo,
            y1: ticks.hi,
        };
        let xticks = f.time_ticks(p, label_w, t.tick_em);
        draw_y_axis(ctx, scene, &f, ticks)?;
        draw_zero_line(ctx, scene, &f);
        if p.change_point.as_ref().is_some_and(|cp| cp.series == i) {
            change_point(ctx, scene, &f, None)?;
        }
        for event in &chart.events {
            marker(ctx, scene, &f, event.x, None)?;
        }
        if p.has_values(&[i]) {
            draw_lines(ctx, scene, &f, &[i], true)?;
        } else {
            no_data_band(ctx, scene, &f, f.x0, f.x1)?;
        }
        // Tick labels only where no panel sits below; the marks everywhere.
        let below = i + cols < n;
        draw_x_axis(ctx, scene, &f, &xticks, !below, true)?;
    }
    Ok(())
}
