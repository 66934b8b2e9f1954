//! The data marks inside a [`Frame`]: lines broken at gaps (a dot for a lone value), the
//! trend line, the change-point rule, its label and marker, stacked bands, grouped bars, and
//! the "No data" shading of skipped periods.
//!
//! Marks draw what `prepare.rs` decided (segments, complete runs, skipped periods) and decide
//! nothing about the data. Not here: axes and gridlines (`axes.rs`) or the names of the series
//! (`legend.rs`, and panel headers in `panels.rs`).

use plotters::style::RGBColor;

use super::frame::{Ctx, Frame};
use super::prepare::Prepared;
use super::scene::{Align, Prim, Scene, ASCENT_EM};
use super::text::{text_block, widest};
use super::theme::{self, Theme};
use super::PlotError;
use crate::i18n::Texts;

/// The trend line's colour (the text shade of its series' colour, or of the first colour
/// when panels are single-coloured), width and dash pattern; `None` without a trend.
pub(super) fn trend_style(
    t: &Theme,
    p: &Prepared,
    single_colour: bool,
) -> Option<(RGBColor, f64, Vec<f64>)> {
    p.trend.as_ref().map(|tr| {
        let base = if single_colour {
            theme::series_color(0)
        } else {
            theme::series_color(tr.series)
        };
        if tr.faint {
            // Not significant: lighter and dotted, so it never reads as a finding.
            (
                theme::tint(base, 0.45),
                0.8 * t.trend_w,
                vec![1.0 * t.trend_w, 2.0 * t.trend_w],
            )
        } else {
            (
                theme::text_color(base),
                t.trend_w,
                vec![3.0 * t.trend_w, 2.0 * t.trend_w],
            )
        }
    })
}

/// The dash of a line's steps to and from incomplete values, in line widths.
const INCOMPLETE_DASH: [f64; 2] = [0.9, 1.8];

/// A hollow marker: a value that not every member of its total reports.
fn incomplete_marker(scene: &mut Scene, x: f64, y: f64, color: RGBColor, line_w: f64) {
    let r = 1.6 * line_w;
    scene.prims.push(Prim::Circle {
        x,
        y,
        r,
        color: theme::WHITE,
        fill: true,
        width: 0.0,
    });
    scene.prims.push(Prim::Circle {
        x,
        y,
        r,
        color,
        fill: false,
        width: 0.6 * line_w,
    });
}

/// Lines with gaps: each segment is one polyline; a lone value between gaps is a dot.
pub(super) fn draw_lines(
    ctx: &Ctx,
    scene: &mut Scene,
    f: &Frame,
    which: &[usize],
    single_colour: bool,
) -> Result<(), PlotError> {
    let (p, t) = (ctx.p, ctx.t);
    // Trend first so the data line stays on top of it.
    if let (Some(tr), Some((color, width, dash))) = (&p.trend, trend_style(t, p, single_colour)) {
        if which.contains(&tr.series) && tr.band.len() >= 3 {
            let base = if single_colour { 0 } else { tr.series };
            scene.prims.push(Prim::Polygon {
                pts: tr.band.iter().map(|&(x, y)| (f.px(x), f.py(y))).collect(),
                color: theme::tint(theme::series_color(base), 0.85),
            });
        }
        if which.contains(&tr.series) {
            let pts = vec![
                (f.px(tr.start.0), f.py(tr.start.1)),
                (f.px(tr.end.0), f.py(tr.end.1)),
            ];
            scene.path(pts, color, width, dash);
        }
    }
    // Later series are drawn first so the first series (usually the focus) is on top.
    for &i in which.iter().rev() {
        let (color, dash) = if single_colour {
            (theme::series_color(0), Vec::new())
        } else {
            (
                theme::series_color(i),
                theme::series_dash(i).iter().map(|d| d * t.line_w).collect(),
            )
        };
        let series = &p.series[i];
        for seg in &series.segments {
            let pts: Vec<(f64, f64)> = seg.iter().map(|&(x, y)| (f.px(x), f.py(y))).collect();
            if pts.len() == 1 {
                scene.prims.push(Prim::Circle {
                    x: pts[0].0,
                    y: pts[0].1,
                    r: 1.3 * t.line_w,
                    color,
                    fill: true,
                    width: 0.0,
                });
            } else {
                // Runs of steps, each solid or (to or from an incomplete value) dotted.
                let dotted: Vec<bool> = seg
                    .windows(2)
                    .map(|w| series.is_incomplete(w[0].0) || series.is_incomplete(w[1].0))
                    .collect();
                let mut start = 0;
                for k in 1..=dotted.len() {
                    if k == dotted.len() || dotted[k] != dotted[start] {
                        let style = if dotted[start] {
                            INCOMPLETE_DASH.iter().map(|d| d * t.line_w).collect()
                        } else {
                            dash.clone()
                        };
                        let width = if dotted[start] {
                            0.8 * t.line_w
                        } else {
                            t.line_w
                        };
                        scene.path(pts[start..=k].to_vec(), color, width, style);
                        start = k;
                    }
                }
            }
            for (&(x, _), &(px, py)) in seg.iter().zip(&pts) {
                if series.is_incomplete(x) {
                    incomplete_marker(scene, px, py, color, t.line_w);
                }
            }
        }
    }
    if let Some(c) = &p.change_point {
        if let (true, Some(y)) = (which.contains(&c.series), c.y) {
            let (x, y) = (f.px(c.x), f.py(y));
            let r = 1.9 * t.line_w;
            scene.prims.push(Prim::Circle {
                x,
                y,
                r,
                color: theme::WHITE,
                fill: true,
                width: 0.0,
            });
            scene.prims.push(Prim::Circle {
                x,
                y,
                r,
                color: theme::ANNOTATION,
                fill: false,
                width: t.axis_w,
            });
        }
    }
    Ok(())
}

/// The change-point rule, and its label in the rows above the plot (`row`: ink top, lines):
/// right of the rule where it fits, else left of it, else as close as the canvas allows.
pub(super) fn change_point(
    ctx: &Ctx,
    scene: &mut Scene,
    f: &Frame,
    row: Option<(f64, &[String])>,
) -> Result<(), PlotError> {
    match &ctx.p.change_point {
        Some(c) => marker(ctx, scene, f, c.x, row),
        None => Ok(()),
    }
}

/// A dashed vertical rule at `x` (data units) from its label row (or the plot's top) to
/// the plot's bottom, with the label beside it: change points and events.
pub(super) fn marker(
    ctx: &Ctx,
    scene: &mut Scene,
    f: &Frame,
    x: f64,
    row: Option<(f64, &[String])>,
) -> Result<(), PlotError> {
    let t = ctx.t;
    let x = f.px(x);
    let mut rule_top = f.top;
    if let Some((row_top, lines)) = row {
        let em = t.tick_em;
        let w = widest(lines.iter().cloned(), em)?;
        let gap = 0.4 * em;
        let (lo, hi) = (t.margin, ctx.w - t.margin);
        let (left, beside) = if x + gap + w <= hi {
            (x + gap, true)
        } else if x - gap - w >= lo {
            (x - gap - w, true)
        } else {
            ((hi - w).max(lo), false)
        };
        let bottom = text_block(
            scene,
            lines,
            left,
            row_top,
            em,
            false,
            theme::ANNOTATION,
            Align::Left,
        )?;
        // The rule reaches up beside the label, or stops under it when the label spans it.
        rule_top = if beside { row_top } else { bottom + 0.3 * em };
    }
    scene.path(
        vec![(x, rule_top), (x, f.bottom)],
        theme::ANNOTATION,
        t.axis_w,
        vec![4.0 * t.axis_w, 3.0 * t.axis_w],
    );
    Ok(())
}

/// Stacked and share areas: per run of complete periods one band per series (a narrow
/// column for a lone period), with thin white rules between bands.
pub(super) fn draw_areas(ctx: &Ctx, scene: &mut Scene, f: &Frame) {
    let (p, t) = (ctx.p, ctx.t);
    for run in &p.runs {
        for (i, s) in p.series.iter().enumerate() {
            let color = theme::series_color(i);
            let band = |gi: usize| {
                let q = &s.points[gi];
                let base = q.y_base.unwrap_or(0.0);
                (q.x, base, base + q.y.unwrap_or(0.0))
            };
            if run.len() == 1 {
                // A lone complete period between gaps: a narrow column, not a sliver.
                let (x, b, top) = band(run[0]);
                let half = 0.2 * p.step;
                scene.prims.push(Prim::Rect {
                    x0: f.px((x - half).max(f.x0)),
                    y0: f.py(top),
                    x1: f.px((x + half).min(f.x1)),
                    y1: f.py(b),
                    color,
                });
                continue;
            }
            let mut pts: Vec<(f64, f64)> = run
                .iter()
                .map(|&gi| {
                    let (x, _, top) = band(gi);
                    (f.px(x), f.py(top))
                })
                .collect();
            pts.extend(run.iter().rev().map(|&gi| {
                let (x, b, _) = band(gi);
                (f.px(x), f.py(b))
            }));
            scene.prims.push(Prim::Polygon { pts, color });
        }
        // Thin white rules between bands keep adjacent colours apart.
        if run.len() > 1 {
            for s in p.series.iter().take(p.series.len().saturating_sub(1)) {
                let pts: Vec<(f64, f64)> = run
                    .iter()
                    .map(|&gi| {
                        let q = &s.points[gi];
                        (
                            f.px(q.x),
                            f.py(q.y_base.unwrap_or(0.0) + q.y.unwrap_or(0.0)),
                        )
                    })
                    .collect();
                scene.path(pts, theme::WHITE, t.grid_w, Vec::new());
            }
        }
    }
}

/// Grouped bars: per period one bar per series in order; a missing value gets no bar, a
/// zero a hairline.
pub(super) fn draw_bars(ctx: &Ctx, scene: &mut Scene, f: &Frame) {
    let (p, t) = (ctx.p, ctx.t);
    let n = p.series.len() as f64;
    let group = 0.8 * p.step;
    let bar = group / n;
    let zero = f.py(0.0_f64.clamp(f.y0, f.y1));
    let gap = (0.06 * (f.px(bar) - f.px(0.0))).clamp(0.0, 0.5 * t.line_w);
    // Sorted by period, then series: the drawing order is fixed.
    for &x in &p.grid {
        for (i, s) in p.series.iter().enumerate() {
            let bx0 = f.px(x - group / 2.0 + i as f64 * bar) + gap / 2.0;
            let bx1 = f.px(x - group / 2.0 + (i + 1) as f64 * bar) - gap / 2.0;
            let Some(v) = s
                .points
                .iter()
                .find(|q| (q.x - x).abs() < 1e-6)
                .and_then(|q| q.y)
            else {
                // No value: an outlined stub in the series' colour, never a bar of zero
                // (a zero gets a visible hairline below).
                let top = zero - 4.0 * t.line_w;
                scene.path(
                    vec![(bx0, zero), (bx0, top), (bx1, top), (bx1, zero)],
                    theme::series_color(i),
                    0.5 * t.line_w,
                    vec![0.8 * t.line_w, 0.8 * t.line_w],
                );
                continue;
            };
            let mut y = f.py(v);
            if (y - zero).abs() < t.axis_w * 1.5 {
                y = zero - t.axis_w * 1.5 * if v < 0.0 { -1.0 } else { 1.0 };
            }
            scene.prims.push(Prim::Rect {
                x0: bx0,
                y0: y.min(zero),
                x1: bx1,
                y1: y.max(zero),
                color: theme::series_color(i),
            });
        }
    }
}

/// Stacked and share areas: a light band with "No data" where periods were skipped, so a
/// blank is read as missing data rather than as zero.
pub(super) fn no_data_regions(ctx: &Ctx, scene: &mut Scene, f: &Frame) -> Result<(), PlotError> {
    let p = ctx.p;
    let complete: Vec<bool> = (0..p.grid.len())
        .map(|gi| p.runs.iter().any(|r| r.contains(&gi)))
        .collect();
    let mut gi = 0;
    while gi < p.grid.len() {
        if complete[gi] {
            gi += 1;
            continue;
        }
        let start = gi;
        while gi < p.grid.len() && !complete[gi] {
            gi += 1;
        }
        // From the last complete period before to the first after (or the plot edge); a lone
        // complete column is drawn 0.2 step wide, so stop at its edge.
        let edge = |i: usize, dir: f64| {
            let lone = p.runs.iter().any(|r| r.len() == 1 && r[0] == i);
            p.grid[i] + if lone { dir * 0.2 * p.step } else { 0.0 }
        };
        let x0 = if start == 0 {
            f.x0
        } else {
            edge(start - 1, 1.0)
        };
        let x1 = if gi == p.grid.len() {
            f.x1
        } else {
            edge(gi, -1.0)
        };
        no_data_band(ctx, scene, f, x0, x1)?;
    }
    Ok(())
}

/// A light band with "No data" over the frame from `x0` to `x1` (data units): periods
/// without values, or a whole panel or plot whose series have none, read as missing data
/// rather than as zero.
pub(super) fn no_data_band(
    ctx: &Ctx,
    scene: &mut Scene,
    f: &Frame,
    x0: f64,
    x1: f64,
) -> Result<(), PlotError> {
    let t = ctx.t;
    let (px0, px1) = (f.px(x0), f.px(x1));
    scene.prims.push(Prim::Rect {
        x0: px0,
        y0: f.top,
        x1: px1,
        y1: f.bottom,
        color: theme::NO_DATA,
    });
    let em = t.tick_em;
    let label = &Texts::of(ctx.p.language).get("no-data");
    if theme::text_width(label, em, false)? + 0.6 * em <= px1 - px0 {
        scene.text(
            label,
            (px0 + px1) / 2.0,
            f.top + (0.5 + ASCENT_EM) * em,
            em,
            false,
            theme::MUTED_INK,
            Align::Center,
        )?;
    }
    Ok(())
}
