//! Route maps: the countries of a trafficking route shaded by a measure, the route drawn as
//! arrows from its origin through its transit countries to its destination, on an Albers
//! equal-area projection of the route's region (`projection.rs`), in the charts' theme.
//!
//! [`render_map`] draws a [`MapChart`] (values already measured by the caller, one
//! [`MapPanel`] per small multiple) with [`Boundaries`] to a PNG and an SVG, and returns a
//! [`MapInfo`]: each country's value and class as drawn, the legend's classes and the
//! arrows, for the caller's sidecars. Rules it keeps:
//! - **Frame.** The route's origin and transit countries are shown whole, with a margin for
//!   their neighbours; a destination no larger than they are is shown whole too, a larger one
//!   (the Russian Federation) as far as its label point, at most 35 % of the frame beyond.
//! - **Classes.** Sequential "nice" classes from zero (ColorBrewer YlOrBr, colour-blind safe)
//!   for amounts, by powers of ten where equal classes would put most countries in the
//!   lowest; diverging classes around zero (ColorBrewer PuOr: orange up, purple down)
//!   for a change. A route country without a value is hatched "No data", never a class.
//! - **Route.** One arrow per step between countries that share a border (or across the
//!   shortest gap where none do), on the shortest ways from the origin through every transit
//!   country to the destination (`geometry::route_arrows`); arrows are curved, end in a head,
//!   stop at the labels they join and bow to the side that crosses fewer labels.
//! - **Labels.** Every route country is named beside its node, clear of the arrows and of
//!   other names where a place allows (a name set further out gets a leader line to its
//!   node); other countries where their name fits inside them and clear of the rest.
//! - Same input, same bytes, as for charts.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use plotters::style::RGBColor;

use super::geometry::{clip_ring, curve, route_arrows, Pt, Shape};
use super::layout::header_footer;
use super::projection::Albers;
use super::scale::{display_unit, nice_ticks, DisplayUnit};
use super::scene::{Align, BBox, Prim, Scene, ASCENT_EM, DESCENT_EM};
use super::text::{clean, text_block, wrap};
use super::theme::{self, Theme};
use super::{output, PlotError, SizePreset};
use crate::i18n::{Language, Texts};
use crate::model::boundaries::Boundaries;
use crate::model::Unit;

/// The countries of a route (iso3 codes; regions already expanded to their members).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MapRoute {
    pub name: String,
    pub origin: Vec<String>,
    pub transit: Vec<String>,
    pub destination: Vec<String>,
}

impl MapRoute {
    /// Every country of the route once, origin first.
    pub fn countries(&self) -> Vec<String> {
        let mut seen = BTreeSet::new();
        self.origin
            .iter()
            .chain(&self.transit)
            .chain(&self.destination)
            .filter(|c| seen.insert(c.as_str()))
            .cloned()
            .collect()
    }
}

/// One map of a figure: its heading (small multiples) and the value of each route country
/// in the chart's unit (`None`: no data).
#[derive(Debug, Clone, PartialEq)]
pub struct MapPanel {
    pub title: String,
    pub values: Vec<(String, Option<f64>)>,
}

/// Everything a route map shows.
#[derive(Debug, Clone, PartialEq)]
pub struct MapChart {
    /// The language of the map's own words (legend, "No data", "Source:").
    pub language: Language,
    pub title: String,
    pub subtitle: String,
    pub source: String,
    pub notes: Vec<String>,
    /// What the shading measures, without unit (the unit is appended): "Heroin seized".
    pub legend_title: String,
    pub unit: Unit,
    /// The values are changes (a diverging scale around zero).
    pub change: bool,
    pub route: MapRoute,
    pub panels: Vec<MapPanel>,
    /// Country names by iso3 (else the boundary file's name).
    pub names: BTreeMap<String, String>,
    /// Maps per row (0 = up to 3).
    pub columns: usize,
    pub size: SizePreset,
    pub alt_text: String,
}

/// One class of the legend, in display units: `lo <= v < hi` (the last includes `hi`).
#[derive(Debug, Clone, PartialEq)]
pub struct MapClass {
    pub lo: f64,
    pub hi: f64,
    pub label: String,
}

/// The unit and classes a map's values are shown in.
#[derive(Debug, Clone, PartialEq)]
pub struct MapScale {
    pub unit: DisplayUnit,
    pub classes: Vec<MapClass>,
}

impl MapScale {
    /// The class of a value in the chart's unit.
    pub fn class_of(&self, value: f64) -> usize {
        let v = value / self.unit.divisor;
        self.classes
            .iter()
            .position(|c| v < c.hi)
            .unwrap_or(self.classes.len().saturating_sub(1))
    }
}

/// A country as drawn on one panel.
#[derive(Debug, Clone, PartialEq)]
pub struct MappedCountry {
    pub iso3: String,
    pub name: String,
    /// In display units.
    pub value: Option<f64>,
    /// The legend label of its class; `None`: no data.
    pub class: Option<String>,
}

/// What [`render_map`] drew.
#[derive(Debug, Clone, PartialEq)]
pub struct MapInfo {
    pub width: u32,
    pub height: u32,
    pub dpi: f64,
    pub unit: String,
    pub divisor: f64,
    pub classes: Vec<MapClass>,
    /// Per panel, the route's countries in route order.
    pub panels: Vec<Vec<MappedCountry>>,
    /// The route's arrows as drawn (from, to), iso3; a step between two countries whose
    /// labels leave no room for an arrow is not drawn.
    pub arrows: Vec<(String, String)>,
}

const SEA: RGBColor = RGBColor(0xEE, 0xF3, 0xF7);
const LAND: RGBColor = RGBColor(0xE2, 0xE2, 0xE2);
const LAND_EDGE: RGBColor = RGBColor(0xFF, 0xFF, 0xFF);
const ROUTE_EDGE: RGBColor = RGBColor(0x4D, 0x4D, 0x4D);
const NO_DATA_FILL: RGBColor = RGBColor(0xFA, 0xFA, 0xFA);
const HATCH: RGBColor = RGBColor(0x8C, 0x8C, 0x8C);
const ARROW: RGBColor = RGBColor(0x1F, 0x3A, 0x5F);
/// An arrowhead's length in line widths.
const ARROW_HEAD: f64 = 3.6;
/// ColorBrewer YlOrBr (9-class, without its two lightest), light to dark.
const SEQUENTIAL: [RGBColor; 6] = [
    RGBColor(0xFE, 0xE3, 0x91),
    RGBColor(0xFE, 0xC4, 0x4F),
    RGBColor(0xFE, 0x99, 0x29),
    RGBColor(0xEC, 0x70, 0x14),
    RGBColor(0xCC, 0x4C, 0x02),
    RGBColor(0x99, 0x34, 0x04),
];
/// ColorBrewer PuOr (8-class), each side from zero outwards.
const RISE: [RGBColor; 4] = [
    RGBColor(0xFE, 0xE0, 0xB6),
    RGBColor(0xFD, 0xB8, 0x63),
    RGBColor(0xE0, 0x82, 0x14),
    RGBColor(0xB3, 0x58, 0x06),
];
const FALL: [RGBColor; 4] = [
    RGBColor(0xD8, 0xDA, 0xEB),
    RGBColor(0xB2, 0xAB, 0xD2),
    RGBColor(0x80, 0x73, 0xAC),
    RGBColor(0x54, 0x27, 0x88),
];

/// The display unit and legend classes of `chart`'s values.
pub fn map_scale(chart: &MapChart) -> MapScale {
    let values: Vec<f64> = chart
        .panels
        .iter()
        .flat_map(|p| p.values.iter().filter_map(|v| v.1))
        .collect();
    let max_abs = values.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    let unit = display_unit(chart.unit, max_abs);
    let shown: Vec<f64> = values.iter().map(|v| v / unit.divisor).collect();
    let (lo, hi) = shown
        .iter()
        .fold((0.0_f64, 0.0_f64), |(a, b), v| (a.min(*v), b.max(*v)));
    let ticks = if chart.change {
        let m = lo.abs().max(hi);
        nice_ticks(-m, m, 6)
    } else {
        nice_ticks(lo, hi, 5)
    };
    let mut bounds = ticks.values.clone();
    // `None`: powers of ten, each with its own decimals.
    let mut decimals = Some(ticks.decimals);
    // Amounts spanning orders of magnitude (one country seizing tonnes, the others kilograms)
    // would share the lowest of equal classes: use classes by powers of ten from zero instead.
    let positive: Vec<f64> = shown.iter().copied().filter(|v| *v > 0.0).collect();
    let lowest = shown.iter().filter(|v| **v < bounds[1]).count();
    if !chart.change && lo >= 0.0 && positive.len() >= 3 && 5 * lowest > 3 * shown.len() {
        let min = positive.iter().copied().fold(f64::INFINITY, f64::min);
        let top = hi.log10().ceil() as i32;
        let bottom = (min.log10().floor() as i32).max(top - 5);
        if top - bottom >= 2 {
            bounds = std::iter::once(0.0)
                .chain((bottom + 1..=top).map(|e| 10f64.powi(e)))
                .collect();
            decimals = None;
        }
    }
    let texts = Texts::of(chart.language);
    let bound = |v: f64| {
        let own = if v > 0.0 {
            (-v.log10().round()).max(0.0) as usize
        } else {
            0
        };
        signed(v, decimals.unwrap_or(own), texts)
    };
    let classes = bounds
        .windows(2)
        .map(|w| MapClass {
            lo: w[0],
            hi: w[1],
            label: texts.format(
                "class-range",
                &[("from", bound(w[0]).into()), ("to", bound(w[1]).into())],
            ),
        })
        .collect();
    MapScale { unit, classes }
}

/// A class bound with a typographic minus (U+2212), which a spreadsheet never reads as a
/// formula: "−1,000".
fn signed(v: f64, decimals: usize, texts: &Texts) -> String {
    let text = texts.number(v, decimals);
    match text.strip_prefix('-') {
        Some(rest) => format!("\u{2212}{rest}"),
        None => text,
    }
}

fn class_colour(scale: &MapScale, change: bool, class: usize) -> RGBColor {
    let classes = &scale.classes;
    if change {
        let c = &classes[class];
        if c.lo >= 0.0 {
            let k = classes[..class].iter().filter(|c| c.lo >= 0.0).count();
            RISE[k.min(RISE.len() - 1)]
        } else {
            let k = classes[class + 1..].iter().filter(|c| c.hi <= 0.0).count();
            FALL[k.min(FALL.len() - 1)]
        }
    } else {
        let n = classes.len();
        let i = if n <= 1 {
            2
        } else {
            (class as f64 * (SEQUENTIAL.len() - 1) as f64 / (n - 1) as f64).round() as usize
        };
        SEQUENTIAL[i.min(SEQUENTIAL.len() - 1)]
    }
}

/// The longitude/latitude box the map shows: the origin and transit countries' main land
/// (their polygons of at least a tenth of their largest), a destination as large or larger
/// than all of them only as far as its label point, and an 8 % margin.
fn extent(route: &MapRoute, b: &Boundaries) -> Result<(f64, f64, f64, f64), PlotError> {
    type Box4 = (f64, f64, f64, f64);
    let union = |a: Box4, c: Box4| (a.0.min(c.0), a.1.min(c.1), a.2.max(c.2), a.3.max(c.3));
    let empty = (
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    );
    let main_box = |iso3: &str| -> Result<(Box4, Pt), PlotError> {
        let country = b
            .country(iso3)
            .ok_or_else(|| PlotError::MissingOutline(iso3.to_string()))?;
        let area = |ring: &Vec<(f64, f64)>| super::geometry::signed_area(ring).abs();
        let largest = country
            .polygons
            .iter()
            .filter_map(|p| p.first().map(area))
            .fold(0.0, f64::max);
        let mut bx = empty;
        let mut centre = (0.0, 0.0);
        for polygon in &country.polygons {
            let Some(outer) = polygon.first() else {
                continue;
            };
            if area(outer) >= largest / 10.0 {
                for &(x, y) in outer {
                    bx = union(bx, (x, y, x, y));
                }
            }
            if area(outer) == largest {
                let n = outer.len() as f64;
                centre = (
                    outer.iter().map(|p| p.0).sum::<f64>() / n,
                    outer.iter().map(|p| p.1).sum::<f64>() / n,
                );
            }
        }
        Ok((bx, centre))
    };
    let mut core = empty;
    for c in route.origin.iter().chain(&route.transit) {
        core = union(core, main_box(c)?.0);
    }
    let core_area = |bx: Box4| (bx.2 - bx.0) * (bx.3 - bx.1);
    let mut frame = core;
    for d in &route.destination {
        let (bx, centre) = main_box(d)?;
        if !core.0.is_finite() || core_area(bx) <= core_area(core) {
            frame = union(frame, bx);
        } else {
            let (w, h) = ((core.2 - core.0) * 0.35, (core.3 - core.1) * 0.35);
            let x = centre.0.clamp(core.0 - w, core.2 + w);
            let y = centre.1.clamp(core.1 - h, core.3 + h);
            frame = union(frame, (x, y, x, y));
        }
    }
    if !frame.0.is_finite() {
        return Err(PlotError::Layout(
            "the route has no countries to map".into(),
        ));
    }
    let (mx, my) = (
        (frame.2 - frame.0).max(2.0) * 0.08,
        (frame.3 - frame.1).max(2.0) * 0.08,
    );
    Ok((
        frame.0 - mx,
        (frame.1 - my).max(-85.0),
        frame.2 + mx,
        (frame.3 + my).min(85.0),
    ))
}

/// A map panel's geometry: every country clipped to the panel's frame, in pixels.
struct Panel {
    rect: BBox,
    shapes: BTreeMap<String, Shape>,
}

/// The projection of `extent` and the extent's projected bounding box.
fn frame(extent: (f64, f64, f64, f64)) -> (Albers, BBox) {
    let (lon0, lat0, lon1, lat1) = extent;
    let albers = Albers::for_extent(lon0, lon1, lat0, lat1);
    let mut fx = (
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    );
    for i in 0..=40 {
        let t = f64::from(i) / 40.0;
        for (lon, lat) in [
            (lon0 + (lon1 - lon0) * t, lat0),
            (lon0 + (lon1 - lon0) * t, lat1),
            (lon0, lat0 + (lat1 - lat0) * t),
            (lon1, lat0 + (lat1 - lat0) * t),
        ] {
            let (x, y) = albers.project(lon, lat);
            fx = (fx.0.min(x), fx.1.min(y), fx.2.max(x), fx.3.max(y));
        }
    }
    (albers, fx)
}

/// Projects and clips every country to `rect`, the frame fitted to `extent` with the
/// rect's aspect.
fn project(b: &Boundaries, extent: (f64, f64, f64, f64), rect: BBox) -> Panel {
    let (albers, fx) = frame(extent);
    // Show up to 30 % more of the surroundings towards the rect's aspect; the rest of the
    // difference leaves the rect narrower or lower (top left), rather than filling it with
    // the far side of the cone.
    let (rw, rh) = (rect.2 - rect.0, rect.3 - rect.1);
    let (mut fw, mut fh) = (fx.2 - fx.0, fx.3 - fx.1);
    if rw / rh > fw / fh {
        fw = (fh * rw / rh).min(fw * 1.3);
    } else {
        fh = (fw * rh / rw).min(fh * 1.3);
    }
    let scale = (rw / fw).min(rh / fh);
    let rect = (rect.0, rect.1, rect.0 + fw * scale, rect.1 + fh * scale);
    let (cx, cy) = ((fx.0 + fx.2) / 2.0, (fx.1 + fx.3) / 2.0);
    let to_px = |(x, y): Pt| {
        (
            (rect.0 + rect.2) / 2.0 + (x - cx) * scale,
            (rect.1 + rect.3) / 2.0 - (y - cy) * scale,
        )
    };
    let mut shapes = BTreeMap::new();
    for (iso3, country) in &b.countries {
        let mut rings = Vec::new();
        for ring in country.polygons.iter().flatten() {
            // A ring across the meridian opposite the centre would be torn apart: it lies on
            // the far side of the globe, off any route's frame.
            let torn = ring
                .windows(2)
                .any(|w| (albers.relative_lon(w[0].0) - albers.relative_lon(w[1].0)).abs() > 180.0);
            if torn {
                continue;
            }
            // Long straight edges (a border along a parallel) are curves on a cone.
            let mut px: Vec<Pt> = Vec::with_capacity(ring.len());
            for w in ring.windows(2) {
                let (a, z) = (w[0], w[1]);
                let steps = (a.0 - z.0).abs().max((a.1 - z.1).abs()).ceil().max(1.0) as usize;
                for k in 0..steps {
                    let f = k as f64 / steps as f64;
                    let (lon, lat) = (a.0 + (z.0 - a.0) * f, a.1 + (z.1 - a.1) * f);
                    px.push(to_px(albers.project(lon, lat)));
                }
            }
            let clipped = clip_ring(&px, rect);
            if !clipped.is_empty() {
                rings.push(clipped);
            }
        }
        if !rings.is_empty() {
            shapes.insert(iso3.clone(), Shape { rings });
        }
    }
    Panel { rect, shapes }
}

fn overlaps(a: BBox, b: BBox) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

fn inside_box(p: Pt, b: BBox) -> bool {
    p.0 >= b.0 && p.0 <= b.2 && p.1 >= b.1 && p.1 <= b.3
}

fn pad(b: BBox, d: f64) -> BBox {
    (b.0 - d, b.1 - d, b.2 + d, b.3 + d)
}

/// A route name further from its node than this many label offsets is tied to it by a
/// leader line.
const LEADER: f64 = 1.5;

/// How far a point lies outside a box (0 inside it).
fn box_distance(b: BBox, p: Pt) -> f64 {
    let dx = (b.0 - p.0).max(p.0 - b.2).max(0.0);
    let dy = (b.1 - p.1).max(p.1 - b.3).max(0.0);
    dx.hypot(dy)
}

/// The box of a line of text centred on `p` (its ink, centred vertically).
fn label_box(p: Pt, w: f64, em: f64) -> BBox {
    let h = (ASCENT_EM + DESCENT_EM) * em;
    (p.0 - w / 2.0, p.1 - h / 2.0, p.0 + w / 2.0, p.1 + h / 2.0)
}

struct Label {
    text: String,
    at: Pt,
    em: f64,
    bold: bool,
    color: RGBColor,
    halo: Option<RGBColor>,
    bbox: BBox,
}

/// Draws one panel; returns the arrows drawn.
#[allow(clippy::too_many_arguments)]
fn draw_panel(
    scene: &mut Scene,
    t: &Theme,
    chart: &MapChart,
    panel: &Panel,
    values: &BTreeMap<&str, Option<f64>>,
    scale: &MapScale,
    names: &dyn Fn(&str) -> String,
    b: &Boundaries,
) -> Result<Vec<(String, String)>, PlotError> {
    let route: BTreeSet<String> = chart.route.countries().into_iter().collect();
    let fill_of = |iso3: &str| -> RGBColor {
        match values.get(iso3) {
            None => LAND,
            Some(None) => NO_DATA_FILL,
            Some(Some(v)) => class_colour(scale, chart.change, scale.class_of(*v)),
        }
    };
    let r = panel.rect;
    scene.prims.push(Prim::Rect {
        x0: r.0,
        y0: r.1,
        x1: r.2,
        y1: r.3,
        color: SEA,
    });
    // Larger countries first, so that an enclave is drawn over the country around it.
    let mut order: Vec<(&String, &Shape)> = panel.shapes.iter().collect();
    order.sort_by(|a, b| b.1.area().total_cmp(&a.1.area()).then(a.0.cmp(b.0)));
    for (iso3, shape) in &order {
        let color = fill_of(iso3);
        for ring in &shape.rings {
            scene.prims.push(Prim::Polygon {
                pts: ring.clone(),
                color,
            });
        }
        if values.get(iso3.as_str()) == Some(&None) {
            for (a, b) in shape.hatch(0.55 * t.body_em) {
                scene.line(a, b, HATCH, t.grid_w);
            }
        }
    }
    for (on_route, color, width) in [(false, LAND_EDGE, t.grid_w), (true, ROUTE_EDGE, t.axis_w)] {
        for (iso3, shape) in &order {
            if route.contains(*iso3) == on_route {
                for ring in &shape.rings {
                    let mut pts = ring.clone();
                    pts.push(ring[0]);
                    scene.path(pts, color, width, Vec::new());
                }
            }
        }
    }
    scene.path(
        vec![(r.0, r.1), (r.2, r.1), (r.2, r.3), (r.0, r.3), (r.0, r.1)],
        theme::AXIS,
        t.grid_w,
        Vec::new(),
    );

    // The route: a node at each country's label point, arrows between nodes.
    let mut points: BTreeMap<String, Pt> = BTreeMap::new();
    for iso3 in chart.route.countries() {
        if let Some((p, _)) = panel.shapes.get(&iso3).and_then(|s| s.label_point(24)) {
            points.insert(iso3, p);
        }
    }
    let mut borders = BTreeSet::new();
    for iso3 in &route {
        if let Some(c) = b.country(iso3) {
            for n in &c.neighbours {
                borders.insert((iso3.clone(), n.clone()));
            }
        }
    }
    let arrows = route_arrows(
        &chart.route.origin,
        &chart.route.transit,
        &chart.route.destination,
        &points,
        &borders,
    );
    let width = t.line_w * 1.15;
    let node = 0.32 * t.body_em;
    let gap = node + 0.25 * t.body_em;
    let mut drawn = Vec::new();
    let mut ink: Vec<Pt> = Vec::new();
    for (from, to) in &arrows {
        let (a, z) = (points[from], points[to]);
        // Bow away from the other nodes.
        let near_nodes = |pts: &[Pt]| {
            pts.iter()
                .filter(|p| {
                    points.iter().any(|(c, q)| {
                        c != from && c != to && (p.0 - q.0).hypot(p.1 - q.1) < 2.0 * gap
                    })
                })
                .count()
        };
        let left = curve(a, z, 0.18, 48);
        let right = curve(a, z, -0.18, 48);
        let pts = if near_nodes(&right) < near_nodes(&left) {
            right
        } else {
            left
        };
        let trimmed: Vec<Pt> = pts
            .into_iter()
            .filter(|p| (p.0 - a.0).hypot(p.1 - a.1) > gap && (p.0 - z.0).hypot(p.1 - z.1) > gap)
            .collect();
        let length: f64 = trimmed
            .windows(2)
            .map(|w| (w[1].0 - w[0].0).hypot(w[1].1 - w[0].1))
            .sum();
        if trimmed.len() < 3 || length < 1.5 * ARROW_HEAD * width {
            continue;
        }
        arrow(scene, &trimmed, width, t.axis_w);
        ink.extend(trimmed);
        drawn.push((from.clone(), to.clone()));
    }
    for p in points.values() {
        scene.prims.push(Prim::Circle {
            x: p.0,
            y: p.1,
            r: node + t.axis_w,
            color: theme::WHITE,
            fill: true,
            width: 0.0,
        });
        scene.prims.push(Prim::Circle {
            x: p.0,
            y: p.1,
            r: node,
            color: ARROW,
            fill: true,
            width: 0.0,
        });
        ink.push(*p);
    }

    // Labels: each route country's beside its node, where it crosses no arrow, no other
    // label and is nearer its own node than any other (below, above, right, left, then
    // further out, with a leader); others where they fit inside their country.
    let route_em = t.body_em * 0.95;
    let other_em = t.small_em * 0.95;
    let mut labels: Vec<Label> = Vec::new();
    let inner = pad(r, -0.3 * t.body_em);
    let ink_in = |bx: BBox| {
        ink.iter()
            .filter(|p| inside_box(**p, pad(bx, 0.15 * route_em)))
            .count()
    };
    // The longest names first: they have the fewest places to go.
    let mut route_names = Vec::new();
    for iso3 in chart.route.countries() {
        let text = names(&iso3);
        let w = theme::text_width(&text, route_em, true)?;
        route_names.push((iso3, text, w));
    }
    route_names.sort_by(|a, b| b.2.total_cmp(&a.2));
    for (iso3, text, w) in route_names {
        let Some(&p) = points.get(&iso3) else {
            continue;
        };
        let h = (ASCENT_EM + DESCENT_EM) * route_em;
        let off = gap + 0.1 * route_em;
        let mut candidates = Vec::new();
        for k in [1.0, 2.0, 3.0, 4.5, 6.0, 8.0] {
            let d = off * k;
            candidates.extend([
                (p.0, p.1 + d + h / 2.0),
                (p.0, p.1 - d - h / 2.0),
                (p.0 + d + w / 2.0, p.1),
                (p.0 - d - w / 2.0, p.1),
                (p.0 + d + w / 2.0, p.1 + d + h / 2.0),
                (p.0 - d - w / 2.0, p.1 + d + h / 2.0),
                (p.0 + d + w / 2.0, p.1 - d - h / 2.0),
                (p.0 - d - w / 2.0, p.1 - d - h / 2.0),
            ]);
        }
        let shape = &panel.shapes[&iso3];
        let score = |at: Pt| {
            let bx = label_box(at, w, route_em);
            let on_frame = bx.0 >= inner.0 && bx.2 <= inner.2 && bx.1 >= inner.1 && bx.3 <= inner.3;
            let clashes = labels
                .iter()
                .filter(|l| overlaps(pad(l.bbox, 0.25 * route_em), bx))
                .count();
            let outside = [(bx.0, bx.1), (bx.2, bx.1), (bx.0, bx.3), (bx.2, bx.3)]
                .iter()
                .filter(|q| !shape.contains(**q))
                .count();
            // A name without a leader, nearer another country's node than its own, would be
            // read as that country's.
            let own = box_distance(bx, p);
            let misleading = if own > LEADER * off {
                0
            } else {
                points
                    .iter()
                    .filter(|(c, q)| **c != iso3 && box_distance(bx, **q) < own)
                    .count()
            };
            (!on_frame as usize, clashes, misleading, ink_in(bx), outside)
        };
        let mut at = candidates
            .iter()
            .copied()
            .min_by_key(|c| score(*c))
            .unwrap_or(p);
        // A name wider than any place on the frame is kept on it.
        at.0 = at.0.clamp(
            inner.0 + w / 2.0,
            (inner.2 - w / 2.0).max(inner.0 + w / 2.0),
        );
        at.1 = at.1.clamp(
            inner.1 + h / 2.0,
            (inner.3 - h / 2.0).max(inner.1 + h / 2.0),
        );
        // A name set further out than the first ring is tied to its node by a leader.
        let bx = label_box(at, w, route_em);
        let nearest = (p.0.clamp(bx.0, bx.2), p.1.clamp(bx.1, bx.3));
        if box_distance(bx, p) > LEADER * off {
            scene.line(p, nearest, theme::MUTED_INK, t.axis_w);
        }
        labels.push(Label {
            bbox: bx,
            color: theme::TITLE_INK,
            halo: Some(theme::WHITE),
            text,
            at,
            em: route_em,
            bold: true,
        });
    }
    for (iso3, shape) in &order {
        if route.contains(*iso3) {
            continue;
        }
        let text = names(iso3);
        let w = theme::text_width(&text, other_em, false)?;
        let bx = shape.bbox();
        if bx.2 - bx.0 < w * 1.1 || bx.3 - bx.1 < 2.0 * other_em {
            continue;
        }
        let Some((p, d)) = shape.label_point(16) else {
            continue;
        };
        let lb = label_box(p, w, other_em);
        let fits = d >= 0.6 * other_em
            && [(lb.0, lb.1), (lb.2, lb.1), (lb.0, lb.3), (lb.2, lb.3)]
                .iter()
                .all(|q| shape.contains(*q) && inside_box(*q, inner));
        if fits
            && ink_in(lb) == 0
            && !labels
                .iter()
                .any(|l| overlaps(pad(l.bbox, 0.3 * other_em), lb))
        {
            labels.push(Label {
                text,
                at: p,
                em: other_em,
                bold: false,
                color: theme::MUTED_INK,
                halo: None,
                bbox: lb,
            });
        }
    }

    for l in &labels {
        let baseline = l.at.1 + (ASCENT_EM - DESCENT_EM) / 2.0 * l.em;
        // A halo in the colour of the country around it keeps the name clear of borders,
        // hatching and arrows.
        if let Some(halo) = l.halo {
            let d = 0.09 * l.em;
            for (dx, dy) in [
                (-d, 0.0),
                (d, 0.0),
                (0.0, -d),
                (0.0, d),
                (-d, -d),
                (d, d),
                (-d, d),
                (d, -d),
            ] {
                scene.text(
                    &l.text,
                    l.at.0 + dx,
                    baseline + dy,
                    l.em,
                    l.bold,
                    halo,
                    Align::Center,
                )?;
            }
        }
        scene.text(
            &l.text,
            l.at.0,
            baseline,
            l.em,
            l.bold,
            l.color,
            Align::Center,
        )?;
    }
    Ok(drawn)
}

/// A curved arrow along `pts`, with a white casing and a filled head at the end.
fn arrow(scene: &mut Scene, pts: &[Pt], width: f64, casing: f64) {
    let n = pts.len();
    let tip = pts[n - 1];
    let back = pts[n - 3];
    let (dx, dy) = (tip.0 - back.0, tip.1 - back.1);
    let len = (dx * dx + dy * dy).sqrt().max(1e-9);
    let (ux, uy) = (dx / len, dy / len);
    let head = ARROW_HEAD * width;
    let base = (tip.0 - ux * head, tip.1 - uy * head);
    let wing = 1.7 * width;
    let head_pts = vec![
        tip,
        (base.0 - uy * wing, base.1 + ux * wing),
        (base.0 + uy * wing, base.1 - ux * wing),
    ];
    // The shaft stops where the head begins.
    let mut shaft: Vec<Pt> = pts
        .iter()
        .copied()
        .take_while(|p| (p.0 - tip.0).powi(2) + (p.1 - tip.1).powi(2) > head * head)
        .collect();
    shaft.push(base);
    scene.path(
        shaft.clone(),
        theme::WHITE,
        width + 2.0 * casing,
        Vec::new(),
    );
    let casing_head: Vec<Pt> = {
        let k = 1.0 + 2.0 * casing / wing;
        head_pts
            .iter()
            .map(|p| (base.0 + (p.0 - base.0) * k, base.1 + (p.1 - base.1) * k))
            .collect()
    };
    scene.prims.push(Prim::Polygon {
        pts: casing_head,
        color: theme::WHITE,
    });
    scene.path(shaft, ARROW, width, Vec::new());
    scene.prims.push(Prim::Polygon {
        pts: head_pts,
        color: ARROW,
    });
}

/// The legend column: the measure, its classes (highest first), no data, other countries,
/// the route; returns its bottom.
#[allow(clippy::too_many_arguments)]
fn legend(
    scene: &mut Scene,
    t: &Theme,
    chart: &MapChart,
    scale: &MapScale,
    any_missing: bool,
    x: f64,
    top: f64,
    w: f64,
) -> Result<f64, PlotError> {
    let em = t.body_em;
    let texts = Texts::of(chart.language);
    let title = texts.format(
        "axis-title",
        &[
            ("measure", clean(&chart.legend_title).into()),
            ("unit", scale.unit.text(texts).into()),
        ],
    );
    let lines = wrap(&title, em, true, w)?;
    let mut y = text_block(
        scene,
        &lines,
        x,
        top,
        em,
        true,
        theme::BODY_INK,
        Align::Left,
    )?;
    y += 0.6 * em;
    let sw = 1.8 * em;
    let sh = 1.1 * em;
    let entry = |scene: &mut Scene, y: f64, text: &str| -> Result<f64, PlotError> {
        let lines = wrap(text, t.tick_em, false, w - sw - 0.6 * em)?;
        let first = y + sh / 2.0 + (ASCENT_EM - DESCENT_EM) / 2.0 * t.tick_em;
        let top = first - ASCENT_EM * t.tick_em;
        let bottom = text_block(
            scene,
            &lines,
            x + sw + 0.6 * em,
            top,
            t.tick_em,
            false,
            theme::BODY_INK,
            Align::Left,
        )?;
        Ok(bottom.max(y + sh) + 0.45 * em)
    };
    let swatch = |scene: &mut Scene, y: f64, color: RGBColor| {
        scene.prims.push(Prim::Rect {
            x0: x,
            y0: y,
            x1: x + sw,
            y1: y + sh,
            color,
        });
        scene.path(
            vec![(x, y), (x + sw, y), (x + sw, y + sh), (x, y + sh), (x, y)],
            ROUTE_EDGE,
            t.grid_w,
            Vec::new(),
        );
    };
    for (i, class) in scale.classes.iter().enumerate().rev() {
        swatch(scene, y, class_colour(scale, chart.change, i));
        y = entry(scene, y, &class.label)?;
    }
    if any_missing {
        swatch(scene, y, NO_DATA_FILL);
        let shape = Shape {
            rings: vec![vec![(x, y), (x + sw, y), (x + sw, y + sh), (x, y + sh)]],
        };
        for (a, b) in shape.hatch(0.55 * em) {
            scene.line(a, b, HATCH, t.grid_w);
        }
        y = entry(scene, y, &texts.get("no-data"))?;
    }
    swatch(scene, y, LAND);
    y = entry(scene, y, &texts.get("not-on-route"))?;
    y += 0.3 * em;
    let mid = y + sh / 2.0;
    arrow(
        scene,
        &curve((x, mid), (x + sw, mid), 0.0, 8),
        t.line_w * 1.15,
        t.axis_w,
    );
    entry(scene, y, &chart.route.name)
}

/// Renders `chart` on `boundaries` to a PNG at `png` and an SVG at `svg`.
pub fn render_map(
    chart: &MapChart,
    boundaries: &Boundaries,
    png: &Path,
    svg: &Path,
) -> Result<MapInfo, PlotError> {
    let (scene, t, info) = map_scene(chart, boundaries)?;
    let title = clean(&chart.title);
    let alt = clean(&chart.alt_text);
    output::write_png(&scene, &t, png, &title, &alt)?;
    output::write_svg(&scene, &t, svg, &title, &alt)?;
    Ok(info)
}

/// The map drawn as a scene, with its theme and what it shows.
fn map_scene(
    chart: &MapChart,
    boundaries: &Boundaries,
) -> Result<(Scene, Theme, MapInfo), PlotError> {
    theme::ensure_fonts()?;
    let t = Theme::new(chart.size);
    if chart.panels.is_empty() {
        return Err(PlotError::EmptyChart);
    }
    for p in &chart.panels {
        for (iso3, v) in &p.values {
            if v.is_some_and(|v| !v.is_finite()) {
                return Err(PlotError::NonFinite {
                    series: iso3.clone(),
                    what: "its value".into(),
                });
            }
        }
    }
    let names = |iso3: &str| -> String {
        chart
            .names
            .get(iso3)
            .cloned()
            .or_else(|| boundaries.country(iso3).map(|c| c.name.clone()))
            .unwrap_or_else(|| iso3.to_string())
    };
    let scale = map_scale(chart);
    let extent = extent(&chart.route, boundaries)?;
    let mut scene = Scene {
        width: t.width,
        height: t.height,
        prims: Vec::new(),
    };
    let (top, bottom) = header_footer(
        &mut scene,
        &t,
        &chart.title,
        &chart.subtitle,
        &chart.source,
        &chart.notes,
        Texts::of(chart.language),
    )?;
    let (w, m) = (f64::from(t.width), t.margin);
    let any_missing = chart
        .panels
        .iter()
        .any(|p| p.values.iter().any(|v| v.1.is_none()));
    // The legend's column: a fifth of the width, wider (to a third) where its wrapped lines
    // would not fit the height (a longer language, a long legend title).
    let legend_fits = |width: f64| {
        let mut scratch = Scene {
            width: t.width,
            height: t.height,
            prims: Vec::new(),
        };
        legend(
            &mut scratch,
            &t,
            chart,
            &scale,
            any_missing,
            0.0,
            top,
            width,
        )
        .is_ok_and(|legend_bottom| legend_bottom <= bottom)
    };
    let legend_w = [0.2, 0.25, 0.3, 1.0 / 3.0]
        .map(|share| (w - 2.0 * m) * share)
        .into_iter()
        .find(|width| legend_fits(*width))
        .unwrap_or((w - 2.0 * m) * 0.2);
    // The maps take the width left of the legend's column; the legend then sits beside them.
    let legend_x = w - m - legend_w;
    let n = chart.panels.len();
    let gap = 1.2 * t.body_em;
    let maps_w = legend_x - gap - m;
    let heading = if n > 1 { 1.6 * t.body_em } else { 0.0 };
    let cells = |columns: usize| {
        let rows = n.div_ceil(columns);
        (
            (maps_w - gap * (columns - 1) as f64) / columns as f64,
            (bottom - top - gap * (rows - 1) as f64) / rows as f64,
        )
    };
    // Without `columns`, the grid that draws the maps largest.
    let (_, fx) = frame(extent);
    let map_scale_of = |(w, h): (f64, f64)| (w / (fx.2 - fx.0)).min((h - heading) / (fx.3 - fx.1));
    let columns = match chart.columns {
        0 => (1..=n)
            .max_by(|a, b| {
                map_scale_of(cells(*a))
                    .total_cmp(&map_scale_of(cells(*b)))
                    .then(b.cmp(a))
            })
            .unwrap_or(1),
        c => c.min(n),
    };
    let (cell_w, cell_h) = cells(columns);
    let mut panels = Vec::new();
    let mut arrows = Vec::new();
    let mut rights = Vec::new();
    for (i, p) in chart.panels.iter().enumerate() {
        let (col, row) = (i % columns, i / columns);
        let x0 = m + col as f64 * (cell_w + gap);
        let y0 = top + row as f64 * (cell_h + gap);
        if n > 1 {
            scene.text(
                &clean(&p.title),
                x0,
                y0 + ASCENT_EM * t.body_em,
                t.body_em,
                true,
                theme::TITLE_INK,
                Align::Left,
            )?;
        }
        let rect = (x0, y0 + heading, x0 + cell_w, y0 + cell_h);
        let panel = project(boundaries, extent, rect);
        rights.push(panel.rect.2);
        let values: BTreeMap<&str, Option<f64>> =
            p.values.iter().map(|(c, v)| (c.as_str(), *v)).collect();
        arrows = draw_panel(
            &mut scene, &t, chart, &panel, &values, &scale, &names, boundaries,
        )?;
        panels.push(
            p.values
                .iter()
                .map(|(iso3, v)| MappedCountry {
                    iso3: iso3.clone(),
                    name: names(iso3),
                    value: v.map(|v| v / scale.unit.divisor),
                    class: v.map(|v| scale.classes[scale.class_of(v)].label.clone()),
                })
                .collect(),
        );
    }
    let used_right = rights.iter().copied().fold(m, f64::max);
    let legend_bottom = legend(
        &mut scene,
        &t,
        chart,
        &scale,
        any_missing,
        used_right + gap,
        top,
        legend_w,
    )?;
    if legend_bottom > bottom {
        return Err(PlotError::Layout(format!(
            "the map's legend needs {:.0} px of {:.0}; shorten the notes or use a larger size preset",
            legend_bottom - top,
            bottom - top
        )));
    }
    let info = MapInfo {
        width: t.width,
        height: t.height,
        dpi: t.dpi,
        unit: scale.unit.label.clone(),
        divisor: scale.unit.divisor,
        classes: scale.classes,
        panels,
        arrows,
    };
    Ok((scene, t, info))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::reference::Reference;

    #[test]
    fn no_text_overlaps_on_the_maps_of_the_shipped_routes() {
        let reference = Reference::load(None).unwrap();
        let boundaries = Boundaries::load(None).unwrap();
        for route in &reference.routes {
            let map_route = MapRoute {
                name: route.name.clone(),
                origin: route.origin.clone(),
                transit: route.transit.clone(),
                destination: route.destination.clone(),
            };
            let countries = map_route.countries();
            let chart = MapChart {
                language: Language::En,
                title: format!("Heroin seized along the {}, 2016", route.name),
                subtitle: format!("Heroin seized (kg), 2016, by country of the {}", route.name),
                source: "routetrend test".into(),
                notes: vec![Texts::of(Language::En).get("map-disclaimer")],
                legend_title: "Heroin seized".into(),
                unit: Unit::Kg,
                change: false,
                panels: vec![MapPanel {
                    title: "2016".into(),
                    values: countries
                        .iter()
                        .enumerate()
                        .map(|(i, c)| (c.clone(), Some(10f64.powi(i as i32 % 5))))
                        .collect(),
                }],
                names: countries
                    .iter()
                    .map(|c| (c.clone(), reference.geo_name(c)))
                    .collect(),
                route: map_route,
                columns: 0,
                size: SizePreset::Report,
                alt_text: String::new(),
            };
            let (scene, t, _) = map_scene(&chart, &boundaries).unwrap();
            // Every text but the white halos drawn around route names.
            let boxes: Vec<(String, BBox)> = scene
                .prims
                .iter()
                .filter(|q| !matches!(q, Prim::Text { color, .. } if *color == theme::WHITE))
                .filter_map(|q| match q {
                    Prim::Text { text, .. } => Some((text.clone(), q.text_box()?)),
                    _ => None,
                })
                .collect();
            for name in countries.iter().map(|c| reference.geo_name(c)) {
                assert!(
                    boxes.iter().any(|(s, _)| *s == name),
                    "{}: {name} unlabelled",
                    route.id
                );
            }
            for (s, b) in &boxes {
                assert!(
                    b.0 >= 0.0
                        && b.1 >= 0.0
                        && b.2 <= f64::from(t.width)
                        && b.3 <= f64::from(t.height),
                    "{}: {s:?} at {b:?} leaves the canvas",
                    route.id
                );
            }
            for (i, (s1, a)) in boxes.iter().enumerate() {
                for (s2, b) in &boxes[i + 1..] {
                    let overlap =
                        a.0 < b.2 - 0.5 && b.0 < a.2 - 0.5 && a.1 < b.3 - 0.5 && b.1 < a.3 - 0.5;
                    assert!(!overlap, "{}: {s1:?} {a:?} overlaps {s2:?} {b:?}", route.id);
                }
            }
        }
    }
}
