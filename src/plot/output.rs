//! Writing a [`Scene`] as PNG and SVG files, deterministically.
//!
//! PNG: drawn at `Theme::supersample` times the size, box-filtered down (anti-aliasing), encoded
//! by plotters' bitmap encoder, then given a pHYs chunk (the preset's dpi, so a `report` figure
//! places at 170 mm) and iTXt `Title`/`Description` chunks. SVG: plotters' SVG with a `<title>`
//! and `<desc>`, text metrics matched to the PNG, and no external references.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use plotters::prelude::{BitMapBackend, DrawingBackend, IntoDrawingArea, SVGBackend};

use super::scene::{self, Prim, Scene};
use super::theme::{self, Theme, FONT_FAMILY, HEIGHT_PER_EM};
use super::PlotError;
use crate::display::html_escape;

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> PlotError + '_ {
    move |source| PlotError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Box-filters an RGB buffer of `(w*k) x (h*k)` pixels down to `w x h`.
fn downsample(src: &[u8], w: usize, h: usize, k: usize) -> Vec<u8> {
    if k == 2 {
        return downsample2(src, w, h);
    }
    let src_row = w * k * 3;
    let out_row = w * 3;
    let n = (k * k) as u32;
    let mut out = vec![0u8; out_row * h];
    // Sum of the k source rows of one output row, per source byte.
    let mut rows = vec![0u32; src_row];
    for y in 0..h {
        let block = &src[y * k * src_row..(y + 1) * k * src_row];
        rows.fill(0);
        for r in 0..k {
            let row = &block[r * src_row..(r + 1) * src_row];
            for i in 0..src_row {
                rows[i] += u32::from(row[i]);
            }
        }
        let dst = &mut out[y * out_row..(y + 1) * out_row];
        for x in 0..w {
            for c in 0..3 {
                let mut a = 0u32;
                for dx in 0..k {
                    a += rows[(x * k + dx) * 3 + c];
                }
                dst[x * 3 + c] = ((a + n / 2) / n) as u8;
            }
        }
    }
    out
}

/// The 2x case. Most of a chart is white background, so blocks of 16 output pixels whose
/// source is all white are copied as white without arithmetic; this keeps unoptimised test
/// builds fast too. The result is the same as the general loop's.
fn downsample2(src: &[u8], w: usize, h: usize) -> Vec<u8> {
    const BLOCK: usize = 16;
    static WHITE: [u8; BLOCK * 6] = [255; BLOCK * 6];
    let src_row = w * 6;
    let out_row = w * 3;
    let mut out = vec![255u8; out_row * h];
    for y in 0..h {
        let r0 = &src[2 * y * src_row..(2 * y + 1) * src_row];
        let r1 = &src[(2 * y + 1) * src_row..(2 * y + 2) * src_row];
        let dst = &mut out[y * out_row..(y + 1) * out_row];
        let mut x = 0;
        while x < w {
            let end = (x + BLOCK).min(w);
            let (s0, s1) = (6 * x, 6 * end);
            if end - x == BLOCK && r0[s0..s1] == WHITE[..] && r1[s0..s1] == WHITE[..] {
                x = end; // `out` starts white
                continue;
            }
            for px in x..end {
                let i = 6 * px;
                let o = 3 * px;
                for c in 0..3 {
                    let sum = u16::from(r0[i + c])
                        + u16::from(r0[i + 3 + c])
                        + u16::from(r1[i + c])
                        + u16::from(r1[i + 3 + c]);
                    dst[o + c] = ((sum + 2) / 4) as u8;
                }
            }
            x = end;
        }
    }
    out
}

/// A scratch file beside `target`, unique per process and call, ending in `.png` (plotters
/// picks the encoder from the extension).
fn scratch_path(target: &Path) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let unique = format!(
        ".{name}.{}-{}.tmp.png",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    target.with_file_name(unique)
}

pub(crate) fn write_png(
    scene: &Scene,
    theme: &Theme,
    path: &Path,
    title: &str,
    desc: &str,
) -> Result<(), PlotError> {
    let (w, h) = (scene.width as usize, scene.height as usize);
    let k = theme.supersample.max(1) as usize;
    let mut big = vec![255u8; w * k * h * k * 3];
    {
        let area = BitMapBackend::with_buffer(&mut big, ((w * k) as u32, (h * k) as u32))
            .into_drawing_area();
        scene::draw(&area, scene, k as f64)?;
    }
    let small = if k == 1 {
        big
    } else {
        downsample(&big, w, h, k)
    };

    let scratch = scratch_path(path);
    let encoded = (|| {
        let mut backend = BitMapBackend::new(&scratch, (w as u32, h as u32));
        backend
            .blit_bitmap((0, 0), (w as u32, h as u32), &small)
            .map_err(|e| PlotError::Draw(e.to_string()))?;
        backend
            .present()
            .map_err(|e| PlotError::Draw(format!("encoding PNG: {e}")))?;
        drop(backend);
        fs::read(&scratch).map_err(io_err(&scratch))
    })();
    let _ = fs::remove_file(&scratch);
    let bytes = with_metadata(&encoded?, theme.dpi, title, desc)?;
    fs::write(path, bytes).map_err(io_err(path))
}

/// CRC-32 (ISO 3309, as PNG requires) of `data`.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 12);
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let mut body = kind.to_vec();
    body.extend_from_slice(data);
    out.extend_from_slice(&body);
    out.extend_from_slice(&crc32(&body).to_be_bytes());
    out
}

/// An uncompressed iTXt chunk (UTF-8 text, no language tag).
fn itxt(keyword: &str, text: &str) -> Vec<u8> {
    let mut data = keyword.as_bytes().to_vec();
    data.extend_from_slice(&[0, 0, 0, 0, 0]); // NUL, not compressed, method 0, "" lang, "" translated
    data.extend(text.bytes().filter(|b| *b != 0));
    chunk(b"iTXt", &data)
}

/// Inserts pHYs and iTXt chunks right after IHDR.
fn with_metadata(png: &[u8], dpi: f64, title: &str, desc: &str) -> Result<Vec<u8>, PlotError> {
    const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    let ihdr_end = 8 + 8 + 13 + 4;
    if png.len() < ihdr_end || png[..8] != SIGNATURE || &png[12..16] != b"IHDR" {
        return Err(PlotError::Draw(
            "the PNG encoder wrote an unexpected file".into(),
        ));
    }
    let ppm = (dpi / 0.0254).round() as u32;
    let mut phys = ppm.to_be_bytes().to_vec();
    phys.extend_from_slice(&ppm.to_be_bytes());
    phys.push(1); // unit: metre
    let mut out = Vec::with_capacity(png.len() + 64 + title.len() + desc.len());
    out.extend_from_slice(&png[..ihdr_end]);
    out.extend(chunk(b"pHYs", &phys));
    if !title.is_empty() {
        out.extend(itxt("Title", title));
    }
    if !desc.is_empty() {
        out.extend(itxt("Description", desc));
    }
    out.extend_from_slice(&png[ihdr_end..]);
    Ok(out)
}

pub(crate) fn write_svg(
    scene: &Scene,
    theme: &Theme,
    path: &Path,
    title: &str,
    desc: &str,
) -> Result<(), PlotError> {
    let mut raw = String::new();
    {
        let area =
            SVGBackend::with_string(&mut raw, (theme.width, theme.height)).into_drawing_area();
        scene::draw(&area, scene, 1.0)?;
    }
    // The text is drawn as glyph outlines, on top; plotters' <text> stays, transparent, so
    // that it can be selected, searched and read aloud.
    let mut text = String::new();
    for prim in &scene.prims {
        text.push_str(&text_outline(prim)?);
    }
    let svg = finish_svg(&raw, title, desc, theme, &text);
    fs::write(path, svg).map_err(io_err(path))
}

/// A text primitive as one filled `<path>` of its glyph outlines, placed as the PNG places
/// them (plotters' ab_glyph layout: advances and kerning at the font size `em` x
/// `HEIGHT_PER_EM`, the baseline at the primitive's): the SVG then shows the same letters in
/// the same places in any viewer, Word and Inkscape included, with no font to find.
fn text_outline(prim: &Prim) -> Result<String, PlotError> {
    use ab_glyph::{Font, OutlineCurve, ScaleFont};
    let Prim::Text {
        text,
        x,
        baseline,
        em,
        bold,
        color,
        align,
        width,
    } = prim
    else {
        return Ok(String::new());
    };
    let font = theme::font_ref(*bold)?;
    let scaled = font.as_scaled((em * HEIGHT_PER_EM) as f32);
    let k = f64::from(scaled.h_scale_factor());
    // As plotters places the PNG's glyphs: from the rounded anchor, each glyph's bitmap at
    // the whole-pixel pen position (its left side bearing not added) and its top at the
    // baseline's whole-pixel offset.
    let anchor = align.start(*x, *width).round();
    let size = em * HEIGHT_PER_EM;
    let top = (baseline - size / 2.0).round();
    let mut shift = 0f32;
    let mut d = String::new();
    let mut prev = None;
    for c in text.chars() {
        let id = font.glyph_id(c);
        if let Some(p) = prev {
            shift += scaled.kern(p, id);
        }
        prev = Some(id);
        let bounds = scaled
            .outline_glyph(scaled.scaled_glyph(c))
            .map(|g| g.px_bounds());
        if let (Some(outline), Some(bounds)) = (font.outline(id), bounds) {
            let left = anchor + f64::from(shift as i32) - f64::from(bounds.min.x);
            let y_shift = f64::from(((size as f32) / 2.0 + bounds.min.y) as i32);
            let base = top + y_shift - f64::from(bounds.min.y);
            let at = |p: ab_glyph::Point| {
                let (gx, gy) = (left + f64::from(p.x) * k, base - f64::from(p.y) * k);
                format!("{gx:.1} {gy:.1}")
            };
            let mut end = None;
            for curve in &outline.curves {
                let (start, stop) = match curve {
                    OutlineCurve::Line(a, b) => (*a, *b),
                    OutlineCurve::Quad(a, _, b) => (*a, *b),
                    OutlineCurve::Cubic(a, _, _, b) => (*a, *b),
                };
                if end != Some(start) {
                    if end.is_some() {
                        d.push('Z');
                    }
                    d.push_str(&format!("M{}", at(start)));
                }
                match curve {
                    OutlineCurve::Line(_, b) => d.push_str(&format!("L{}", at(*b))),
                    OutlineCurve::Quad(_, c1, b) => d.push_str(&format!("Q{} {}", at(*c1), at(*b))),
                    OutlineCurve::Cubic(_, c1, c2, b) => {
                        d.push_str(&format!("C{} {} {}", at(*c1), at(*c2), at(*b)))
                    }
                }
                end = Some(stop);
            }
            if end.is_some() {
                d.push('Z');
            }
        }
        shift += scaled.h_advance(id);
    }
    if d.is_empty() {
        return Ok(String::new());
    }
    Ok(format!(
        "<path fill=\"#{:02X}{:02X}{:02X}\" d=\"{d}\"/>\n",
        color.0, color.1, color.2
    ))
}

/// Post-processes plotters' SVG: accessible name and description, the text's glyph outlines
/// (`glyphs`, before `</svg>`) over plotters' `<text>` made transparent (kept for selection,
/// search and screen readers, with font fallbacks, size and baseline matched to the PNG:
/// plotters writes `font-size` = size / 1.24 and baseline offsets for a generic font;
/// DejaVu's em is size / 1.164 and the PNG puts the baseline at half the size below a top
/// anchor).
///
/// The `<svg>` is sized in millimetres, the preset's printed size (the report preset: 170 x
/// 105 mm), with the pixel grid as its `viewBox`: Word, LibreOffice and Inkscape place it at
/// the size the PNG prints at.
fn finish_svg(raw: &str, title: &str, desc: &str, theme: &Theme, glyphs: &str) -> String {
    let mm = |px: u32| {
        let text = format!("{:.2}", f64::from(px) / theme.dpi * 25.4);
        format!("{}mm", text.trim_end_matches('0').trim_end_matches('.'))
    };
    let pixel_size = format!("width=\"{}\" height=\"{}\"", theme.width, theme.height);
    let printed_size = format!(
        "width=\"{}\" height=\"{}\"",
        mm(theme.width),
        mm(theme.height)
    );
    let mut out = String::with_capacity(raw.len() + title.len() + desc.len() + 256);
    let family_attr = format!("font-family=\"{FONT_FAMILY}\"");
    let family_new =
        format!("font-family=\"{FONT_FAMILY}, 'Bitstream Vera Sans', Verdana, sans-serif\"");
    let mut opened = false;
    for line in raw.lines() {
        if !opened && line.starts_with("<svg ") {
            opened = true;
            out.push_str(
                &line
                    .replacen(
                        "<svg ",
                        "<svg role=\"img\" aria-labelledby=\"rt-title rt-desc\" ",
                        1,
                    )
                    .replacen(&pixel_size, &printed_size, 1),
            );
            out.push('\n');
            out.push_str(&format!(
                "<title id=\"rt-title\">{}</title>\n",
                html_escape(title)
            ));
            out.push_str(&format!(
                "<desc id=\"rt-desc\">{}</desc>\n",
                html_escape(desc)
            ));
            continue;
        }
        if let Some(rest) = line.strip_prefix("<polyline ") {
            // Round joins: sharp peaks in a series should not grow miter spikes.
            out.push_str("<polyline stroke-linejoin=\"round\" ");
            out.push_str(rest);
            out.push('\n');
            continue;
        }
        if line.starts_with("</svg>") {
            out.push_str(glyphs);
        }
        if line.starts_with("<text ") {
            let mut l = line.replace(&family_attr, &family_new).replacen(
                "<text ",
                "<text fill-opacity=\"0\" ",
                1,
            );
            l = l.replace("dy=\"0.76em\"", "dy=\"0.582em\"");
            if let Some(start) = l.find("font-size=\"") {
                let vstart = start + "font-size=\"".len();
                if let Some(len) = l[vstart..].find('"') {
                    if let Ok(v) = l[vstart..vstart + len].parse::<f64>() {
                        let em = v * 1.24 / HEIGHT_PER_EM;
                        l.replace_range(vstart..vstart + len, &format!("{em:.2}"));
                    }
                }
            }
            out.push_str(&l);
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_matches_the_png_specification_example() {
        // CRC of "IEND" with no data, as in every PNG file.
        assert_eq!(crc32(b"IEND"), 0xAE42_6082);
    }

    #[test]
    fn the_2x_fast_path_matches_the_general_filter() {
        // 40 x 3 output pixels: white blocks, a partial block and some ink.
        let (w, h) = (40usize, 3usize);
        let mut src = vec![255u8; w * 2 * h * 2 * 3];
        for (i, b) in src.iter_mut().enumerate() {
            if i % 97 < 5 || (i > 600 && i < 700) {
                *b = (i % 251) as u8;
            }
        }
        let fast = downsample2(&src, w, h);
        // The general loop, forced by a private copy of it at k = 2.
        let mut slow = vec![0u8; w * h * 3];
        for y in 0..h {
            for x in 0..w {
                for c in 0..3 {
                    let at = |yy: usize, xx: usize| u32::from(src[(yy * w * 2 + xx) * 3 + c]);
                    let sum = at(2 * y, 2 * x)
                        + at(2 * y, 2 * x + 1)
                        + at(2 * y + 1, 2 * x)
                        + at(2 * y + 1, 2 * x + 1);
                    slow[(y * w + x) * 3 + c] = ((sum + 2) / 4) as u8;
                }
            }
        }
        assert_eq!(fast, slow);
    }

    #[test]
    fn downsample_averages_blocks() {
        let src = [0u8, 0, 0, 255, 255, 255, 255, 255, 255, 255, 255, 255];
        assert_eq!(downsample(&src, 1, 1, 2), vec![191, 191, 191]);
    }
}
