//! A laid-out figure as a flat list of drawing primitives in output pixels, and the one
//! function that draws it on any plotters backend (the PNG bitmap and the SVG alike).
//!
//! Layout happens once (`layout.rs`), so the PNG and the SVG show the same geometry and
//! tests can inspect what goes where (text boxes, polylines) without decoding images.

use plotters::coord::Shift;
use plotters::element::{Circle, PathElement, Polygon, Rectangle, Text};
use plotters::prelude::{DrawingArea, DrawingBackend};
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{Color, RGBColor, ShapeStyle};

use super::theme::{self, HEIGHT_PER_EM};
use super::PlotError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Center,
    Right,
}

impl Align {
    /// Where a line of text `width` wide starts when aligned so at `x`.
    pub(crate) fn start(self, x: f64, width: f64) -> f64 {
        match self {
            Align::Left => x,
            Align::Center => x - width / 2.0,
            Align::Right => x - width,
        }
    }
}

/// Where DejaVu Sans ink sits relative to the baseline, in em: capitals and ascenders reach
/// 0.76 em up, descenders 0.24 em down. Used for layout and for overlap checks.
pub(crate) const ASCENT_EM: f64 = 0.76;
pub(crate) const DESCENT_EM: f64 = 0.24;

#[derive(Debug, Clone)]
pub(crate) enum Prim {
    Text {
        text: String,
        x: f64,
        baseline: f64,
        em: f64,
        bold: bool,
        color: RGBColor,
        align: Align,
        /// Measured advance width, for overlap checks.
        width: f64,
    },
    /// A stroked polyline; `dash` in pixels (on, off, ...), empty = solid.
    Path {
        pts: Vec<(f64, f64)>,
        color: RGBColor,
        width: f64,
        dash: Vec<f64>,
    },
    Polygon {
        pts: Vec<(f64, f64)>,
        color: RGBColor,
    },
    Rect {
        x0: f64,
        y0: f64,
        x1: f64,
        y1: f64,
        color: RGBColor,
    },
    Circle {
        x: f64,
        y: f64,
        r: f64,
        color: RGBColor,
        fill: bool,
        width: f64,
    },
}

/// An axis-aligned box (x0, y0, x1, y1) in output pixels.
pub(crate) type BBox = (f64, f64, f64, f64);

impl Prim {
    /// The ink box of a text primitive.
    pub(crate) fn text_box(&self) -> Option<BBox> {
        match self {
            Prim::Text {
                x,
                baseline,
                em,
                align,
                width,
                ..
            } => {
                let x0 = align.start(*x, *width);
                Some((
                    x0,
                    baseline - ASCENT_EM * em,
                    x0 + width,
                    baseline + DESCENT_EM * em,
                ))
            }
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Scene {
    pub width: u32,
    pub height: u32,
    pub prims: Vec<Prim>,
}

impl Scene {
    /// Adds a line of text and returns its ink box. (Position, size, weight, colour and
    /// alignment are all independent, hence the argument count.)
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn text(
        &mut self,
        text: &str,
        x: f64,
        baseline: f64,
        em: f64,
        bold: bool,
        color: RGBColor,
        align: Align,
    ) -> Result<BBox, PlotError> {
        let width = theme::text_width(text, em, bold)?;
        let prim = Prim::Text {
            text: text.to_string(),
            x,
            baseline,
            em,
            bold,
            color,
            align,
            width,
        };
        let b = prim.text_box().unwrap_or_default();
        self.prims.push(prim);
        Ok(b)
    }

    pub(crate) fn path(
        &mut self,
        pts: Vec<(f64, f64)>,
        color: RGBColor,
        width: f64,
        dash: Vec<f64>,
    ) {
        if pts.len() >= 2 {
            self.prims.push(Prim::Path {
                pts,
                color,
                width,
                dash,
            });
        }
    }

    pub(crate) fn line(&mut self, a: (f64, f64), b: (f64, f64), color: RGBColor, width: f64) {
        self.path(vec![a, b], color, width, Vec::new());
    }
}

fn draw_err<E: std::error::Error + Send + Sync>(
    e: plotters::drawing::DrawingAreaErrorKind<E>,
) -> PlotError {
    PlotError::Draw(e.to_string())
}

/// Cuts a polyline into dashes. `pattern` alternates on and off lengths in pixels.
pub(crate) fn dash_polyline(pts: &[(f64, f64)], pattern: &[f64]) -> Vec<Vec<(f64, f64)>> {
    if pattern.is_empty() || pattern.iter().all(|p| *p <= 0.0) || pts.len() < 2 {
        return vec![pts.to_vec()];
    }
    let mut out = Vec::new();
    let mut idx = 0usize; // index into pattern; even = on
    let mut left = pattern[0];
    let mut current: Vec<(f64, f64)> = vec![pts[0]];
    for w in pts.windows(2) {
        let (mut a, b) = (w[0], w[1]);
        let mut d = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
        while d > 1e-9 {
            let reach = left.min(d);
            let m = if reach >= d {
                b
            } else {
                let t = reach / d;
                (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t)
            };
            left -= reach;
            d -= reach;
            a = m;
            if left > 1e-9 {
                // The current dash or space goes on into the next segment.
                if idx.is_multiple_of(2) {
                    current.push(m);
                }
                continue;
            }
            if idx.is_multiple_of(2) {
                current.push(m);
                out.push(std::mem::take(&mut current));
            } else {
                current = vec![m];
            }
            idx = (idx + 1) % pattern.len();
            left = pattern[idx];
        }
    }
    if idx.is_multiple_of(2) && current.len() >= 2 {
        out.push(current);
    }
    out
}

/// Draws the scene scaled by `k` (1 for SVG; the supersampling factor for the PNG).
pub(crate) fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    scene: &Scene,
    k: f64,
) -> Result<(), PlotError> {
    let p = |(x, y): (f64, f64)| ((x * k).round() as i32, (y * k).round() as i32);
    let stroke = |w: f64| ((w * k).round() as u32).max(1);
    area.fill(&theme::WHITE).map_err(draw_err)?;
    for prim in &scene.prims {
        match prim {
            Prim::Text {
                text,
                x,
                baseline,
                em,
                bold,
                color,
                align,
                ..
            } => {
                let size = em * k * HEIGHT_PER_EM;
                // plotters puts the baseline half a font size below a top anchor.
                let top = baseline * k - size / 2.0;
                let h = match align {
                    Align::Left => HPos::Left,
                    Align::Center => HPos::Center,
                    Align::Right => HPos::Right,
                };
                let style = theme::font(em * k, *bold)
                    .color(color)
                    .pos(Pos::new(h, VPos::Top));
                area.draw(&Text::new(
                    text.as_str(),
                    ((x * k).round() as i32, top.round() as i32),
                    style,
                ))
                .map_err(draw_err)?;
            }
            Prim::Path {
                pts,
                color,
                width,
                dash,
            } => {
                let style = ShapeStyle {
                    color: color.to_rgba(),
                    filled: false,
                    stroke_width: stroke(*width),
                };
                let scaled: Vec<(f64, f64)> = pts.iter().map(|&(x, y)| (x * k, y * k)).collect();
                let pattern: Vec<f64> = dash.iter().map(|d| d * k).collect();
                for piece in dash_polyline(&scaled, &pattern) {
                    let ipts: Vec<(i32, i32)> = piece
                        .iter()
                        .map(|&(x, y)| (x.round() as i32, y.round() as i32))
                        .collect();
                    area.draw(&PathElement::new(ipts, style))
                        .map_err(draw_err)?;
                }
            }
            Prim::Polygon { pts, color } => {
                let ipts: Vec<(i32, i32)> = pts.iter().map(|&q| p(q)).collect();
                area.draw(&Polygon::new(ipts, color.filled()))
                    .map_err(draw_err)?;
            }
            Prim::Rect {
                x0,
                y0,
                x1,
                y1,
                color,
            } => {
                area.draw(&Rectangle::new(
                    [p((*x0, *y0)), p((*x1, *y1))],
                    color.filled(),
                ))
                .map_err(draw_err)?;
            }
            Prim::Circle {
                x,
                y,
                r,
                color,
                fill,
                width,
            } => {
                let style = if *fill {
                    color.filled()
                } else {
                    ShapeStyle {
                        color: color.to_rgba(),
                        filled: false,
                        stroke_width: stroke(*width),
                    }
                };
                let radius = ((r * k).round() as i32).max(1);
                area.draw(&Circle::new(p((*x, *y)), radius, style))
                    .map_err(draw_err)?;
            }
        }
    }
    area.present().map_err(draw_err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dashes_follow_the_pattern_across_vertices() {
        let pieces = dash_polyline(&[(0.0, 0.0), (10.0, 0.0), (10.0, 10.0)], &[4.0, 2.0]);
        // 0-4, 6-10 (ends on the corner), 12-16 => (10,2)-(10,6), 18-20 => (10,8)-(10,10)
        assert_eq!(pieces.len(), 4, "{pieces:?}");
        assert_eq!(pieces[1], vec![(6.0, 0.0), (10.0, 0.0)]);
        assert_eq!(pieces[0], vec![(0.0, 0.0), (4.0, 0.0)]);
        assert_eq!(pieces[2], vec![(10.0, 2.0), (10.0, 6.0)]);
        assert_eq!(pieces[3], vec![(10.0, 8.0), (10.0, 10.0)]);
    }

    #[test]
    fn solid_lines_stay_whole() {
        let pts = vec![(0.0, 0.0), (5.0, 5.0), (9.0, 1.0)];
        assert_eq!(dash_polyline(&pts, &[]), vec![pts]);
    }
}
