//! Synthetic seizure records for benchmarks and tests (`routetrend synth`): seeded and
//! deterministic, with heavy-tailed seizure sizes (log-normal body, 2% of seizures 50 times
//! larger), seasonality (cannabis peaks after the summer harvest), a country and drug mix
//! like the shipped data, planted trends and one planted step change that the analysis must
//! recover, and one malformed record in 10,000 (unknown country or impossible date) so that
//! rejects are exercised too. `extra_series` adds that many more country-drug series of the
//! reference (random levels, sizes and trends of -6% to +6% a year) for benchmarks at scale:
//! each gives six series in the trends table (total, events and median, annual and
//! quarterly).

use std::io::{BufWriter, Write};
use std::path::Path;

use crate::model::reference::DrugKind;
use crate::model::Reference;

/// What is planted in one series: events per year follow `base * (1 + trend)^(year - start)`,
/// times `step_factor` from `step_year` on.
#[derive(Clone, Copy, Debug)]
pub struct PlantedSeries<'a> {
    pub geo: &'a str,
    pub drug: &'a str,
    pub base: f64,
    pub median_kg: f64,
    pub trend: f64,
    pub step: Option<(i32, f64)>,
}

/// The planted series (documented in benches and tests).
pub const PLANTED: [PlantedSeries<'static>; 8] = [
    PlantedSeries {
        geo: "RUS",
        drug: "heroin",
        base: 10.0,
        median_kg: 1.0,
        trend: -0.08,
        step: None,
    },
    PlantedSeries {
        geo: "TJK",
        drug: "heroin",
        base: 6.0,
        median_kg: 2.0,
        trend: 0.0,
        step: Some((2011, 0.3)),
    },
    PlantedSeries {
        geo: "KAZ",
        drug: "cannabis_herb",
        base: 20.0,
        median_kg: 5.0,
        trend: 0.06,
        step: None,
    },
    PlantedSeries {
        geo: "UZB",
        drug: "opium",
        base: 5.0,
        median_kg: 3.0,
        trend: 0.0,
        step: None,
    },
    PlantedSeries {
        geo: "KGZ",
        drug: "cannabis_resin",
        base: 4.0,
        median_kg: 0.5,
        trend: 0.0,
        step: None,
    },
    PlantedSeries {
        geo: "AFG",
        drug: "opium",
        base: 15.0,
        median_kg: 20.0,
        trend: 0.0,
        step: None,
    },
    PlantedSeries {
        geo: "TKM",
        drug: "heroin",
        base: 2.0,
        median_kg: 1.0,
        trend: -0.03,
        step: None,
    },
    PlantedSeries {
        geo: "RUS",
        drug: "cannabis_herb",
        base: 25.0,
        median_kg: 2.0,
        trend: -0.04,
        step: None,
    },
];

/// SplitMix64 (Steele, Lea & Flood 2014): small, fast, and the same numbers on every
/// machine; shared with the benches so that no `rand` dependency is needed.
pub struct SplitMix64(pub u64);

impl SplitMix64 {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform on (0, 1): never 0, so `ln` stays finite.
    pub fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// Standard normal (Box-Muller).
    pub fn normal(&mut self) -> f64 {
        let (u1, u2) = (self.uniform(), self.uniform());
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

fn pick(cumulative: &[f64], u: f64) -> usize {
    cumulative
        .partition_point(|&c| c < u * cumulative[cumulative.len() - 1])
        .min(cumulative.len() - 1)
}

/// `n` more series: country-drug pairs of the reference (substances, not the planted pairs),
/// in an order shuffled by `rng`, each with a log-normal level and seizure size and a trend
/// uniform on -6% to +6% a year. Empty when `n` is 0 (the records stay as they were).
fn extra<'r>(reference: &'r Reference, n: usize, rng: &mut SplitMix64) -> Vec<PlantedSeries<'r>> {
    if n == 0 {
        return Vec::new();
    }
    let mut countries: Vec<&str> = reference.country_names.keys().map(String::as_str).collect();
    countries.sort_unstable();
    let mut pairs: Vec<(&str, &str)> = countries
        .iter()
        .flat_map(|geo| {
            reference
                .drugs
                .iter()
                .filter(|d| d.kind == DrugKind::Substance)
                .map(move |d| (*geo, d.key.as_str()))
        })
        .filter(|(geo, drug)| !PLANTED.iter().any(|p| (p.geo, p.drug) == (*geo, *drug)))
        .collect();
    // Fisher-Yates, the first n places only.
    let n = n.min(pairs.len());
    for i in 0..n {
        let j = i + (rng.next_u64() % (pairs.len() - i) as u64) as usize;
        pairs.swap(i, j);
    }
    pairs[..n]
        .iter()
        .map(|&(geo, drug)| PlantedSeries {
            geo,
            drug,
            base: (1.0 + rng.normal()).exp(),
            median_kg: (1.5 * rng.normal()).exp(),
            trend: 0.12 * rng.uniform() - 0.06,
            step: None,
        })
        .collect()
}

/// Writes `records` synthetic seizure records for the years `start..=end`: the planted series
/// and `extra_series` more.
pub fn write_records(
    path: &Path,
    records: u64,
    seed: u64,
    (start, end): (i32, i32),
    extra_series: usize,
) -> std::io::Result<()> {
    let reference = Reference::load(None).map_err(std::io::Error::other)?;
    let mut rng = SplitMix64(seed);
    let mut series = PLANTED.to_vec();
    series.extend(extra(&reference, extra_series, &mut rng));
    let years: Vec<i32> = (start..=end.max(start)).collect();
    let mut cells = Vec::new();
    let mut cumulative = Vec::new();
    let mut total = 0.0;
    for s in &series {
        for &y in &years {
            let mut w = s.base * (1.0 + s.trend).powi(y - start);
            if let Some((from, factor)) = s.step {
                if y >= from {
                    w *= factor;
                }
            }
            total += w;
            cells.push((s, y));
            cumulative.push(total);
        }
    }
    // Months: cannabis peaks after the harvest (July-October), opiates in spring and autumn.
    let cannabis_months = [0.7, 0.7, 0.8, 0.9, 1.0, 1.1, 1.5, 1.7, 1.7, 1.5, 1.0, 0.8];
    let opiate_months = [0.8, 0.8, 1.0, 1.2, 1.3, 1.1, 0.9, 0.9, 1.1, 1.2, 1.0, 0.8];
    let cdf = |w: &[f64; 12]| {
        w.iter()
            .scan(0.0, |a, x| {
                *a += x;
                Some(*a)
            })
            .collect::<Vec<f64>>()
    };
    let (cannabis, opiates) = (cdf(&cannabis_months), cdf(&opiate_months));

    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    writeln!(out, "date,country,drug,quantity,unit,mode")?;
    let modes = ["road", "rail", "air", "post", "foot"];
    for i in 0..records {
        let (s, year) = cells[pick(&cumulative, rng.uniform())];
        let months = if s.drug.starts_with("cannabis") {
            &cannabis
        } else {
            &opiates
        };
        let month = pick(months, rng.uniform()) + 1;
        let day = 1 + (rng.next_u64() % 28);
        let mut kg = s.median_kg * (1.2 * rng.normal()).exp();
        if rng.uniform() < 0.02 {
            kg *= 50.0;
        }
        let mode = modes[(rng.next_u64() % modes.len() as u64) as usize];
        let country = if i % 10_000 == 9_999 {
            "Atlantis"
        } else {
            s.geo
        };
        let date = if i % 10_000 == 4_999 {
            format!("{year}-13-{day:02}")
        } else {
            format!("{year}-{month:02}-{day:02}")
        };
        if rng.uniform() < 0.05 {
            writeln!(
                out,
                "{date},{country},{},{:.1},g,{mode}",
                s.drug,
                kg * 1000.0
            )?;
        } else {
            writeln!(out, "{date},{country},{},{:.3},kg,{mode}", s.drug, kg)?;
        }
    }
    out.flush()
}
