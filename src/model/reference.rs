//! Reference data: countries, regions, the drug taxonomy and routes, read from the plain
//! CSV/TOML files of `data/reference/` that a user can edit (see that folder's README).
//!
//! Names from input files are matched after [`match_key`] folding (case, white space, curly
//! quotes), against each entry's code, name and aliases. An unknown name is an error that
//! suggests the closest known names; nothing is guessed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::i18n::{Language, Texts};

/// The reference files compiled into the binary, used when no `data/reference/` folder is
/// given or found, so that `routetrend` works from any directory.
const BUILT_IN: [(&str, &str); 5] = [
    (
        "countries.csv",
        include_str!("../../data/reference/countries.csv"),
    ),
    (
        "regions.csv",
        include_str!("../../data/reference/regions.csv"),
    ),
    (
        "drug_groups.csv",
        include_str!("../../data/reference/drug_groups.csv"),
    ),
    ("drugs.csv", include_str!("../../data/reference/drugs.csv")),
    (
        "routes.toml",
        include_str!("../../data/reference/routes.toml"),
    ),
];

/// A problem in a reference file, naming the file and row.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct ReferenceError {
    pub file: String,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DrugKind {
    /// A substance or product, summable with its siblings.
    Substance,
    /// A reported total that already includes other rows: never added to its components.
    Total,
}

#[derive(Clone, Debug)]
pub struct Drug {
    pub key: String,
    pub name: String,
    /// The name in Russian (`name_ru`), where the table gives one.
    pub name_ru: Option<String>,
    pub group: String,
    pub kind: DrugKind,
    pub heroin_equivalent: Option<f64>,
}

#[derive(Clone, Debug)]
pub struct DrugGroup {
    pub key: String,
    pub name: String,
    pub name_ru: Option<String>,
    /// The drug key for a name of this group that the taxonomy does not list.
    pub fallback_drug: String,
}

#[derive(Clone, Debug)]
pub struct Region {
    pub code: String,
    pub name: String,
    pub name_ru: Option<String>,
    pub members: Vec<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub name_ru: Option<String>,
    pub origin: Vec<String>,
    pub transit: Vec<String>,
    pub destination: Vec<String>,
    #[serde(default)]
    pub notes: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RoutesFile {
    #[serde(default)]
    route: Vec<Route>,
}

/// All reference tables with their name indexes.
#[derive(Debug)]
pub struct Reference {
    /// Where the tables were read from (a folder, or "built-in").
    pub origin: String,
    pub country_names: HashMap<String, String>,
    /// Countries' names in Russian (`name_ru` of countries.csv), where given.
    pub country_names_ru: HashMap<String, String>,
    pub regions: Vec<Region>,
    pub drugs: Vec<Drug>,
    pub groups: Vec<DrugGroup>,
    pub routes: Vec<Route>,
    geo_index: HashMap<String, String>,
    drug_index: HashMap<String, String>,
    group_index: HashMap<String, String>,
}

/// Folds a name for matching: trimmed, white space (including no-break space) collapsed,
/// lower case, curly quotes made straight.
pub fn match_key(text: &str) -> String {
    let folded: String = text
        .chars()
        .map(|c| match c {
            '\u{201c}' | '\u{201d}' | '\u{201e}' => '"',
            '\u{2018}' | '\u{2019}' => '\'',
            c if c.is_whitespace() => ' ',
            c => c,
        })
        .collect();
    folded
        .split(' ')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

impl Reference {
    /// Reads the reference tables from `dir`, or the built-in copy when `dir` is `None`.
    pub fn load(dir: Option<&Path>) -> Result<Reference, ReferenceError> {
        let mut texts = Vec::new();
        for (name, built_in) in BUILT_IN {
            let text = match dir {
                Some(d) => {
                    let path: PathBuf = d.join(name);
                    std::fs::read_to_string(&path).map_err(|e| ReferenceError {
                        file: path.display().to_string(),
                        message: format!("cannot read reference file: {e}"),
                    })?
                }
                None => built_in.to_string(),
            };
            texts.push((name, text));
        }
        let origin = dir.map_or("built-in".to_string(), |d| d.display().to_string());
        let file = |name: &str| match dir {
            Some(d) => d.join(name).display().to_string(),
            None => format!("built-in {name}"),
        };
        let text = |i: usize| texts[i].1.as_str();
        let mut reference = Reference {
            origin,
            country_names: HashMap::new(),
            country_names_ru: HashMap::new(),
            regions: Vec::new(),
            drugs: Vec::new(),
            groups: Vec::new(),
            routes: Vec::new(),
            geo_index: HashMap::new(),
            drug_index: HashMap::new(),
            group_index: HashMap::new(),
        };
        reference.read_countries(&file("countries.csv"), text(0))?;
        reference.read_regions(&file("regions.csv"), text(1))?;
        reference.read_groups(&file("drug_groups.csv"), text(2))?;
        reference.read_drugs(&file("drugs.csv"), text(3))?;
        let routes: RoutesFile = toml::from_str(text(4)).map_err(|e| ReferenceError {
            file: file("routes.toml"),
            message: e.to_string(),
        })?;
        reference.routes = routes.route;
        reference.check_routes(&file("routes.toml"))?;
        Ok(reference)
    }

    /// The default: `data/reference/` under the current folder if it exists, else built-in.
    pub fn load_default(dir: Option<&Path>) -> Result<Reference, ReferenceError> {
        match dir {
            Some(d) => Reference::load(Some(d)),
            None if Path::new("data/reference/countries.csv").is_file() => {
                Reference::load(Some(Path::new("data/reference")))
            }
            None => Reference::load(None),
        }
    }

    fn read_countries(&mut self, file: &str, text: &str) -> Result<(), ReferenceError> {
        for (row, rec) in records(file, text, &["iso3", "name", "aliases"])? {
            let (iso3, name) = (rec[0].trim().to_string(), rec[1].trim().to_string());
            if iso3.len() != 3 || !iso3.bytes().all(|b| b.is_ascii_uppercase()) {
                return Err(err(
                    file,
                    row,
                    format!("iso3 '{iso3}' is not three capital letters"),
                ));
            }
            let names = [iso3.as_str(), name.as_str()]
                .into_iter()
                .chain(rec[2].split('|'));
            insert_names(&mut self.geo_index, names, &iso3, file, row)?;
            if let Some(ru) = name_ru(&rec, 3) {
                self.country_names_ru.insert(iso3.clone(), ru);
            }
            self.country_names.insert(iso3, name);
        }
        Ok(())
    }

    fn read_regions(&mut self, file: &str, text: &str) -> Result<(), ReferenceError> {
        for (row, rec) in records(file, text, &["code", "name", "members", "aliases"])? {
            let code = rec[0].trim().to_string();
            let members: Vec<String> = rec[2].split_whitespace().map(str::to_string).collect();
            if let Some(m) = members
                .iter()
                .find(|m| !self.country_names.contains_key(*m))
            {
                return Err(err(
                    file,
                    row,
                    format!("member '{m}' of {code} is not in countries.csv"),
                ));
            }
            let names = [code.as_str(), rec[1].as_str()]
                .into_iter()
                .chain(rec[3].split('|'));
            insert_names(&mut self.geo_index, names, &code, file, row)?;
            self.regions.push(Region {
                code,
                name: rec[1].trim().to_string(),
                name_ru: name_ru(&rec, 4),
                members,
            });
        }
        Ok(())
    }

    fn read_groups(&mut self, file: &str, text: &str) -> Result<(), ReferenceError> {
        for (row, rec) in records(file, text, &["key", "name", "aliases", "fallback_drug"])? {
            let key = rec[0].trim().to_string();
            let names = [key.as_str(), rec[1].as_str()]
                .into_iter()
                .chain(rec[2].split('|'));
            insert_names(&mut self.group_index, names, &key, file, row)?;
            self.groups.push(DrugGroup {
                key,
                name: rec[1].trim().to_string(),
                name_ru: name_ru(&rec, 4),
                fallback_drug: rec[3].trim().to_string(),
            });
        }
        Ok(())
    }

    fn read_drugs(&mut self, file: &str, text: &str) -> Result<(), ReferenceError> {
        let columns = [
            "key",
            "name",
            "group",
            "kind",
            "aliases",
            "heroin_equivalent",
        ];
        for (row, rec) in records(file, text, &columns)? {
            let key = rec[0].trim().to_string();
            let group = rec[2].trim().to_string();
            if !self.groups.iter().any(|g| g.key == group) {
                return Err(err(
                    file,
                    row,
                    format!("group '{group}' is not in drug_groups.csv"),
                ));
            }
            let kind = match rec[3].trim() {
                "substance" => DrugKind::Substance,
                "total" => DrugKind::Total,
                other => {
                    return Err(err(
                        file,
                        row,
                        format!("kind '{other}': expected substance or total"),
                    ))
                }
            };
            let heroin_equivalent = match rec[5].trim() {
                "" => None,
                f => Some(f.parse::<f64>().map_err(|_| {
                    err(
                        file,
                        row,
                        format!("heroin_equivalent '{f}' is not a number"),
                    )
                })?),
            };
            let names = [key.as_str(), rec[1].as_str()]
                .into_iter()
                .chain(rec[4].split('|'));
            insert_names(&mut self.drug_index, names, &key, file, row)?;
            self.drugs.push(Drug {
                key,
                name: rec[1].trim().to_string(),
                name_ru: name_ru(&rec, 6),
                group,
                kind,
                heroin_equivalent,
            });
        }
        if let Some(g) = self
            .groups
            .iter()
            .find(|g| self.drug(&g.fallback_drug).is_none())
        {
            return Err(ReferenceError {
                file: file.to_string(),
                message: format!(
                    "fallback_drug '{}' of group '{}' is not a drug key",
                    g.fallback_drug, g.key
                ),
            });
        }
        Ok(())
    }

    fn check_routes(&self, file: &str) -> Result<(), ReferenceError> {
        for route in &self.routes {
            if let Some(problem) = self.route_problem(route) {
                return Err(ReferenceError {
                    file: file.to_string(),
                    message: format!("route '{}': {problem}", route.id),
                });
            }
        }
        Ok(())
    }

    /// What is wrong with a route's definition, if anything: every code a country of
    /// countries.csv, an origin and a destination.
    fn route_problem(&self, route: &Route) -> Option<String> {
        let codes = route
            .origin
            .iter()
            .chain(&route.transit)
            .chain(&route.destination);
        for code in codes {
            if !self.country_names.contains_key(code) {
                return Some(format!("'{code}' is not a country code of countries.csv"));
            }
        }
        if route.origin.is_empty() || route.destination.is_empty() {
            return Some("a route needs at least one origin and one destination country".into());
        }
        None
    }

    /// Adds a region a pipeline declares (`[[regions]]`): its code and name become geo names
    /// like those of regions.csv. The error says what clashes or is unknown.
    pub fn add_region(&mut self, region: Region) -> Result<(), String> {
        if self.country_names.contains_key(&region.code) || self.region(&region.code).is_some() {
            return Err(format!(
                "'{}' is already a code of the reference tables ({}): give the region a code of its own",
                region.code, self.origin
            ));
        }
        if region.code.is_empty() || region.members.is_empty() {
            return Err("a region needs a code and at least one member".into());
        }
        if let Some(m) = region
            .members
            .iter()
            .find(|m| !self.country_names.contains_key(*m))
        {
            return Err(format!(
                "member '{m}' is not a country code of countries.csv"
            ));
        }
        for name in [&region.code, &region.name] {
            if let Some(other) = self.geo_index.get(&match_key(name)) {
                return Err(format!("'{name}' already names {other}"));
            }
        }
        for name in [&region.code, &region.name] {
            self.geo_index.insert(match_key(name), region.code.clone());
        }
        self.regions.push(region);
        Ok(())
    }

    /// Adds a route a pipeline defines (`[[routes]]` with `origin`, `transit` and
    /// `destination`), checked as those of routes.toml.
    pub fn add_route(&mut self, route: Route) -> Result<(), String> {
        if self.route(&route.id).is_some() {
            return Err(format!(
                "'{}' is already a route of the reference tables ({}): give the route an id of its own, or leave out its definition to use that one",
                route.id, self.origin
            ));
        }
        if let Some(problem) = self.route_problem(&route) {
            return Err(problem);
        }
        self.routes.push(route);
        Ok(())
    }

    /// Every folded country/region name and alias with its code, sorted (for joins in
    /// polars, e.g. the records reader).
    pub fn geo_aliases(&self) -> Vec<(String, String)> {
        let mut all: Vec<(String, String)> = self
            .geo_index
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        all.sort();
        all
    }

    /// Every folded drug name and alias with its key, sorted.
    pub fn drug_aliases(&self) -> Vec<(String, String)> {
        let mut all: Vec<(String, String)> = self
            .drug_index
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        all.sort();
        all
    }

    /// Resolves a country or region name, alias or code to its code.
    pub fn resolve_geo(&self, text: &str) -> Result<&str, String> {
        resolve(&self.geo_index, text, "country or region")
    }

    /// Resolves a drug key, name or alias to its key.
    pub fn resolve_drug(&self, text: &str) -> Result<&str, String> {
        resolve(&self.drug_index, text, "drug")
    }

    /// Resolves a drug group name or alias (including UNODC DrugSubGroup names) to its key.
    pub fn resolve_group(&self, text: &str) -> Result<&str, String> {
        resolve(&self.group_index, text, "drug group")
    }

    pub fn drug(&self, key: &str) -> Option<&Drug> {
        self.drugs.iter().find(|d| d.key == key)
    }

    pub fn group(&self, key: &str) -> Option<&DrugGroup> {
        self.groups.iter().find(|g| g.key == key)
    }

    pub fn region(&self, code: &str) -> Option<&Region> {
        self.regions.iter().find(|r| r.code == code)
    }

    /// The countries a geo code stands for: a region's members, else the code itself.
    pub fn countries_of(&self, code: &str) -> Vec<String> {
        self.region(code)
            .map_or_else(|| vec![code.to_string()], |r| r.members.clone())
    }

    pub fn route(&self, id: &str) -> Option<&Route> {
        self.routes.iter().find(|r| r.id == id)
    }

    /// A drug's or drug group's name for running text: the reference's name without its
    /// explanation in brackets, lower case unless an abbreviation ("Heroin" -> "heroin",
    /// "Opiates (opium poppy products: ...)" -> "opiates", "ATS" stays); `None` for an
    /// unknown key.
    pub fn running_drug_name(&self, key: &str) -> Option<String> {
        self.running_drug_name_in(key, Language::En)
    }

    /// [`Reference::running_drug_name`] in `language` (the English name where the table
    /// has none in it): "героин", "опиаты".
    pub fn running_drug_name_in(&self, key: &str, language: Language) -> Option<String> {
        let name = match self.drug(key) {
            Some(d) => in_language(&d.name, &d.name_ru, language),
            None => {
                let g = self.group(key)?;
                in_language(&g.name, &g.name_ru, language)
            }
        };
        let short = name.split(" (").next().unwrap_or(name).trim();
        let mut chars = short.chars();
        Some(match (chars.next(), chars.next()) {
            (Some(first), Some(second)) if !second.is_uppercase() => {
                first.to_lowercase().chain(short.chars().skip(1)).collect()
            }
            _ => short.to_string(),
        })
    }

    /// The English name of a geo code of the tables, for people reading them: a country
    /// ("Kazakhstan"), a region ("Central Asia"), a route segment (`route:northern:transit`
    /// -> "Northern Route: transit"); empty for anything else (a share's id).
    pub fn geo_name(&self, geo: &str) -> String {
        self.geo_name_in(geo, Language::En)
    }

    /// [`Reference::geo_name`] in `language`, the English name where the tables have none
    /// in it: "Казахстан", "Центральная Азия", "Северный маршрут: транзит".
    pub fn geo_name_in(&self, geo: &str, language: Language) -> String {
        if let Some(name) = self.country_names.get(geo) {
            let ru = match language {
                Language::Ru => self.country_names_ru.get(geo),
                Language::En => None,
            };
            return ru.unwrap_or(name).clone();
        }
        if let Some(region) = self.region(geo) {
            return in_language(&region.name, &region.name_ru, language).to_string();
        }
        let route = geo
            .strip_prefix("route:")
            .and_then(|rest| rest.split_once(':'))
            .and_then(|(id, segment)| Some((self.route(id)?, segment)));
        match route {
            Some((route, segment)) => {
                let name = self.route_name(route, language);
                match language {
                    // Segments are the table's words: "transit", "transit+destination".
                    Language::En => format!("{name}: {segment}"),
                    _ => {
                        let texts = Texts::of(language);
                        let words: Vec<String> = segment
                            .split('+')
                            .map(|s| texts.get(&format!("segment-{s}")))
                            .collect();
                        format!("{name}: {}", words.join(" + "))
                    }
                }
            }
            None => String::new(),
        }
    }

    /// A route's name in `language` (its English name where routes.toml has none in it).
    pub fn route_name<'a>(&self, route: &'a Route, language: Language) -> &'a str {
        in_language(&route.name, &route.name_ru, language)
    }
}

/// `english`, or its translation where `language` is Russian and the table gives one.
fn in_language<'a>(english: &'a str, ru: &'a Option<String>, language: Language) -> &'a str {
    match (language, ru) {
        (Language::Ru, Some(ru)) => ru,
        _ => english,
    }
}

/// A row's `name_ru`, the first of the two optional columns after `at` required ones.
fn name_ru(rec: &[String], at: usize) -> Option<String> {
    rec.get(at)
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// The optional columns after the required ones of every names table: the name in Russian
/// and where it comes from.
const TRANSLATION_COLUMNS: [&str; 2] = ["name_ru", "name_ru_source"];

fn err(file: &str, row: usize, message: String) -> ReferenceError {
    ReferenceError {
        file: file.to_string(),
        message: format!("row {row}: {message}"),
    }
}

/// Parses a reference CSV, checking its header (the `columns`, optionally followed by the
/// [`TRANSLATION_COLUMNS`]); yields (1-based row, fields).
fn records(
    file: &str,
    text: &str,
    columns: &[&str],
) -> Result<Vec<(usize, Vec<String>)>, ReferenceError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| err(file, 1, e.to_string()))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let translated: Vec<&str> = columns
        .iter()
        .chain(&TRANSLATION_COLUMNS)
        .copied()
        .collect();
    if header != columns && header != translated {
        return Err(err(
            file,
            1,
            format!(
                "header is '{}', expected '{}' (or '{}')",
                header.join(","),
                columns.join(","),
                translated.join(",")
            ),
        ));
    }
    let mut out = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.map_err(|e| err(file, i + 2, e.to_string()))?;
        out.push((i + 2, rec.iter().map(str::to_string).collect()));
    }
    Ok(out)
}

fn insert_names<'a>(
    index: &mut HashMap<String, String>,
    names: impl Iterator<Item = &'a str>,
    key: &str,
    file: &str,
    row: usize,
) -> Result<(), ReferenceError> {
    for name in names {
        let folded = match_key(name);
        if folded.is_empty() {
            continue;
        }
        match index.get(&folded) {
            Some(other) if other != key => {
                return Err(err(
                    file,
                    row,
                    format!("'{name}' names both {other} and {key}"),
                ));
            }
            _ => {
                index.insert(folded, key.to_string());
            }
        }
    }
    Ok(())
}

fn resolve<'a>(
    index: &'a HashMap<String, String>,
    text: &str,
    what: &str,
) -> Result<&'a str, String> {
    let folded = match_key(text);
    if let Some(key) = index.get(&folded) {
        return Ok(key);
    }
    let mut scored: Vec<(f64, &String)> = index
        .keys()
        .map(|name| (strsim::jaro_winkler(&folded, name), name))
        .filter(|(score, _)| *score > 0.8)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    let suggestions: Vec<String> = scored
        .iter()
        .take(3)
        .map(|(_, name)| format!("'{name}' ({})", index[*name]))
        .collect();
    Err(if suggestions.is_empty() {
        format!(
            "unknown {what} '{}' (add it to data/reference/)",
            text.trim()
        )
    } else {
        format!(
            "unknown {what} '{}'; closest known: {}",
            text.trim(),
            suggestions.join(", ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_space_and_quotes() {
        assert_eq!(match_key("  Kyrgyz\u{a0} Republic "), "kyrgyz republic");
        assert_eq!(match_key("\u{201c}Yaba\u{201d}"), "\"yaba\"");
    }

    #[test]
    fn built_in_reference_resolves_real_spellings() {
        let r = Reference::load(None).unwrap();
        assert_eq!(r.resolve_geo("Kyrgyz Republic").unwrap(), "KGZ");
        assert_eq!(r.resolve_geo("Россия").unwrap(), "RUS");
        assert_eq!(r.resolve_geo("Central Asia").unwrap(), "CA5");
        assert_eq!(r.resolve_drug("Marijuana (herb)").unwrap(), "cannabis_herb");
        assert_eq!(
            r.resolve_drug("Cannabis resin (hashish)").unwrap(),
            "cannabis_resin"
        );
        assert_eq!(r.resolve_drug("Illicit morphine").unwrap(), "morphine");
        let e = r.resolve_geo("Tajikistann").unwrap_err();
        assert!(e.contains("TJK"), "{e}");
        assert_eq!(
            r.region("CA5").unwrap().members,
            ["KAZ", "KGZ", "TJK", "TKM", "UZB"]
        );
        let route = r.route("northern").unwrap();
        assert_eq!(route.destination, ["RUS"]);
    }
}
