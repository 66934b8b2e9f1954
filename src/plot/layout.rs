//! Where everything goes, as a [`Scene`] in output pixels: the figure's header (title,
//! subtitle) and footer (source, notes), and the body between them, handed to a single plot
//! (`single.rs`) or to small multiples (`panels.rs`).
//!
//! Layout rules: text never overlaps other text or leaves the canvas (the tests here check
//! every kind at every preset); legends and direct labels sit outside the plot area so they
//! never cover data; long titles, subtitles and notes wrap. The parts are beside this file:
//! text (`text.rs`), the shared context and frame (`frame.rs`), axes (`axes.rs`), marks
//! (`marks.rs`), legends and direct labels (`legend.rs`). Not here: data policy (`prepare.rs`)
//! and pixel output (`scene.rs`, `output.rs`).

use super::frame::Ctx;
use super::panels::small_multiples;
use super::prepare::Prepared;
use super::scene::{Align, Scene};
use super::single::single_plot;
use super::text::{block_height, clean, text_block, wrap};
use super::theme::{self, Theme};
use super::{Chart, ChartKind, PlotError};
use crate::i18n::Texts;

/// Lays out `chart` (prepared as `p`) on the canvas of `t`.
pub(crate) fn layout(chart: &Chart, p: &Prepared, t: &Theme) -> Result<Scene, PlotError> {
    let mut scene = Scene {
        width: t.width,
        height: t.height,
        prims: Vec::new(),
    };
    let ctx = Ctx {
        chart,
        p,
        t,
        w: f64::from(t.width),
    };
    let (body_top, body_bottom) = header_footer(
        &mut scene,
        t,
        &chart.title,
        &chart.subtitle,
        &chart.source,
        &chart.notes,
        Texts::of(chart.language),
    )?;
    match chart.kind {
        ChartKind::SmallMultiples => small_multiples(&ctx, &mut scene, body_top, body_bottom)?,
        _ => single_plot(&ctx, &mut scene, body_top, body_bottom)?,
    }
    Ok(scene)
}

/// Places a figure's header (title, subtitle) and footer (source line, then each note)
/// on `scene`; returns the top and bottom of the body between them. The charts and the maps
/// share it.
pub(crate) fn header_footer(
    scene: &mut Scene,
    t: &Theme,
    title: &str,
    subtitle: &str,
    source: &str,
    notes: &[String],
    texts: &Texts,
) -> Result<(f64, f64), PlotError> {
    let m = t.margin;
    let inner_w = f64::from(t.width) - 2.0 * m;

    // Header.
    let title = wrap(&clean(title), t.title_em, true, inner_w)?;
    let mut y = m;
    if !title.is_empty() {
        y = text_block(
            scene,
            &title,
            m,
            y,
            t.title_em,
            true,
            theme::TITLE_INK,
            Align::Left,
        )?;
        y += 0.45 * t.title_em;
    }
    let subtitle = wrap(&clean(subtitle), t.subtitle_em, false, inner_w)?;
    if !subtitle.is_empty() {
        y = text_block(
            scene,
            &subtitle,
            m,
            y,
            t.subtitle_em,
            false,
            theme::BODY_INK,
            Align::Left,
        )?;
    }
    let body_top = y + 1.1 * t.body_em;

    // Footer, bottom-up: source, then notes.
    let mut footer: Vec<String> = Vec::new();
    let source = clean(source);
    if !source.is_empty() {
        footer.extend(wrap(
            &texts.format("source-line", &[("source", source.into())]),
            t.small_em,
            false,
            inner_w,
        )?);
    }
    for note in notes {
        let note = clean(note);
        if !note.is_empty() {
            let line = texts.format("note-line", &[("note", note.into())]);
            footer.extend(wrap(&line, t.small_em, false, inner_w)?);
        }
    }
    let footer_h = block_height(footer.len(), t.small_em);
    let footer_top = f64::from(t.height) - m - footer_h;
    text_block(
        scene,
        &footer,
        m,
        footer_top,
        t.small_em,
        false,
        theme::MUTED_INK,
        Align::Left,
    )?;
    let body_bottom = if footer.is_empty() {
        f64::from(t.height) - m
    } else {
        footer_top - 1.0 * t.body_em
    };

    if body_bottom - body_top < 8.0 * t.body_em {
        return Err(PlotError::Layout(format!(
            "title, subtitle, source and notes take {:.0} of {} px height; shorten them or use a \
             larger size preset",
            f64::from(t.height) - (body_bottom - body_top),
            t.height
        )));
    }
    Ok((body_top, body_bottom))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::scene::Prim;
    use crate::plot::{prepare, ChangePoint, PanelY, Series, SizePreset, TrendLine, Unit};

    /// Charts that push the layout: long wrapped title, subtitle and notes, long series
    /// names, many series, a series that ends early, gaps, quarterly data.
    fn stress_charts() -> Vec<Chart> {
        let wave = |i: usize,
                    n: usize,
                    step: f64,
                    start: f64,
                    gap: Option<usize>|
         -> Vec<(f64, Option<f64>)> {
            (0..n)
                .map(|k| {
                    let v = 1500.0 + 900.0 * ((k as f64) * 0.7 + i as f64).sin() + 300.0 * i as f64;
                    (
                        start + k as f64 * step,
                        if Some(k) == gap {
                            None
                        } else {
                            Some(v.max(0.0))
                        },
                    )
                })
                .collect()
        };
        let names = [
            "Russian Federation",
            "Tajikistan",
            "Uzbekistan",
            "Kyrgyzstan",
            "Kazakhstan",
            "Turkmenistan",
            "Iran (Islamic Republic of)",
        ];
        let common = Chart {
            title: "Heroin and opium seizures along the Northern Route from Afghanistan through Central Asia to the Russian Federation, 2000-2022".into(),
            subtitle: "Quantity seized in kilograms as reported by national authorities; annual totals for Kazakhstan, Kyrgyzstan, Tajikistan, Turkmenistan and Uzbekistan".into(),
            source: "UNODC, responses to the annual report questionnaire; national press releases; see SOURCES.md for the full provenance of each figure.".into(),
            notes: vec!["Turkmenistan not reported after 2016.".into(), "A second, longer note that explains the treatment of gaps: periods without data are drawn as gaps and never as zeros or interpolated.".into()],
            y_label: "Heroin seized".into(),
            unit: Unit::Kg,
            ..Chart::default()
        };
        let series = |n: usize, len: usize, step: f64, gaps: bool| -> Vec<Series> {
            (0..n)
                .map(|i| {
                    Series::new(
                        names[i % names.len()],
                        wave(
                            i,
                            len - if i == 5 { 6 } else { 0 },
                            step,
                            2000.0,
                            gaps.then_some(3 + i),
                        ),
                    )
                })
                .collect()
        };
        let mut out = Vec::new();
        for kind in [
            ChartKind::Line,
            ChartKind::StackedArea,
            ChartKind::ShareArea,
            ChartKind::GroupedBars,
            ChartKind::SmallMultiples,
        ] {
            let n_series = if kind == ChartKind::GroupedBars { 4 } else { 7 };
            let len = if kind == ChartKind::GroupedBars {
                8
            } else {
                23
            };
            out.push(Chart {
                kind,
                series: series(n_series, len, 1.0, kind != ChartKind::StackedArea),
                ..common.clone()
            });
            out.push(Chart {
                kind,
                series: series(3, 12, 0.25, false),
                ..common.clone()
            });
        }
        out.push(Chart {
            kind: ChartKind::Line,
            series: series(2, 23, 1.0, false),
            trend: Some(TrendLine {
                series: 0,
                start: (2000.0, 3000.0),
                end: (2022.0, 900.0),
                label: "Trend (Sen): \u{2212}120 kg/year".into(),
                faint: false,
                band: Vec::new(),
            }),
            change_point: Some(ChangePoint {
                series: 0,
                x: 2021.0,
                label: "Shift after 2021 (Pettitt, p = 0.01), near the right edge".into(),
            }),
            ..common.clone()
        });
        out.push(Chart {
            kind: ChartKind::SmallMultiples,
            series: series(5, 23, 1.0, true),
            trend: Some(TrendLine {
                series: 2,
                start: (2000.0, 3000.0),
                end: (2022.0, 900.0),
                label: "Trend (Sen): \u{2212}120 kg/year".into(),
                faint: false,
                band: Vec::new(),
            }),
            change_point: Some(ChangePoint {
                series: 2,
                x: 2011.0,
                label: "Shift after 2011 (Pettitt)".into(),
            }),
            panel_y: PanelY::Shared,
            ..common.clone()
        });
        // Degenerate shapes: one period, all zeros, negative values, many series, very long
        // names and labels.
        let short = Chart {
            notes: Vec::new(),
            ..common.clone()
        };
        for kind in [
            ChartKind::Line,
            ChartKind::StackedArea,
            ChartKind::ShareArea,
            ChartKind::GroupedBars,
            ChartKind::SmallMultiples,
        ] {
            out.push(Chart {
                kind,
                series: vec![
                    Series::new("Only 2016", vec![(2016.0, Some(5.0))]),
                    Series::new("Other", vec![(2016.0, Some(3.0))]),
                ],
                ..short.clone()
            });
        }
        out.push(Chart {
            kind: ChartKind::Line,
            series: vec![Series::new(
                "Zeros",
                wave(0, 10, 1.0, 2000.0, None)
                    .into_iter()
                    .map(|(x, _)| (x, Some(0.0)))
                    .collect(),
            )],
            ..short.clone()
        });
        out.push(Chart {
            kind: ChartKind::GroupedBars,
            unit: Unit::Ratio,
            series: vec![
                Series::new(
                    "Change",
                    (0..6)
                        .map(|k| (2010.0 + k as f64, Some(k as f64 * 40.0 - 100.0)))
                        .collect(),
                ),
                Series::new(
                    "Other",
                    (0..6)
                        .map(|k| (2010.0 + k as f64, Some(50.0 - k as f64 * 30.0)))
                        .collect(),
                ),
            ],
            ..short.clone()
        });
        out.push(Chart {
            kind: ChartKind::Line,
            series: (0..12)
                .map(|i| Series::new(format!("Series number {i}"), wave(i, 23, 1.0, 2000.0, None)))
                .collect(),
            ..short.clone()
        });
        let long = "A very long series name that could come from a data file where someone pasted the full official name of a country together with a footnote";
        out.push(Chart {
            kind: ChartKind::Line,
            series: vec![
                Series::new(long, wave(0, 23, 1.0, 2000.0, None)),
                Series::new("Short", wave(1, 23, 1.0, 2000.0, None)),
            ],
            change_point: Some(ChangePoint {
                series: 0,
                x: 2003.0,
                label: long.repeat(2),
            }),
            ..short.clone()
        });
        out.push(Chart {
            kind: ChartKind::SmallMultiples,
            series: vec![Series::new(long, wave(0, 23, 1.0, 2000.0, None))],
            ..short
        });
        out
    }

    #[test]
    fn text_stays_on_the_canvas_and_never_overlaps_at_any_preset() {
        crate::plot::theme::ensure_fonts().unwrap();
        for preset in [SizePreset::Report, SizePreset::Slide, SizePreset::Web] {
            let t = Theme::new(preset);
            for chart in stress_charts() {
                let chart = Chart {
                    size: preset,
                    ..chart
                };
                let p = prepare::prepare(&chart).unwrap();
                let scene = layout(&chart, &p, &t)
                    .unwrap_or_else(|e| panic!("{:?} {preset:?}: {e}", chart.kind));
                let boxes: Vec<(String, (f64, f64, f64, f64))> = scene
                    .prims
                    .iter()
                    .filter_map(|q| match q {
                        Prim::Text { text, .. } => Some((text.clone(), q.text_box().unwrap())),
                        _ => None,
                    })
                    .collect();
                let what = format!(
                    "{:?} {} series at {preset:?}",
                    chart.kind,
                    chart.series.len()
                );
                assert!(boxes.len() > 10, "{what}");
                for (s, b) in &boxes {
                    assert!(
                        b.0 >= 0.0 && b.1 >= 0.0 && b.2 <= t.width as f64 && b.3 <= t.height as f64,
                        "{what}: {s:?} at {b:?} leaves the canvas"
                    );
                }
                for (i, (s1, a)) in boxes.iter().enumerate() {
                    for (s2, b) in &boxes[i + 1..] {
                        let overlap = a.0 < b.2 - 0.5
                            && b.0 < a.2 - 0.5
                            && a.1 < b.3 - 0.5
                            && b.1 < a.3 - 0.5;
                        assert!(!overlap, "{what}: {s1:?} {a:?} overlaps {s2:?} {b:?}");
                    }
                }
            }
        }
    }
}
