//! The map projection of route maps: Albers equal-area conic on the sphere, so that a
//! country's shaded area on the page is in proportion to its area on the ground.
//!
//! Formulas: J. P. Snyder, *Map Projections: A Working Manual*, USGS Professional Paper
//! 1395 (1987), pp. 98-100, equations 14-1 to 14-4 (sphere):
//!
//! ```text
//! n  = (sin φ1 + sin φ2) / 2
//! C  = cos² φ1 + 2 n sin φ1
//! ρ  = √(C − 2 n sin φ) / n          ρ0 = √(C − 2 n sin φ0) / n
//! θ  = n (λ − λ0)
//! x  = ρ sin θ                        y = ρ0 − ρ cos θ
//! ```
//!
//! on the unit sphere (maps are scaled to the page afterwards). Standard parallels for an
//! extent follow the one-sixth rule (Snyder p. 99, after Deetz and Adams): one sixth of the
//! latitude range inside each edge; the central meridian and latitude of origin are the
//! extent's middle.

/// An Albers equal-area conic projection on the unit sphere.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Albers {
    lon0: f64,
    n: f64,
    c: f64,
    rho0: f64,
}

impl Albers {
    /// Standard parallels `lat1`, `lat2`, origin `lat0`, central meridian `lon0`, in degrees.
    pub(crate) fn new(lat1: f64, lat2: f64, lat0: f64, lon0: f64) -> Albers {
        let (s1, s2) = (lat1.to_radians().sin(), lat2.to_radians().sin());
        // Standard parallels symmetric about the equator give n = 0 (a cylinder): keep the
        // cone by nudging it, which an extent of real countries never needs.
        let n = match (s1 + s2) / 2.0 {
            n if n.abs() < 1e-6 => 1e-6_f64.copysign(if n == 0.0 { 1.0 } else { n }),
            n => n,
        };
        let c = lat1.to_radians().cos().powi(2) + 2.0 * n * s1;
        let rho0 = (c - 2.0 * n * lat0.to_radians().sin()).max(0.0).sqrt() / n;
        Albers { lon0, n, c, rho0 }
    }

    /// The projection suited to an extent (degrees): one-sixth-rule standard parallels,
    /// origin and central meridian at its middle.
    pub(crate) fn for_extent(lon_min: f64, lon_max: f64, lat_min: f64, lat_max: f64) -> Albers {
        let span = lat_max - lat_min;
        Albers::new(
            lat_min + span / 6.0,
            lat_max - span / 6.0,
            (lat_min + lat_max) / 2.0,
            (lon_min + lon_max) / 2.0,
        )
    }

    /// Longitude relative to the central meridian, in -180..180 degrees.
    pub(crate) fn relative_lon(&self, lon: f64) -> f64 {
        (lon - self.lon0 + 540.0).rem_euclid(360.0) - 180.0
    }

    /// (x, y) of (`lon`, `lat`) in degrees, on the unit sphere, y north.
    pub(crate) fn project(&self, lon: f64, lat: f64) -> (f64, f64) {
        let rho = (self.c - 2.0 * self.n * lat.to_radians().sin())
            .max(0.0)
            .sqrt()
            / self.n;
        let theta = self.n * self.relative_lon(lon).to_radians();
        (rho * theta.sin(), self.rho0 - rho * theta.cos())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snyders_worked_example() {
        // Snyder (1987) p. 292, Albers conical equal-area, sphere: R = 1, φ1 = 29.5°,
        // φ2 = 45.5°, φ0 = 23°, λ0 = -96°; (35° N, 75° W) -> x = 0.2952720, y = 0.2416774.
        // pyproj 3.7.2 `Proj("+proj=aea +R=1 +lat_1=29.5 +lat_2=45.5 +lat_0=23 +lon_0=-96")`
        // gives (0.2952720069922354, 0.24167744921848078).
        let (x, y) = Albers::new(29.5, 45.5, 23.0, -96.0).project(-75.0, 35.0);
        assert!((x - 0.295_272_006_992_235_4).abs() < 1e-12, "{x}");
        assert!((y - 0.241_677_449_218_480_78).abs() < 1e-12, "{y}");
    }

    #[test]
    fn a_central_asian_extent() {
        // 50-86 E, 28-64 N: standard parallels 34 and 58 N by the one-sixth rule. pyproj 3.7.2
        // `Proj("+proj=aea +R=1 +lat_1=34 +lat_2=58 +lat_0=46 +lon_0=68")`: Kabul (69.2 E,
        // 34.5 N) -> (0.017234000645109666, -0.20343797317073808), Moscow (37.6 E, 55.75 N)
        // -> (-0.2890704670191255, 0.227949537123443).
        let p = Albers::for_extent(50.0, 86.0, 28.0, 64.0);
        for ((lon, lat), (ex, ey)) in [
            (
                (69.2, 34.5),
                (0.017_234_000_645_109_666, -0.203_437_973_170_738_08),
            ),
            (
                (37.6, 55.75),
                (-0.289_070_467_019_125_5, 0.227_949_537_123_443),
            ),
        ] {
            let (x, y) = p.project(lon, lat);
            assert!((x - ex).abs() < 1e-12 && (y - ey).abs() < 1e-12, "{x} {y}");
        }
    }

    #[test]
    fn longitudes_wrap_around_the_central_meridian() {
        let p = Albers::for_extent(50.0, 86.0, 28.0, 64.0);
        assert_eq!(p.relative_lon(-170.0), 122.0);
        assert_eq!(p.relative_lon(68.0), 0.0);
        let (a, b) = (p.project(190.0, 60.0), p.project(-170.0, 60.0));
        assert!((a.0 - b.0).abs() < 1e-12 && (a.1 - b.1).abs() < 1e-12);
    }
}
