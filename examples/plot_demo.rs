//! Renders the demo figures of the chart module from real Northern Route seizure data.
//!
//! ```text
//! cargo run --example plot_demo -- OUT_DIR [report|slide|web|all]
//! ```
//! writes `OUT_DIR/<slug>-<preset>.png` and `.svg` for every demo chart and prints the render
//! time of each. The charts are also rendered by `tests/plot_render.rs`, which includes this
//! file, so the data here is test data too.
//!
//! Data: kilograms seized, copied from `data/raw/seizures.csv` (2000-2017: the
//! Kaggle redistribution of UNODC ARQ-derived data; 2018-2022: the UNODC data-portal export
//! "Drug seizures, 2018-2022"; see `data/raw/SOURCES.md`). NaN marks a period with no row
//! in that file. The trend line and change point of the heroin chart were computed for this
//! demo from the Russian Federation series below: Sen's slope -119.8 kg/year with the
//! median intercept (2000: 3,608 kg; 2022: 972 kg), and Pettitt's test, last year before the
//! change 2014, K = 104, p = 0.012.

use std::path::Path;
use std::time::Instant;

use routetrend::plot::{
    self, ChangePoint, Chart, ChartKind, PanelY, Series, SizePreset, TrendLine, Unit,
};

const NA: f64 = f64::NAN;

/// Annual points from `start`; NaN becomes a gap.
fn annual(start: i32, values: &[f64]) -> Vec<(f64, Option<f64>)> {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            (
                f64::from(start) + i as f64,
                if v.is_nan() { None } else { Some(*v) },
            )
        })
        .collect()
}

// Heroin, kg, 2000-2022.
const RUS_HEROIN: [f64; 23] = [
    984.0, 1287.226, 842.163, 3248.814, 3897.0, 4676.0, 2445.231, 2932.664, 3442.762, 3152.003,
    2637.077, 2014.658, 2176.2, 2447.6, 3226.8, 1998.789, 965.791, 499.83, 722.0, 503.0, 486.427,
    1431.5, 911.7,
];
const TJK_HEROIN: [f64; 23] = [
    1882.929, 4239.005, 3958.182, 5600.309, 4794.057, 2344.633, 2097.492, 1549.681, 1636.367,
    1132.7, 985.108, 509.4, 515.2, 483.0, 507.553, 498.9, 88.79, 110.022, 282.0, 172.0, 118.451,
    251.915, 243.588,
];
const KAZ_HEROIN: [f64; 23] = [
    262.4,
    136.7,
    167.69,
    707.0,
    457.7,
    625.7,
    554.647,
    521.99,
    1639.0,
    731.595,
    323.0,
    306.7,
    306.72507,
    753.8547,
    392.292,
    464.0,
    196.64093,
    146.88422,
    59.0,
    1152.0,
    70.08828811,
    76.575,
    102.064,
];
const KGZ_HEROIN: [f64; 23] = [
    216.78, 170.898, 271.25, 104.58, 207.259, 259.569, 260.752, 431.368, 299.0, 341.119, 156.78,
    332.32, 241.95, 247.06, 285.563, 344.453, 166.811, 101.333, 74.0, 54.0, 16.493, 449.132,
    100.931,
];
const UZB_HEROIN: [f64; 23] = [
    675.0, 466.8, 256.32, 336.4, 591.7878, 466.80097, 537.241, 479.929, 1471.686, 754.735,
    1004.345, 662.2, 261.5, 121.6, 106.5, 147.9, 107.76, 12.43, 21.0, 41.0, 28.3096, 102.964692,
    276.9004,
];
// Turkmenistan: 2000-2016 only (the 2018-2022 export has no rows for it).
const TKM_HEROIN: [f64; 17] = [
    200.0, 131.17582, 53.74322, 76.39859, 258.09901, 172.88606, 201.1, 325.66191, 244.5, 419.72,
    133.4, 39.19, 14.88, 12.63, 1.8, 0.711, 0.95,
];
// Opium, kg, 2000-2022 (KAZ has no 2015 row, KGZ no 2019 row).
const TJK_OPIUM: [f64; 23] = [
    4778.448, 3664.277, 1624.101, 2371.005, 2315.608, 1104.375, 1386.76, 2542.429, 1746.104,
    1040.6, 744.43, 490.312, 626.903, 774.051, 990.442, 1079.286, 611.537, 1211.268, 1607.0, 788.0,
    788.795, 593.936, 870.355,
];
const UZB_OPIUM: [f64; 23] = [
    2008.2, 241.68, 76.0, 151.2, 384.7435, 107.6648, 759.254, 730.859, 1062.349, 625.764, 519.1,
    983.833, 770.01, 851.3, 881.9, 882.2, 1446.82, 797.95, 255.0, 225.0, 124.1263, 342.69832,
    387.26466,
];
const KGZ_OPIUM: [f64; 23] = [
    1405.232, 469.225, 109.295, 45.684, 317.458, 261.456, 302.292, 270.575, 141.0, 376.212, 38.765,
    70.28, 16.46, 132.379, 158.106, 46.339, 24.915, 33.505, 5.0, NA, 9.244, 30.998, 11.861,
];
const KAZ_OPIUM: [f64; 23] = [
    136.0, 36.0, 13.571, 192.0, 352.8, 668.9, 636.781, 335.531, 17.0, 171.875, 168.3, 11.365,
    183.01191, 0.16305, 49.028, NA, 2.27584, 95.02438, 7.0, 1.0, 0.0583492, 52.895, 70.6,
];
const TKM_OPIUM: [f64; 17] = [
    2419.0, 267.5718, 103.27149, 125.96329, 661.29781, 855.99719, 2655.7, 2283.56341, 1502.5,
    1259.21, 827.7, 753.557, 662.65, 396.34, 180.57, 243.276, 293.416,
];
// Cannabis, Kyrgyzstan, kg: herb 2000-2022, resin from 2003.
const KGZ_HERB: [f64; 23] = [
    3748.22, 2250.663, 2525.915, 3398.62, 2136.283, 1983.797, 2399.757, 4028.453, 4741.0, 2028.686,
    1375.34, 1936.59, 2031.15, 3589.636, 1889.717, 2337.045, 2139.318, 1052.41, 2332.0, 1141.0,
    232.276, 361.152, 434.136,
];
const KGZ_RESIN: [f64; 23] = [
    NA, NA, NA, 97.8, 155.846, 131.009, 153.783, 440.174, 457.0, 718.028, 507.874, 629.74, 367.53,
    541.317, 464.182, 511.619, 794.77, 256.72, 205.0, 170.0, 509.956, 245.93, 284.201,
];

const SOURCE: &str = "UNODC data portal, Drug seizures 2018-2022; 2000-2017: UNODC Annual Report \
                      Questionnaire data as redistributed in the Kaggle dataset \"Drug Seizures \
                      annually since 1970s\".";

/// The demo charts at `size`, each with a file slug.
pub fn demo_charts(size: SizePreset) -> Vec<(&'static str, Chart)> {
    let heroin_line = Chart {
        kind: ChartKind::Line,
        title: "Heroin seizures in the Russian Federation fell after 2014".into(),
        subtitle: "Heroin seized, kilograms, Russian Federation and Tajikistan, 2000-2022".into(),
        source: SOURCE.into(),
        notes: vec![
            "Trend: Sen's slope over 2000-2022. Change point: Pettitt's test on the \
                     Russian Federation series."
                .into(),
        ],
        y_label: "Heroin seized".into(),
        unit: Unit::Kg,
        series: vec![
            Series::new("Russian Federation", annual(2000, &RUS_HEROIN)),
            Series::new("Tajikistan", annual(2000, &TJK_HEROIN)),
        ],
        trend: Some(TrendLine {
            series: 0,
            start: (2000.0, 3608.337),
            end: (2022.0, 971.835),
            label: "Trend (Sen): \u{2212}120 kg/year".into(),
            faint: false,
            band: Vec::new(),
        }),
        change_point: Some(ChangePoint {
            series: 0,
            x: 2014.0,
            label: "Shift after 2014 (Pettitt, p = 0.01)".into(),
        }),
        size,
        ..Chart::default()
    };
    let opium_line = Chart {
        kind: ChartKind::Line,
        title: "Opium seizures along the Northern Route".into(),
        subtitle: "Opium seized, kilograms, Central Asian countries, 2000-2022".into(),
        source: SOURCE.into(),
        notes: vec![
            "Turkmenistan not reported after 2016.".into(),
            "No data for Kazakhstan in 2015 or for Kyrgyzstan in 2019; gaps are shown as gaps."
                .into(),
        ],
        y_label: "Opium seized".into(),
        unit: Unit::Kg,
        series: vec![
            Series::new("Tajikistan", annual(2000, &TJK_OPIUM)),
            Series::new("Uzbekistan", annual(2000, &UZB_OPIUM)),
            Series::new("Turkmenistan", annual(2000, &TKM_OPIUM)),
            Series::new("Kyrgyzstan", annual(2000, &KGZ_OPIUM)),
            Series::new("Kazakhstan", annual(2000, &KAZ_OPIUM)),
        ],
        size,
        ..Chart::default()
    };
    let heroin_stacked = Chart {
        kind: ChartKind::StackedArea,
        title: "Heroin seized in Central Asia, by country".into(),
        subtitle: "Heroin seized, Kazakhstan, Kyrgyzstan, Tajikistan and Uzbekistan, 2000-2022"
            .into(),
        source: SOURCE.into(),
        notes: vec!["Turkmenistan is not included: not reported after 2016.".into()],
        y_label: "Heroin seized".into(),
        unit: Unit::Kg,
        series: vec![
            Series::new("Tajikistan", annual(2000, &TJK_HEROIN)),
            Series::new("Uzbekistan", annual(2000, &UZB_HEROIN)),
            Series::new("Kazakhstan", annual(2000, &KAZ_HEROIN)),
            Series::new("Kyrgyzstan", annual(2000, &KGZ_HEROIN)),
        ],
        size,
        ..Chart::default()
    };
    let cannabis_share = Chart {
        kind: ChartKind::ShareArea,
        title: "Cannabis resin's share of cannabis seized in Kyrgyzstan".into(),
        subtitle: "Share of cannabis seized by weight, herb and resin, Kyrgyzstan, 2000-2022"
            .into(),
        source: SOURCE.into(),
        notes: vec!["2000-2002 left blank: no resin data.".into()],
        y_label: "Share of cannabis seized".into(),
        unit: Unit::Kg,
        series: vec![
            Series::new("Cannabis herb", annual(2000, &KGZ_HERB)),
            Series::new("Cannabis resin", annual(2000, &KGZ_RESIN)),
        ],
        size,
        ..Chart::default()
    };
    let last5 = |v: &[f64]| annual(2018, &v[18..]);
    let heroin_bars = Chart {
        kind: ChartKind::GroupedBars,
        title: "Heroin seizures, 2018-2022".into(),
        subtitle: "Heroin seized, kilograms, Russian Federation and Central Asian countries, \
                   2018-2022"
            .into(),
        source: "UNODC data portal, Drug seizures 2018-2022.".into(),
        notes: vec!["Turkmenistan not reported.".into()],
        y_label: "Heroin seized".into(),
        unit: Unit::Kg,
        series: vec![
            Series::new("Russian Federation", last5(&RUS_HEROIN)),
            Series::new("Tajikistan", last5(&TJK_HEROIN)),
            Series::new("Uzbekistan", last5(&UZB_HEROIN)),
            Series::new("Kazakhstan", last5(&KAZ_HEROIN)),
            Series::new("Kyrgyzstan", last5(&KGZ_HEROIN)),
        ],
        size,
        ..Chart::default()
    };
    let heroin_panels = Chart {
        kind: ChartKind::SmallMultiples,
        title: "Heroin seizures in Central Asia, by country".into(),
        subtitle: "Heroin seized, kilograms, 2000-2022; each panel has its own scale".into(),
        source: SOURCE.into(),
        notes: vec!["Turkmenistan not reported after 2016.".into()],
        y_label: "Heroin seized".into(),
        unit: Unit::Kg,
        series: vec![
            Series::new("Kazakhstan", annual(2000, &KAZ_HEROIN)),
            Series::new("Kyrgyzstan", annual(2000, &KGZ_HEROIN)),
            Series::new("Tajikistan", annual(2000, &TJK_HEROIN)),
            Series::new("Turkmenistan", annual(2000, &TKM_HEROIN)),
            Series::new("Uzbekistan", annual(2000, &UZB_HEROIN)),
        ],
        panel_y: PanelY::Independent,
        columns: 3,
        size,
        ..Chart::default()
    };
    vec![
        ("heroin-rus-tjk-line", heroin_line),
        ("opium-ca-line", opium_line),
        ("heroin-ca-stacked", heroin_stacked),
        ("cannabis-kgz-share", cannabis_share),
        ("heroin-bars-2018-2022", heroin_bars),
        ("heroin-ca-panels", heroin_panels),
    ]
}

#[allow(dead_code)]
fn main() {
    let mut args = std::env::args().skip(1);
    let Some(out) = args.next() else {
        eprintln!("usage: plot_demo OUT_DIR [report|slide|web|all]");
        std::process::exit(2);
    };
    let presets = match args.next().as_deref().unwrap_or("all") {
        "report" => vec![SizePreset::Report],
        "slide" => vec![SizePreset::Slide],
        "web" => vec![SizePreset::Web],
        "all" => vec![SizePreset::Report, SizePreset::Slide, SizePreset::Web],
        other => {
            eprintln!("unknown preset {other:?}; expected report, slide, web or all");
            std::process::exit(2);
        }
    };
    let out = Path::new(&out);
    if let Err(e) = std::fs::create_dir_all(out) {
        eprintln!("creating {}: {e}", out.display());
        std::process::exit(1);
    }
    for preset in presets {
        for (slug, chart) in demo_charts(preset) {
            let name = format!("{slug}-{}", preset.name());
            let started = Instant::now();
            match plot::render(
                &chart,
                &out.join(format!("{name}.png")),
                &out.join(format!("{name}.svg")),
            ) {
                Ok(info) => println!(
                    "{name}: {}x{} px, y in {}, {} ms",
                    info.width,
                    info.height,
                    info.y_unit,
                    started.elapsed().as_millis()
                ),
                Err(e) => {
                    eprintln!("{name}: {e}");
                    std::process::exit(1);
                }
            }
        }
    }
}
