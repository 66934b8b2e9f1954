//! Render checks for `routetrend::plot`: every chart kind at every size preset, file formats,
//! determinism, gaps, escaping, and text without system fonts.
//!
//! The charts are the demo figures of `examples/plot_demo.rs` (real seizure data, included
//! below) plus small synthetic charts for edge cases. Checks are on decoded files (PNG size and
//! metadata, SVG structure and text), never on pixel snapshots.

#[allow(dead_code)]
#[path = "../examples/plot_demo.rs"]
mod demo;

use std::path::{Path, PathBuf};
use std::process::Command;

use quick_xml::events::Event;
use routetrend::plot::{
    self, ChangePoint, Chart, ChartKind, PlotError, RenderInfo, Series, SizePreset, TrendLine, Unit,
};

const PRESETS: [SizePreset; 3] = [SizePreset::Report, SizePreset::Slide, SizePreset::Web];

/// Pixel sizes promised for the presets (see `SizePreset`): 170 mm at 300 dpi; 1920 x 1080;
/// 850 x 600 CSS px at 2x.
fn expected_size(p: SizePreset) -> (u32, u32) {
    match p {
        SizePreset::Report => (2008, 1240),
        SizePreset::Slide => (1920, 1080),
        SizePreset::Web => (1700, 1200),
    }
}

/// Colour of the first series (Okabe-Ito blue) and the data line width at the report preset
/// (1.5 pt at 300 dpi = 6.25 px, written rounded).
const FIRST_SERIES_STROKE: &str = "#0072B2";
const REPORT_LINE_WIDTH: &str = "6";

struct Rendered {
    png: PathBuf,
    svg: PathBuf,
    info: RenderInfo,
}

fn render_in(dir: &Path, name: &str, chart: &Chart) -> Rendered {
    let png = dir.join(format!("{name}.png"));
    let svg = dir.join(format!("{name}.svg"));
    let info = plot::render(chart, &png, &svg).unwrap_or_else(|e| panic!("rendering {name}: {e}"));
    Rendered { png, svg, info }
}

struct Png {
    width: u32,
    height: u32,
    pixels_per_metre: Option<u32>,
    texts: Vec<(String, String)>,
    rgb: Vec<u8>,
}

fn read_png(path: &Path) -> Png {
    let file = std::fs::File::open(path).unwrap();
    let mut reader = png::Decoder::new(file).read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let frame = reader.next_frame(&mut buf).unwrap();
    assert_eq!(frame.color_type, png::ColorType::Rgb, "{}", path.display());
    assert_eq!(frame.bit_depth, png::BitDepth::Eight);
    let info = reader.info();
    Png {
        width: info.width,
        height: info.height,
        pixels_per_metre: info.pixel_dims.map(|d| d.xppu),
        texts: info
            .utf8_text
            .iter()
            .map(|t| (t.keyword.clone(), t.get_text().unwrap()))
            .collect(),
        rgb: buf[..frame.buffer_size()].to_vec(),
    }
}

/// One SVG element: name, attributes (unescaped) and text content (unescaped).
#[derive(Debug)]
struct Elem {
    name: String,
    attrs: Vec<(String, String)>,
    text: String,
}

impl Elem {
    fn attr(&self, key: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

fn element(e: &quick_xml::events::BytesStart) -> Elem {
    let attrs = e
        .attributes()
        .map(|a| {
            let a = a.unwrap();
            (
                String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                a.unescape_value().unwrap().into_owned(),
            )
        })
        .collect();
    Elem {
        name: String::from_utf8(e.name().as_ref().to_vec()).unwrap(),
        attrs,
        text: String::new(),
    }
}

/// Parses the whole SVG (it must be well-formed XML) into a flat list of elements.
fn parse_svg(svg: &str) -> Vec<Elem> {
    let mut reader = quick_xml::Reader::from_str(svg);
    let mut out: Vec<Elem> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    let mut raw_text: Vec<String> = Vec::new();
    loop {
        let event = reader
            .read_event()
            .unwrap_or_else(|e| panic!("SVG is not well-formed: {e}"));
        match event {
            Event::Start(e) => {
                out.push(element(&e));
                open.push(out.len() - 1);
                raw_text.push(String::new());
            }
            Event::Empty(e) => out.push(element(&e)),
            Event::Text(t) => {
                if let Some(buf) = raw_text.last_mut() {
                    buf.push_str(&t.decode().unwrap());
                }
            }
            Event::GeneralRef(r) => {
                if let Some(buf) = raw_text.last_mut() {
                    buf.push('&');
                    buf.push_str(&r.decode().unwrap());
                    buf.push(';');
                }
            }
            Event::End(_) => {
                let i = open.pop().expect("end tag without start");
                let raw = raw_text.pop().unwrap();
                out[i].text = quick_xml::escape::unescape(&raw)
                    .unwrap()
                    .trim()
                    .to_string();
            }
            Event::Eof => break,
            Event::CData(_)
            | Event::Comment(_)
            | Event::Decl(_)
            | Event::PI(_)
            | Event::DocType(_) => {}
        }
    }
    assert!(open.is_empty(), "unclosed elements");
    out
}

/// The SVG is self-contained and accessible: `<title>` and `<desc>` first, no external
/// references of any kind (the only URL is the SVG namespace).
fn check_svg(path: &Path, title: &str) -> Vec<Elem> {
    let text = std::fs::read_to_string(path).unwrap();
    let elems = parse_svg(&text);
    assert_eq!(elems[0].name, "svg");
    assert_eq!(elems[1].name, "title", "{}", path.display());
    assert_eq!(elems[1].text, title);
    assert_eq!(elems[2].name, "desc");
    assert!(
        elems[2].text.len() > 40,
        "alt text too short: {:?}",
        elems[2].text
    );
    for e in &elems {
        assert!(
            !["script", "image", "use", "style", "a", "foreignObject"].contains(&e.name.as_str()),
            "{}: <{}>",
            path.display(),
            e.name
        );
        for (k, v) in &e.attrs {
            assert!(!k.contains("href"), "{}: {k}={v}", path.display());
            if !(e.name == "svg" && k == "xmlns") {
                assert!(
                    !v.contains("http") && !v.contains("url("),
                    "{}: {k}={v}",
                    path.display()
                );
            }
        }
    }
    elems
}

fn texts(elems: &[Elem]) -> Vec<&str> {
    elems
        .iter()
        .filter(|e| e.name == "text")
        .map(|e| e.text.as_str())
        .collect()
}

fn render_demo_preset(preset: SizePreset) {
    let dir = tempfile::tempdir().unwrap();
    let charts = demo::demo_charts(preset);
    let kinds: Vec<ChartKind> = charts.iter().map(|c| c.1.kind).collect();
    for kind in [
        ChartKind::Line,
        ChartKind::StackedArea,
        ChartKind::ShareArea,
        ChartKind::GroupedBars,
        ChartKind::SmallMultiples,
    ] {
        assert!(kinds.contains(&kind), "the demo lacks {kind:?}");
    }
    for (slug, chart) in &charts {
        let r = render_in(dir.path(), slug, chart);
        let png = read_png(&r.png);
        assert_eq!((png.width, png.height), expected_size(preset), "{slug}");
        assert_eq!((r.info.width, r.info.height), expected_size(preset));
        let elems = check_svg(&r.svg, &chart.title);
        let svg = &elems[0];
        // Sized in millimetres over the pixel grid.
        let (w, h) = expected_size(preset);
        assert_eq!(svg.attr("viewBox"), Some(format!("0 0 {w} {h}").as_str()));
        assert!(
            svg.attr("width").is_some_and(|v| v.ends_with("mm")),
            "{slug}"
        );
        // Header and footer text are all there.
        let t = texts(&elems);
        assert!(t.contains(&chart.title.as_str()), "{slug}: {t:?}");
        assert!(t.iter().any(|s| s.starts_with("Source: ")), "{slug}");
        assert!(t.iter().any(|s| s.starts_with("Note: ")), "{slug}");
    }
}

#[test]
fn every_kind_renders_at_the_report_preset() {
    render_demo_preset(SizePreset::Report);
}

#[test]
fn every_kind_renders_at_the_slide_preset() {
    render_demo_preset(SizePreset::Slide);
}

#[test]
fn every_kind_renders_at_the_web_preset() {
    render_demo_preset(SizePreset::Web);
}

#[test]
fn png_carries_its_resolution_title_and_description() {
    let dir = tempfile::tempdir().unwrap();
    let (_, chart) = demo::demo_charts(SizePreset::Report).remove(0);
    let r = render_in(dir.path(), "meta", &chart);
    let png = read_png(&r.png);
    // 300 dpi = 11,811 pixels per metre, so 2008 px place at 170 mm.
    assert_eq!(png.pixels_per_metre, Some(11_811));
    assert!(png
        .texts
        .contains(&("Title".to_string(), chart.title.clone())));
    let desc = png
        .texts
        .iter()
        .find(|t| t.0 == "Description")
        .map(|t| t.1.clone())
        .unwrap();
    assert_eq!(desc, r.info.alt_text);
}

#[test]
fn same_chart_gives_byte_identical_png_and_svg() {
    let dir = tempfile::tempdir().unwrap();
    for (slug, chart) in demo::demo_charts(SizePreset::Web) {
        let a = render_in(dir.path(), &format!("{slug}-a"), &chart);
        let b = render_in(dir.path(), &format!("{slug}-b"), &chart);
        assert!(
            std::fs::read(&a.png).unwrap() == std::fs::read(&b.png).unwrap(),
            "{slug}: PNG differs"
        );
        assert!(
            std::fs::read(&a.svg).unwrap() == std::fs::read(&b.svg).unwrap(),
            "{slug}: SVG differs"
        );
        assert_eq!(a.info, b.info);
    }
    // No scratch files are left beside the outputs.
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

fn annual(start: i32, values: &[Option<f64>]) -> Vec<(f64, Option<f64>)> {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| (f64::from(start) + i as f64, *v))
        .collect()
}

/// Polyline point lists of the data lines of the first series (its colour at the data line
/// width), ordered left to right.
fn first_series_polylines(elems: &[Elem]) -> Vec<Vec<(f64, f64)>> {
    let mut lines: Vec<Vec<(f64, f64)>> = elems
        .iter()
        .filter(|e| {
            e.name == "polyline"
                && e.attr("stroke") == Some(FIRST_SERIES_STROKE)
                && e.attr("stroke-width") == Some(REPORT_LINE_WIDTH)
        })
        .map(|e| {
            e.attr("points")
                .unwrap()
                .split_whitespace()
                .map(|p| {
                    let (x, y) = p.split_once(',').unwrap();
                    (x.parse().unwrap(), y.parse().unwrap())
                })
                .collect()
        })
        .collect();
    lines.sort_by(|a, b| a[0].0.total_cmp(&b[0].0));
    lines
}

#[test]
fn a_gap_splits_the_line_and_nothing_spans_it() {
    let dir = tempfile::tempdir().unwrap();
    // 2000-2004, gap in 2005, 2006-2022 (RUS heroin, kg, with 2005 removed).
    let mut values: Vec<Option<f64>> = demo_values();
    values[5] = None;
    let chart = Chart {
        kind: ChartKind::Line,
        title: "Gap test".into(),
        y_label: "Heroin seized".into(),
        unit: Unit::Kg,
        series: vec![Series::new("Russian Federation", annual(2000, &values))],
        ..Chart::default()
    };
    let r = render_in(dir.path(), "gap", &chart);
    let elems = check_svg(&r.svg, "Gap test");
    let lines = first_series_polylines(&elems);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(lines[0].len(), 5, "2000-2004");
    assert_eq!(lines[1].len(), 17, "2006-2022");
    // Neighbouring points are one year apart; the two lines are two years apart (no segment
    // across 2005).
    let year_px = lines[0][1].0 - lines[0][0].0;
    for line in &lines {
        for w in line.windows(2) {
            assert!((w[1].0 - w[0].0 - year_px).abs() <= 1.5, "{w:?}");
        }
    }
    let jump = lines[1][0].0 - lines[0][4].0;
    assert!((jump - 2.0 * year_px).abs() <= 1.5, "{jump} vs {year_px}");
    // The plotted points say the same.
    let pts = &r.info.series[0].points;
    assert_eq!(pts.len(), 23);
    assert_eq!(pts[5].y, None);
    assert_eq!(pts[5].period, "2005");
}

#[test]
fn an_isolated_value_between_gaps_gets_a_marker() {
    let dir = tempfile::tempdir().unwrap();
    let mut values = demo_values();
    values[4] = None;
    values[6] = None;
    let chart = Chart {
        kind: ChartKind::Line,
        title: "Isolated point".into(),
        unit: Unit::Kg,
        series: vec![Series::new("Russian Federation", annual(2000, &values))],
        ..Chart::default()
    };
    let r = render_in(dir.path(), "isolated", &chart);
    let elems = check_svg(&r.svg, "Isolated point");
    assert_eq!(first_series_polylines(&elems).len(), 2);
    let dots = elems
        .iter()
        .filter(|e| e.name == "circle" && e.attr("fill") == Some(FIRST_SERIES_STROKE))
        .count();
    assert_eq!(dots, 1);
}

/// Russian Federation heroin seizures, kg, 2000-2022 (from the demo data).
fn demo_values() -> Vec<Option<f64>> {
    let chart = demo::demo_charts(SizePreset::Report).remove(0).1;
    chart.series[0].points.iter().map(|p| p.1).collect()
}

#[test]
fn markup_in_any_string_is_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let evil = "<script>alert('x')</script> & \"quoted\" ]]> <!--";
    let chart = Chart {
        kind: ChartKind::Line,
        title: format!("Title {evil}"),
        subtitle: format!("Subtitle {evil}"),
        source: format!("Source {evil}"),
        notes: vec![format!("Note {evil}")],
        y_label: format!("Measure {evil}"),
        unit: Unit::RatePer100k,
        series: vec![
            Series::new(
                format!("Series {evil}"),
                annual(2000, &[Some(1.0), Some(2.0), Some(3.0)]),
            ),
            Series::new("B & <C>", annual(2000, &[Some(2.0), None, Some(1.0)])),
        ],
        trend: Some(TrendLine {
            series: 0,
            start: (2000.0, 1.0),
            end: (2002.0, 3.0),
            label: format!("Trend {evil}"),
            faint: false,
            band: Vec::new(),
        }),
        change_point: Some(ChangePoint {
            series: 0,
            x: 2001.0,
            label: format!("Shift {evil}"),
        }),
        ..Chart::default()
    };
    let r = render_in(dir.path(), "evil", &chart);
    let raw = std::fs::read_to_string(&r.svg).unwrap();
    assert!(!raw.contains("<script"), "unescaped markup");
    assert!(!raw.contains("<b>"), "unescaped markup");
    assert!(!raw.contains("<!--"), "unescaped markup");
    let elems = check_svg(&r.svg, &chart.title);
    let all_text = texts(&elems).join(" ");
    assert!(
        all_text.contains("Title <script>alert('x')</script>"),
        "{all_text}"
    );
    assert!(all_text.contains("B & <C>"));
    assert!(
        elems[2].text.contains("B & <C>"),
        "alt text names the series: {}",
        elems[2].text
    );
}

#[test]
fn weights_switch_to_tonnes_and_ticks_get_thousands_separators() {
    let dir = tempfile::tempdir().unwrap();
    // Kazakhstan cannabis herb, kg (data/raw/seizures.csv): peaks at 34,317 kg.
    let kaz_herb = [
        15465.8,
        11789.0,
        17072.23,
        18829.0,
        21348.6,
        21732.6,
        22868.662,
        21793.679,
        25657.0,
        26331.538,
        27348.0,
        27380.251,
        27956.9411,
        26991.65,
        25796.386,
        34316.727,
        29315.70036,
        34107.5466,
        17070.0,
        9691.0,
        8963.6605108,
        11487.331,
        5782.679,
    ];
    let chart = Chart {
        kind: ChartKind::Line,
        title: "Tonnes".into(),
        y_label: "Cannabis herb seized".into(),
        unit: Unit::Kg,
        series: vec![Series::new("Kazakhstan", annual(2000, &kaz_herb.map(Some)))],
        ..Chart::default()
    };
    let r = render_in(dir.path(), "tonnes", &chart);
    assert_eq!(r.info.y_unit, "t");
    assert_eq!(r.info.y_divisor, 1000.0);
    assert_eq!(r.info.series[0].points[15].y, Some(34.316727));
    let elems = check_svg(&r.svg, "Tonnes");
    let t = texts(&elems);
    assert!(t.contains(&"Cannabis herb seized (t)"), "{t:?}");
    // Below 10,000 kg the axis stays in kg with separators: the RUS heroin demo tops 6,000.
    let (_, heroin) = demo::demo_charts(SizePreset::Report).remove(0);
    let r = render_in(dir.path(), "kg", &heroin);
    assert_eq!(r.info.y_unit, "kg");
    let elems = check_svg(&r.svg, &heroin.title);
    let t = texts(&elems);
    assert!(
        t.contains(&"6,000") && t.contains(&"1,000") && t.contains(&"Heroin seized (kg)"),
        "{t:?}"
    );
}

#[test]
fn share_area_normalises_complete_periods_and_reports_skipped_ones() {
    let dir = tempfile::tempdir().unwrap();
    let (_, chart) = demo::demo_charts(SizePreset::Report)
        .into_iter()
        .find(|c| c.1.kind == ChartKind::ShareArea)
        .unwrap();
    let r = render_in(dir.path(), "share", &chart);
    assert_eq!(r.info.y_unit, "%");
    let skipped: Vec<&str> = r
        .info
        .skipped_periods
        .iter()
        .map(|s| s.period.as_str())
        .collect();
    assert_eq!(
        skipped,
        vec!["2000", "2001", "2002"],
        "resin has no data before 2003"
    );
    assert!(r.info.skipped_periods[0].reason.contains("Cannabis resin"));
    let n = r.info.series[0].points.len();
    for i in 0..n {
        let ys: Vec<Option<f64>> = r.info.series.iter().map(|s| s.points[i].y).collect();
        if i < 3 {
            assert!(
                ys.iter().all(|y| y.is_none()),
                "skipped periods are not drawn"
            );
        } else {
            let total: f64 = ys.iter().map(|y| y.unwrap()).sum();
            assert!((total - 100.0).abs() < 1e-9, "period {i}: {total}");
            // The second band sits on the first.
            assert_eq!(
                r.info.series[1].points[i].y_base,
                r.info.series[0].points[i].y
            );
        }
    }
    let elems = check_svg(&r.svg, &chart.title);
    assert!(texts(&elems).contains(&"No data"));
    assert!(texts(&elems).contains(&"100%"));
}

#[test]
fn quarterly_axes_are_labelled_by_quarter() {
    let dir = tempfile::tempdir().unwrap();
    // Synthetic quarterly series 2016Q1-2018Q4 (values only shape the line).
    let q: Vec<(f64, Option<f64>)> = (0..12)
        .map(|i| {
            (
                2016.0 + 0.25 * f64::from(i),
                Some(100.0 + 10.0 * f64::from(i % 5)),
            )
        })
        .collect();
    let chart = Chart {
        kind: ChartKind::Line,
        title: "Quarterly".into(),
        unit: Unit::Count,
        y_label: "Seizure cases".into(),
        series: vec![Series::new("Tajikistan", q)],
        ..Chart::default()
    };
    for preset in PRESETS {
        let r = render_in(
            dir.path(),
            &format!("quarterly-{}", preset.name()),
            &Chart {
                size: preset,
                ..chart.clone()
            },
        );
        let elems = check_svg(&r.svg, "Quarterly");
        let t = texts(&elems);
        assert!(t.contains(&"2017 Q1"), "{t:?}");
        assert!(
            !t.contains(&"2017"),
            "no bare years on a quarterly axis: {t:?}"
        );
        assert_eq!(r.info.series[0].points[1].period, "2016Q2");
    }
}

#[test]
fn bad_charts_are_typed_errors_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("x.png");
    let svg = dir.path().join("x.svg");
    let base = Chart {
        kind: ChartKind::Line,
        title: "x".into(),
        ..Chart::default()
    };
    type IsExpected = fn(&PlotError) -> bool;
    let cases: Vec<(Chart, IsExpected)> = vec![
        (base.clone(), |e| matches!(e, PlotError::EmptyChart)),
        (
            Chart {
                // Not a single period (a series of gaps only is drawn as "No data").
                series: vec![Series::new("a", vec![])],
                ..base.clone()
            },
            |e| matches!(e, PlotError::NoData { .. }),
        ),
        (
            Chart {
                series: vec![Series::new("a", annual(2000, &[Some(f64::INFINITY)]))],
                ..base.clone()
            },
            |e| matches!(e, PlotError::NonFinite { .. }),
        ),
        (
            Chart {
                series: vec![Series::new("a", annual(2000, &[Some(1.0)]))],
                change_point: Some(ChangePoint {
                    series: 3,
                    x: 2000.0,
                    label: "c".into(),
                }),
                ..base.clone()
            },
            |e| {
                matches!(
                    e,
                    PlotError::BadSeriesIndex {
                        index: 3,
                        series_count: 1,
                        ..
                    }
                )
            },
        ),
        (
            Chart {
                kind: ChartKind::GroupedBars,
                series: vec![Series::new("a", annual(2000, &[Some(1.0)]))],
                trend: Some(TrendLine {
                    series: 0,
                    start: (2000.0, 1.0),
                    end: (2001.0, 1.0),
                    label: "t".into(),
                    faint: false,
                    band: Vec::new(),
                }),
                ..base.clone()
            },
            |e| matches!(e, PlotError::NotSupported { .. }),
        ),
        (
            Chart {
                notes: vec!["a long note ".repeat(400)],
                series: vec![Series::new("a", annual(2000, &[Some(1.0)]))],
                ..base.clone()
            },
            |e| matches!(e, PlotError::Layout(_)),
        ),
    ];
    for (chart, expected) in cases {
        let err = plot::render(&chart, &png, &svg).expect_err("should fail");
        assert!(expected(&err), "unexpected error: {err:?}");
        assert!(!err.to_string().is_empty());
        assert!(!png.exists() && !svg.exists());
    }
}

/// Runs in a child process with no font configuration at all: text still renders, because it
/// comes from the embedded font.
#[test]
fn text_renders_without_system_fonts() {
    if let Ok(out) = std::env::var("ROUTETREND_PLOT_CHILD_OUT") {
        let out = Path::new(&out);
        let series = vec![Series::new(
            "Russian Federation",
            annual(2000, &[Some(984.0), Some(1287.0), Some(842.0)]),
        )];
        let with_text = Chart {
            title: "Heroin seized".into(),
            unit: Unit::Kg,
            series: series.clone(),
            ..Chart::default()
        };
        let without = Chart {
            unit: Unit::Kg,
            series,
            ..Chart::default()
        };
        plot::render(&with_text, &out.join("text.png"), &out.join("text.svg")).unwrap();
        plot::render(&without, &out.join("blank.png"), &out.join("blank.svg")).unwrap();
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "plot_render::text_renders_without_system_fonts",
            "--test-threads=1",
            "--nocapture",
        ])
        .env_clear()
        .env("ROUTETREND_PLOT_CHILD_OUT", dir.path())
        .env("FONTCONFIG_FILE", "/nonexistent")
        .env("FONTCONFIG_PATH", "/nonexistent")
        .env("XDG_DATA_DIRS", "/nonexistent")
        .env("XDG_DATA_HOME", "/nonexistent")
        .env("HOME", "/nonexistent")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    // A wrong test name runs no test and succeeds: the child must report its one test.
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "child failed or ran no test\nstdout:\n{}\nstderr:\n{}",
        stdout,
        String::from_utf8_lossy(&output.stderr)
    );
    let text = read_png(&dir.path().join("text.png"));
    let blank = read_png(&dir.path().join("blank.png"));
    // The title occupies the top-left; count dark pixels there.
    let dark = |p: &Png| {
        let mut n = 0;
        for y in 0..120usize {
            for x in 0..900usize {
                let i = (y * p.width as usize + x) * 3;
                if p.rgb[i] < 100 && p.rgb[i + 1] < 100 && p.rgb[i + 2] < 100 {
                    n += 1;
                }
            }
        }
        n
    };
    assert!(dark(&text) > 2000, "no title ink: {}", dark(&text));
    assert!(text.rgb != blank.rgb);
}

/// The pipeline may render figures on several threads at once (the font table is global).
#[test]
fn concurrent_renders_match_sequential_ones() {
    let dir = tempfile::tempdir().unwrap();
    let charts: Vec<(&str, Chart)> = demo::demo_charts(SizePreset::Web)
        .into_iter()
        .filter(|(_, c)| matches!(c.kind, ChartKind::GroupedBars | ChartKind::SmallMultiples))
        .collect();
    let sequential: Vec<Vec<u8>> = charts
        .iter()
        .map(|(slug, c)| {
            std::fs::read(render_in(dir.path(), &format!("{slug}-seq"), c).png).unwrap()
        })
        .collect();
    let parallel: Vec<Vec<u8>> = std::thread::scope(|s| {
        let handles: Vec<_> = charts
            .iter()
            .map(|(slug, c)| {
                let dir = dir.path();
                s.spawn(move || {
                    std::fs::read(render_in(dir, &format!("{slug}-par"), c).png).unwrap()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(sequential == parallel, "PNG bytes depend on threading");
}

/// Decodes a PNG of any 8-bit colour type into luma per pixel (white behind transparency).
fn luma(path: &Path) -> (u32, u32, Vec<u8>) {
    let mut decoder = png::Decoder::new(std::fs::File::open(path).unwrap());
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let frame = reader.next_frame(&mut buf).unwrap();
    let channels = frame.color_type.samples();
    let pixels = buf[..frame.buffer_size()]
        .chunks(channels)
        .map(|p| {
            let (r, g, b, a) = match p {
                [r, g, b, a] => (*r, *g, *b, *a),
                [r, g, b] => (*r, *g, *b, 255),
                [l, a] => (*l, *l, *l, *a),
                [l] => (*l, *l, *l, 255),
                _ => (255, 255, 255, 0),
            };
            let y = 0.299 * f64::from(r) + 0.587 * f64::from(g) + 0.114 * f64::from(b);
            let alpha = f64::from(a) / 255.0;
            (y * alpha + 255.0 * (1.0 - alpha)).round() as u8
        })
        .collect();
    (frame.width, frame.height, pixels)
}

/// The bounding box (x0, y0, x1, y1) of dark pixels in rows `rows` of a luma image.
fn ink_box(width: u32, pixels: &[u8], rows: std::ops::Range<u32>) -> (u32, u32, u32, u32) {
    let mut b = (u32::MAX, u32::MAX, 0, 0);
    for y in rows {
        for x in 0..width {
            if pixels[(y * width + x) as usize] < 100 {
                b = (b.0.min(x), b.1.min(y), b.2.max(x), b.3.max(y));
            }
        }
    }
    b
}

/// The SVG draws its text as glyph outlines, so a second renderer (librsvg's rsvg-convert,
/// as LibreOffice and GNOME use) shows the chart as the PNG does: the same ink, the title and
/// the footer in the same places to a few pixels, with no font to find.
#[test]
fn the_svg_rendered_by_librsvg_matches_the_png() {
    let dir = tempfile::tempdir().unwrap();
    let chart = Chart {
        title: "Heroin seizures: Russian Federation and Central Asia".into(),
        subtitle: "Heroin seized (kg), 2000-2022".into(),
        source: "UNODC; routetrend analysis".into(),
        notes: vec!["Kyrgyzstan 2016-2022 not reported".into()],
        y_label: "Heroin seized".into(),
        unit: Unit::Kg,
        series: vec![
            Series::new(
                "Russian Federation",
                annual(
                    2000,
                    &[Some(984.0), Some(1287.0), Some(842.0), Some(3248.0)],
                ),
            ),
            Series::new(
                "Central Asia (5)",
                annual(
                    2000,
                    &[Some(3237.0), Some(5144.0), Some(4707.0), Some(6824.0)],
                ),
            ),
        ],
        ..Chart::default()
    };
    let r = render_in(dir.path(), "heroin", &chart);
    let png_out = dir.path().join("from_svg.png");
    let status = Command::new("rsvg-convert")
        .args(["-w", "2008", "-h", "1240", "-b", "white", "-o"])
        .arg(&png_out)
        .arg(&r.svg)
        .status()
        .expect("rsvg-convert (Debian package librsvg2-bin; .ci/run installs it)");
    assert!(status.success());
    let (w, h, ours) = luma(&r.png);
    let (w2, h2, theirs) = luma(&png_out);
    assert_eq!((w, h), (w2, h2));
    let differing = ours
        .iter()
        .zip(&theirs)
        .filter(|(a, b)| (i32::from(**a) - i32::from(**b)).abs() > 96)
        .count();
    let share = differing as f64 / ours.len() as f64;
    assert!(
        share < 0.01,
        "{:.2}% of pixels differ between the PNG and librsvg's SVG",
        100.0 * share
    );
    for rows in [0..h / 10, h - h / 8..h] {
        let (a, b) = (ink_box(w, &ours, rows.clone()), ink_box(w, &theirs, rows));
        let off = [
            a.0.abs_diff(b.0),
            a.1.abs_diff(b.1),
            a.2.abs_diff(b.2),
            a.3.abs_diff(b.3),
        ];
        assert!(
            off.iter().all(|d| *d <= 3),
            "text box {a:?} in the PNG, {b:?} from the SVG"
        );
    }
}
