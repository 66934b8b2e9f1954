//! Plane geometry of route maps, in output pixels: clipping rings to the map's frame, ring
//! areas, point-in-country tests, a country's label point, hatching, and the route's arrow
//! network. Pure functions.

use std::collections::{BTreeMap, BTreeSet};

pub(crate) type Pt = (f64, f64);

/// A country as drawn: its rings (exteriors and holes alike) clipped to the frame.
#[derive(Debug, Clone)]
pub(crate) struct Shape {
    pub rings: Vec<Vec<Pt>>,
}

impl Shape {
    /// Area of the exteriors less the holes: holes wind against their exterior (as the map's
    /// GeoJSON writes them, RFC 7946), so the signed areas add up to it.
    pub(crate) fn area(&self) -> f64 {
        self.rings.iter().map(|r| signed_area(r)).sum::<f64>().abs()
    }

    /// Even-odd inside test over all rings.
    pub(crate) fn contains(&self, p: Pt) -> bool {
        let mut inside = false;
        for ring in &self.rings {
            let n = ring.len();
            for i in 0..n {
                let (a, b) = (ring[i], ring[(i + 1) % n]);
                if (a.1 > p.1) != (b.1 > p.1) {
                    let x = a.0 + (p.1 - a.1) / (b.1 - a.1) * (b.0 - a.0);
                    if x > p.0 {
                        inside = !inside;
                    }
                }
            }
        }
        inside
    }

    /// Distance from `p` to the nearest edge.
    fn edge_distance(&self, p: Pt) -> f64 {
        let mut best = f64::INFINITY;
        for ring in &self.rings {
            let n = ring.len();
            for i in 0..n {
                best = best.min(segment_distance(p, ring[i], ring[(i + 1) % n]));
            }
        }
        best
    }

    /// The bounding box (x0, y0, x1, y1).
    pub(crate) fn bbox(&self) -> (f64, f64, f64, f64) {
        let mut b = (
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        );
        for &(x, y) in self.rings.iter().flatten() {
            b = (b.0.min(x), b.1.min(y), b.2.max(x), b.3.max(y));
        }
        b
    }

    /// The point inside the shape farthest from its edges, searched on a grid of
    /// `steps` x `steps` over its bounding box and refined once around the best point
    /// (a deterministic stand-in for the pole of inaccessibility), and that distance.
    /// `None` when no grid point falls inside (a sliver).
    pub(crate) fn label_point(&self, steps: usize) -> Option<(Pt, f64)> {
        let (x0, y0, x1, y1) = self.bbox();
        if !(x1 > x0 && y1 > y0) {
            return None;
        }
        let search = |cx: f64, cy: f64, w: f64, h: f64| {
            let mut best: Option<(Pt, f64)> = None;
            for i in 0..=steps {
                for j in 0..=steps {
                    let p = (
                        cx - w / 2.0 + w * i as f64 / steps as f64,
                        cy - h / 2.0 + h * j as f64 / steps as f64,
                    );
                    if self.contains(p) {
                        let d = self.edge_distance(p);
                        if best.is_none_or(|(_, b)| d > b) {
                            best = Some((p, d));
                        }
                    }
                }
            }
            best
        };
        let (w, h) = (x1 - x0, y1 - y0);
        let coarse = search((x0 + x1) / 2.0, (y0 + y1) / 2.0, w, h)?;
        let fine = search(
            coarse.0 .0,
            coarse.0 .1,
            2.0 * w / steps as f64,
            2.0 * h / steps as f64,
        );
        Some(match fine {
            Some(f) if f.1 > coarse.1 => f,
            _ => coarse,
        })
    }

    /// Hatch lines at 45° (rising to the right) every `spacing` pixels, cut to the shape.
    pub(crate) fn hatch(&self, spacing: f64) -> Vec<(Pt, Pt)> {
        let (x0, y0, x1, y1) = self.bbox();
        if !(x1 > x0 && y1 > y0) || spacing <= 0.0 {
            return Vec::new();
        }
        // Lines x + y = c; the parameter along a line is its x.
        let mut out = Vec::new();
        let mut c = ((x0 + y0) / spacing).floor() * spacing;
        while c <= x1 + y1 {
            let mut xs: Vec<f64> = Vec::new();
            for ring in &self.rings {
                let n = ring.len();
                for i in 0..n {
                    let (a, b) = (ring[i], ring[(i + 1) % n]);
                    let (fa, fb) = (a.0 + a.1 - c, b.0 + b.1 - c);
                    if (fa > 0.0) != (fb > 0.0) {
                        let t = fa / (fa - fb);
                        xs.push(a.0 + t * (b.0 - a.0));
                    }
                }
            }
            xs.sort_by(f64::total_cmp);
            for pair in xs.chunks_exact(2) {
                out.push(((pair[0], c - pair[0]), (pair[1], c - pair[1])));
            }
            c += spacing;
        }
        out
    }
}

/// Twice the signed area over two (positive counter-clockwise in a y-up plane).
pub(crate) fn signed_area(ring: &[Pt]) -> f64 {
    let n = ring.len();
    (0..n)
        .map(|i| {
            let (a, b) = (ring[i], ring[(i + 1) % n]);
            a.0 * b.1 - b.0 * a.1
        })
        .sum::<f64>()
        / 2.0
}

fn segment_distance(p: Pt, a: Pt, b: Pt) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let t = if len2 == 0.0 {
        0.0
    } else {
        (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len2).clamp(0.0, 1.0)
    };
    ((p.0 - a.0 - t * dx).powi(2) + (p.1 - a.1 - t * dy).powi(2)).sqrt()
}

/// Sutherland-Hodgman: `ring` clipped to the box (x0, y0, x1, y1). A ring that leaves the
/// box comes back with edges along the box's sides; one wholly outside comes back empty.
pub(crate) fn clip_ring(ring: &[Pt], (x0, y0, x1, y1): (f64, f64, f64, f64)) -> Vec<Pt> {
    type Inside = fn(Pt, f64) -> bool;
    type Cross = fn(Pt, Pt, f64) -> Pt;
    let at_x: Cross = |a, b, x| (x, a.1 + (b.1 - a.1) * (x - a.0) / (b.0 - a.0));
    let at_y: Cross = |a, b, y| (a.0 + (b.0 - a.0) * (y - a.1) / (b.1 - a.1), y);
    let edges: [(Inside, Cross, f64); 4] = [
        (|p, v| p.0 >= v, at_x, x0),
        (|p, v| p.0 <= v, at_x, x1),
        (|p, v| p.1 >= v, at_y, y0),
        (|p, v| p.1 <= v, at_y, y1),
    ];
    let mut out: Vec<Pt> = ring.to_vec();
    for (inside, cross, v) in edges {
        if out.is_empty() {
            break;
        }
        let input = std::mem::take(&mut out);
        let n = input.len();
        for i in 0..n {
            let (cur, prev) = (input[i], input[(i + n - 1) % n]);
            match (inside(cur, v), inside(prev, v)) {
                (true, true) => out.push(cur),
                (true, false) => {
                    out.push(cross(prev, cur, v));
                    out.push(cur);
                }
                (false, true) => out.push(cross(prev, cur, v)),
                (false, false) => {}
            }
        }
    }
    if out.len() < 3 {
        Vec::new()
    } else {
        out
    }
}

/// A quadratic Bézier from `a` to `b` bowed to one side by `bow` of its length (positive:
/// to the left of a -> b on the page), as `steps` + 1 points.
pub(crate) fn curve(a: Pt, b: Pt, bow: f64, steps: usize) -> Vec<Pt> {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let control = ((a.0 + b.0) / 2.0 + dy * bow, (a.1 + b.1) / 2.0 - dx * bow);
    (0..=steps)
        .map(|i| {
            let t = i as f64 / steps as f64;
            let u = 1.0 - t;
            (
                u * u * a.0 + 2.0 * u * t * control.0 + t * t * b.0,
                u * u * a.1 + 2.0 * u * t * control.1 + t * t * b.1,
            )
        })
        .collect()
}

/// The arrows of a route, as (from, to) pairs of its countries: the edges of the shortest
/// ways (by distance between the countries' points) from each origin through each transit
/// country to the nearest destination, moving only between countries that share a border,
/// or across the shortest gap between groups of countries that share none with each other
/// (a sea). Intermediate steps go through transit countries only. Each pair appears once,
/// in the direction it is first travelled.
pub(crate) fn route_arrows(
    origin: &[String],
    transit: &[String],
    destination: &[String],
    points: &BTreeMap<String, Pt>,
    borders: &BTreeSet<(String, String)>,
) -> Vec<(String, String)> {
    let nodes: Vec<&String> = origin
        .iter()
        .chain(transit)
        .chain(destination)
        .filter(|c| points.contains_key(*c))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let dist = |a: &str, b: &str| {
        let (p, q) = (points[a], points[b]);
        ((p.0 - q.0).powi(2) + (p.1 - q.1).powi(2)).sqrt()
    };
    let mut edges: BTreeSet<(String, String)> = BTreeSet::new();
    for (i, a) in nodes.iter().enumerate() {
        for b in &nodes[i + 1..] {
            if borders.contains(&((*a).clone(), (*b).clone()))
                || borders.contains(&((*b).clone(), (*a).clone()))
            {
                edges.insert(((*a).clone(), (*b).clone()));
            }
        }
    }
    // Join groups that share no border through their closest pair, until one group is left.
    loop {
        let group = components(&nodes, &edges);
        let mut best: Option<(f64, String, String)> = None;
        for (i, a) in nodes.iter().enumerate() {
            for b in &nodes[i + 1..] {
                if group[*a] != group[*b] {
                    let d = dist(a, b);
                    if best.as_ref().is_none_or(|(bd, _, _)| d < *bd) {
                        best = Some((d, (*a).clone(), (*b).clone()));
                    }
                }
            }
        }
        match best {
            Some((_, a, b)) => {
                edges.insert((a, b));
            }
            None => break,
        }
    }
    let adjacent = |c: &str| -> Vec<&str> {
        edges
            .iter()
            .filter_map(|(a, b)| {
                if a == c {
                    Some(b.as_str())
                } else if b == c {
                    Some(a.as_str())
                } else {
                    None
                }
            })
            .collect()
    };
    let passable: BTreeSet<&str> = transit.iter().map(String::as_str).collect();
    // Dijkstra from `from`; returns the path to `to` (inclusive) through transit countries.
    let shortest = |from: &str, to: &str| -> Option<(f64, Vec<String>)> {
        let mut best: BTreeMap<&str, (f64, Option<&str>)> = BTreeMap::new();
        let mut done: BTreeSet<&str> = BTreeSet::new();
        best.insert(from, (0.0, None));
        loop {
            let current = best
                .iter()
                .filter(|(c, _)| !done.contains(*c))
                .min_by(|a, b| a.1 .0.total_cmp(&b.1 .0).then(a.0.cmp(b.0)))
                .map(|(c, (d, _))| (*c, *d));
            let Some((c, d)) = current else { break };
            done.insert(c);
            if c == to {
                break;
            }
            if c != from && !passable.contains(c) {
                continue;
            }
            for next in adjacent(c) {
                let nd = d + dist(c, next);
                if best.get(next).is_none_or(|(bd, _)| nd < *bd) {
                    best.insert(next, (nd, Some(c)));
                }
            }
        }
        let (total, _) = *best.get(to)?;
        let mut path = vec![to.to_string()];
        let mut at = to;
        while let Some((_, Some(prev))) = best.get(at) {
            path.push(prev.to_string());
            at = prev;
        }
        path.reverse();
        Some((total, path))
    };
    let to_destination = |from: &str| {
        destination
            .iter()
            .filter(|d| points.contains_key(*d))
            .filter_map(|d| shortest(from, d))
            .min_by(|a, b| a.0.total_cmp(&b.0))
    };
    let mut arrows: Vec<(String, String)> = Vec::new();
    let mut add = |path: &[String]| {
        for w in path.windows(2) {
            let (a, b) = (&w[0], &w[1]);
            if !arrows
                .iter()
                .any(|(x, y)| (x == a && y == b) || (x == b && y == a))
            {
                arrows.push((a.clone(), b.clone()));
            }
        }
    };
    for o in origin.iter().filter(|c| points.contains_key(*c)) {
        let through: Vec<&String> = transit.iter().filter(|c| points.contains_key(*c)).collect();
        if through.is_empty() {
            if let Some((_, path)) = to_destination(o) {
                add(&path);
            }
            continue;
        }
        for t in through {
            if let Some((_, first)) = shortest(o, t) {
                add(&first);
                if let Some((_, rest)) = to_destination(t) {
                    add(&rest);
                }
            }
        }
    }
    arrows
}

/// The group (connected component) of each node.
fn components<'a>(
    nodes: &[&'a String],
    edges: &BTreeSet<(String, String)>,
) -> BTreeMap<&'a String, usize> {
    let mut group: BTreeMap<&String, usize> =
        nodes.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let mut changed = true;
    while changed {
        changed = false;
        for (a, b) in edges {
            if let (Some(&ga), Some(&gb)) = (group.get(a), group.get(b)) {
                if ga != gb {
                    let (keep, drop) = (ga.min(gb), ga.max(gb));
                    for g in group.values_mut() {
                        if *g == drop {
                            *g = keep;
                        }
                    }
                    changed = true;
                }
            }
        }
    }
    group
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(x0: f64, y0: f64, s: f64) -> Vec<Pt> {
        vec![(x0, y0), (x0 + s, y0), (x0 + s, y0 + s), (x0, y0 + s)]
    }

    #[test]
    fn clipping_keeps_what_is_inside_the_box() {
        let clipped = clip_ring(&square(-5.0, -5.0, 10.0), (0.0, 0.0, 10.0, 10.0));
        assert!(
            (signed_area(&clipped).abs() - 25.0).abs() < 1e-9,
            "{clipped:?}"
        );
        assert!(clip_ring(&square(20.0, 20.0, 1.0), (0.0, 0.0, 10.0, 10.0)).is_empty());
    }

    #[test]
    fn the_label_point_of_an_l_shape_is_inside_its_wide_part() {
        // An L: a 10 x 2 bar along the bottom and a 2 x 10 bar up the left side.
        let l = Shape {
            rings: vec![vec![
                (0.0, 0.0),
                (10.0, 0.0),
                (10.0, 2.0),
                (2.0, 2.0),
                (2.0, 10.0),
                (0.0, 10.0),
            ]],
        };
        let (p, d) = l.label_point(20).unwrap();
        assert!(l.contains(p) && d > 0.9, "{p:?} {d}");
    }

    #[test]
    fn hatching_stays_inside_a_square_with_a_hole() {
        let mut hole = square(4.0, 4.0, 2.0);
        hole.reverse();
        let s = Shape {
            rings: vec![square(0.0, 0.0, 10.0), hole],
        };
        let lines = s.hatch(1.0);
        assert!(!lines.is_empty());
        for (a, b) in lines {
            let mid = ((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0);
            assert!(s.contains(mid), "{a:?} {b:?}");
        }
    }

    #[test]
    fn the_northern_route_runs_through_every_transit_country_along_borders() {
        // Label points roughly where the map puts them (x east, y south), and the land
        // borders of the boundary file.
        let p = |x: f64, y: f64| (x, y);
        let points: BTreeMap<String, Pt> = [
            ("AFG", p(50.0, 90.0)),
            ("TJK", p(60.0, 75.0)),
            ("UZB", p(45.0, 70.0)),
            ("TKM", p(30.0, 75.0)),
            ("KGZ", p(70.0, 68.0)),
            ("KAZ", p(50.0, 45.0)),
            ("RUS", p(45.0, 10.0)),
        ]
        .into_iter()
        .map(|(c, q)| (c.to_string(), q))
        .collect();
        let borders: BTreeSet<(String, String)> = [
            ("AFG", "TJK"),
            ("AFG", "UZB"),
            ("AFG", "TKM"),
            ("TJK", "UZB"),
            ("TJK", "KGZ"),
            ("UZB", "KGZ"),
            ("UZB", "KAZ"),
            ("UZB", "TKM"),
            ("TKM", "KAZ"),
            ("KGZ", "KAZ"),
            ("KAZ", "RUS"),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        let codes = |c: &[&str]| c.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let arrows = route_arrows(
            &codes(&["AFG"]),
            &codes(&["KAZ", "KGZ", "TJK", "TKM", "UZB"]),
            &codes(&["RUS"]),
            &points,
            &borders,
        );
        let has = |a: &str, b: &str| arrows.iter().any(|(x, y)| x == a && y == b);
        for (a, b) in [
            ("AFG", "TJK"),
            ("AFG", "UZB"),
            ("AFG", "TKM"),
            ("KAZ", "RUS"),
        ] {
            assert!(has(a, b), "{a} -> {b} in {arrows:?}");
        }
        // Every transit country is reached, and no arrow joins countries without a border.
        for t in ["KAZ", "KGZ", "TJK", "TKM", "UZB"] {
            assert!(arrows.iter().any(|(_, y)| y == t), "{t} in {arrows:?}");
        }
        for (a, b) in &arrows {
            assert!(
                borders.contains(&(a.clone(), b.clone()))
                    || borders.contains(&(b.clone(), a.clone())),
                "{a} -> {b}"
            );
        }
    }

    #[test]
    fn countries_without_a_common_border_are_joined_across_the_shortest_gap() {
        let points: BTreeMap<String, Pt> =
            [("A", (0.0, 0.0)), ("B", (10.0, 0.0)), ("C", (30.0, 0.0))]
                .into_iter()
                .map(|(c, q)| (c.to_string(), q))
                .collect();
        let borders = BTreeSet::from([("A".to_string(), "B".to_string())]);
        let arrows = route_arrows(
            &["A".into()],
            &["B".into()],
            &["C".into()],
            &points,
            &borders,
        );
        assert_eq!(
            arrows,
            [
                ("A".to_string(), "B".to_string()),
                ("B".to_string(), "C".to_string())
            ]
        );
    }
}
