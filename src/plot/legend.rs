//! How a single plot names its series: direct labels right of the plot at the ends of the
//! lines or bands when they fit and stay close to their marks, else a legend above the plot.
//!
//! The choice is made twice: [`keying`] offers direct labels only when every series reaches
//! the right edge and the labels are narrow, and [`direct_label_centres`] withdraws them once
//! the frame shows that a label would stray from its line. Not here: the panel headers of
//! small multiples (`panels.rs`), which name their own series, or the marks (`marks.rs`).

use plotters::style::RGBColor;

use super::frame::{Ctx, Frame};
use super::marks::trend_style;
use super::prepare::PSeries;
use super::scene::{Align, Prim, Scene, ASCENT_EM, DESCENT_EM};
use super::text::{clean_line, text_block, wrap};
use super::theme::{self, Theme};
use super::{ChartKind, PlotError};

/// Spreads label centres so that none are closer than `h`, staying within `[lo, hi]` where
/// possible and keeping their order. Returns centres in the input order.
fn spread(desired: &[f64], h: f64, lo: f64, hi: f64) -> Vec<f64> {
    let mut order: Vec<usize> = (0..desired.len()).collect();
    order.sort_by(|&a, &b| desired[a].total_cmp(&desired[b]).then(a.cmp(&b)));
    let mut pos: Vec<f64> = order.iter().map(|&i| desired[i].clamp(lo, hi)).collect();
    for i in 1..pos.len() {
        pos[i] = pos[i].max(pos[i - 1] + h);
    }
    if let Some(last) = pos.last_mut() {
        *last = last.min(hi);
    }
    for i in (0..pos.len().saturating_sub(1)).rev() {
        pos[i] = pos[i].min(pos[i + 1] - h);
    }
    if let Some(first) = pos.first().copied() {
        if first < lo {
            // Not enough room: keep the spacing and accept running past `hi`.
            let shift = lo - first;
            for p in &mut pos {
                *p += shift;
            }
        }
    }
    let mut out = vec![0.0; desired.len()];
    for (k, &i) in order.iter().enumerate() {
        out[i] = pos[k];
    }
    out
}

/// How series are named on the figure.
pub(super) enum Keying {
    /// Labels right of the plot at the ends of the lines or bands.
    Direct(Vec<DirectLabel>),
    /// A key above the plot.
    Legend(Vec<LegendEntry>),
}

pub(super) struct DirectLabel {
    pub(super) text: String,
    /// Anchor in data units.
    x: f64,
    y: f64,
    /// For bands: the band's lower and upper edge at `x`; the label must sit beside it.
    band: Option<(f64, f64)>,
    color: RGBColor,
}

#[derive(Clone)]
enum Sample {
    Line {
        color: RGBColor,
        width: f64,
        dash: Vec<f64>,
    },
    Swatch(RGBColor),
}

#[derive(Clone)]
pub(super) struct LegendEntry {
    sample: Sample,
    text: String,
}

/// The line style of series `i` in a multi-series chart.
fn line_sample(t: &Theme, i: usize) -> Sample {
    Sample::Line {
        color: theme::series_color(i),
        width: t.line_w,
        dash: theme::series_dash(i).iter().map(|d| d * t.line_w).collect(),
    }
}

fn last_value(s: &PSeries) -> Option<(f64, f64)> {
    s.points.iter().rev().find_map(|q| q.y.map(|y| (q.x, y)))
}

/// The legend entries, and direct labels when every line or band reaches the right edge and
/// the labels are narrow enough (whether they sit close enough to their lines is decided once
/// the plot is laid out).
pub(super) fn keying(ctx: &Ctx) -> Result<(Option<Vec<DirectLabel>>, Vec<LegendEntry>), PlotError> {
    let (p, t) = (ctx.p, ctx.t);
    let last_x = *p.grid.last().unwrap_or(&0.0);
    let mut direct = Vec::new();
    let mut legend = Vec::new();
    let mut all_reach_end = true;
    match p.kind {
        ChartKind::Line => {
            for (i, s) in p.series.iter().enumerate() {
                let name = clean_line(&s.name);
                match last_value(s) {
                    Some((x, y)) if x >= last_x - 0.5 * p.step => direct.push(DirectLabel {
                        text: name.clone(),
                        x,
                        y,
                        band: None,
                        color: theme::text_color(theme::series_color(i)),
                    }),
                    _ => all_reach_end = false,
                }
                legend.push(LegendEntry {
                    sample: line_sample(t, i),
                    text: name,
                });
            }
            if let (Some(tr), Some((color, width, dash))) = (&p.trend, trend_style(t, p, false)) {
                let text = clean_line(&tr.label);
                if tr.end.0 >= last_x - 1.5 * p.step {
                    // Grey text: the label names an annotation, not another series.
                    direct.push(DirectLabel {
                        text: text.clone(),
                        x: tr.end.0,
                        y: tr.end.1,
                        band: None,
                        color: theme::ANNOTATION,
                    });
                } else {
                    all_reach_end = false;
                }
                legend.push(LegendEntry {
                    sample: Sample::Line { color, width, dash },
                    text,
                });
            }
        }
        ChartKind::StackedArea | ChartKind::ShareArea => {
            let last_run_end = p.runs.last().and_then(|r| r.last()).copied();
            all_reach_end = last_run_end == Some(p.grid.len() - 1);
            // Top band first in the legend, matching the stack as seen.
            for (i, s) in p.series.iter().enumerate().rev() {
                let name = clean_line(&s.name);
                if let Some(gi) = last_run_end {
                    let q = &s.points[gi];
                    if let (Some(y), Some(b)) = (q.y, q.y_base) {
                        direct.push(DirectLabel {
                            text: name.clone(),
                            x: q.x,
                            y: b + y / 2.0,
                            band: Some((b, b + y)),
                            color: theme::text_color(theme::series_color(i)),
                        });
                    }
                }
                legend.push(LegendEntry {
                    sample: Sample::Swatch(theme::series_color(i)),
                    text: name,
                });
            }
        }
        ChartKind::GroupedBars | ChartKind::SmallMultiples => {
            all_reach_end = false;
            for (i, s) in p.series.iter().enumerate() {
                legend.push(LegendEntry {
                    sample: Sample::Swatch(theme::series_color(i)),
                    text: clean_line(&s.name),
                });
            }
        }
    }
    if all_reach_end && !direct.is_empty() {
        let mut widest: f64 = 0.0;
        for d in &direct {
            widest = widest.max(theme::text_width(&d.text, t.body_em, false)?);
        }
        let fits = widest + 1.6 * t.body_em <= 0.3 * ctx.w && direct.len() <= 12;
        if fits {
            return Ok((Some(direct), legend));
        }
    }
    Ok((None, legend))
}

/// Lays out a legend as a flow of entries from `top`; returns the bottom of its ink.
pub(super) fn legend(
    ctx: &Ctx,
    scene: &mut Scene,
    entries: &[LegendEntry],
    top: f64,
) -> Result<f64, PlotError> {
    let t = ctx.t;
    let em = t.body_em;
    let (left, right) = (t.margin, ctx.w - t.margin);
    let row_h = 1.45 * em;
    let mut x = left;
    let mut row_top = top;
    // Bottom of the tallest entry in the current row (entries may wrap to several lines).
    let mut row_bottom = top + (ASCENT_EM + DESCENT_EM) * em;
    for e in entries {
        let sample_w = match e.sample {
            Sample::Line { .. } => 2.6 * em,
            Sample::Swatch(_) => 0.9 * em,
        };
        let text_x_offset = sample_w + 0.45 * em;
        let text_w = theme::text_width(&e.text, em, false)?;
        let mut entry_w = text_x_offset + text_w;
        if x > left && x + entry_w > right {
            x = left;
            row_top = row_bottom + (row_h - (ASCENT_EM + DESCENT_EM) * em);
        }
        // An entry wider than the whole line wraps its text.
        let lines = if entry_w > right - left {
            let lines = wrap(&e.text, em, false, right - left - text_x_offset)?;
            entry_w = right - left;
            lines
        } else {
            vec![e.text.clone()]
        };
        let baseline = row_top + ASCENT_EM * em;
        let mid = baseline - 0.36 * em;
        match &e.sample {
            Sample::Line { color, width, dash } => {
                scene.path(
                    vec![(x, mid), (x + sample_w, mid)],
                    *color,
                    *width,
                    dash.clone(),
                );
            }
            Sample::Swatch(color) => scene.prims.push(Prim::Rect {
                x0: x,
                y0: mid - 0.45 * em,
                x1: x + sample_w,
                y1: mid + 0.45 * em,
                color: *color,
            }),
        }
        let bottom = text_block(
            scene,
            &lines,
            x + text_x_offset,
            row_top,
            em,
            false,
            theme::BODY_INK,
            Align::Left,
        )?;
        row_bottom = row_bottom.max(bottom);
        x += entry_w + 1.5 * em;
    }
    Ok(row_bottom)
}

/// Label centres for direct labels, or `None` when some label would sit so far from its line
/// or band (thin bands, bunched line ends) that a legend reads better.
pub(super) fn direct_label_centres(
    ctx: &Ctx,
    f: &Frame,
    labels: &[DirectLabel],
) -> Option<Vec<f64>> {
    let em = ctx.t.body_em;
    let desired: Vec<f64> = labels.iter().map(|l| f.py(l.y)).collect();
    let centres = spread(&desired, 1.3 * em, f.top, f.bottom);
    let close = labels
        .iter()
        .zip(centres.iter().zip(&desired))
        .all(|(l, (c, d))| match l.band {
            // Beside its own band (with a little slack for thin bands).
            Some((lo, hi)) => *c <= f.py(lo) + 0.4 * em && *c >= f.py(hi) - 0.4 * em,
            None => (c - d).abs() <= 1.5 * em,
        });
    let inside = centres.iter().all(|c| *c <= f.bottom + 0.2 * em);
    // A leader may only bridge the padding at the right edge, never run across the plot (as
    // it would from a lone period in the middle of the x axis).
    let at_edge = labels.iter().all(|l| f.right - f.px(l.x) <= 2.0 * em);
    (close && inside && at_edge).then_some(centres)
}

pub(super) fn direct_labels(
    ctx: &Ctx,
    scene: &mut Scene,
    f: &Frame,
    labels: &[DirectLabel],
    centres: &[f64],
) -> Result<(), PlotError> {
    let t = ctx.t;
    let em = t.body_em;
    let desired: Vec<f64> = labels.iter().map(|l| f.py(l.y)).collect();
    let text_x = f.right + 1.3 * em;
    for ((l, &c), &d) in labels.iter().zip(centres).zip(&desired) {
        let ax = f.px(l.x) + 0.25 * em;
        // A short leader from the end of the line or band to its label.
        scene.path(
            vec![(ax, d), (f.right + 0.45 * em, d), (text_x - 0.25 * em, c)],
            l.color,
            t.grid_w * 1.5,
            Vec::new(),
        );
        scene.text(
            &l.text,
            text_x,
            c + 0.36 * em,
            em,
            false,
            l.color,
            Align::Left,
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_keeps_order_and_spacing_within_bounds() {
        let c = spread(&[100.0, 101.0, 300.0, 99.0], 10.0, 0.0, 400.0);
        let mut sorted = c.clone();
        sorted.sort_by(f64::total_cmp);
        for w in sorted.windows(2) {
            assert!(w[1] - w[0] >= 10.0 - 1e-9, "{c:?}");
        }
        assert_eq!(c[2], 300.0);
        assert!(c[3] < c[0] && c[0] < c[1]);
        let c = spread(&[395.0, 399.0], 10.0, 0.0, 400.0);
        assert!(c[1] <= 400.0 && c[0] <= 390.0);
    }
}
