//! Workbooks built from the fuzz bytes to probe the xlsx reader's limits: cells anywhere in
//! A1:XFD1048576, shared strings of up to 4 MiB referenced up to 255 times each. Never a
//! panic or an allocation failure (libFuzzer's `-rss_limit_mb` catches a run that
//! materialises what the limits refuse); a workbook is either read with its row accounting
//! intact or refused with one of the documented reasons.
#![no_main]

use std::io::Write;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use routetrend::ingest::merge::Merge;
use routetrend::ingest::{ingest_bytes, IngestOptions, InputFile};
use routetrend::model::Reference;

fn reference() -> &'static Reference {
    static REFERENCE: OnceLock<Reference> = OnceLock::new();
    REFERENCE.get_or_init(|| Reference::load(None).expect("built-in reference"))
}

const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// Column letters of a 0-based column (A, Z, AA, ... XFD).
fn column(mut c: u32) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap()
}

fn workbook(data: &[u8]) -> Vec<u8> {
    let (head, cells) = data.split_at(data.len().min(3));
    // Up to 3 shared strings, each of up to 4 MiB.
    let shared: Vec<String> = head
        .iter()
        .map(|&b| "x".repeat(usize::from(b) * 16 * 1024))
        .collect();
    let mut rows: std::collections::BTreeMap<u32, String> = Default::default();
    for chunk in cells.chunks_exact(6) {
        let row = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], 0]) % 1_048_576;
        let col = u32::from(u16::from_le_bytes([chunk[3], chunk[4]])) % 16_384;
        let at = format!("{}{}", column(col), row + 1);
        let cell = match chunk[5] % 4 {
            0 => format!("<c r=\"{at}\"><v>{}</v></c>", chunk[5]),
            1 if !shared.is_empty() => {
                // One reference, repeated along the row up to (byte / 4) times.
                let index = usize::from(chunk[5] / 4) % shared.len();
                (0..=u32::from(chunk[5] / 4))
                    .map(|k| {
                        let c = (col + k) % 16_384;
                        format!("<c r=\"{}{}\" t=\"s\"><v>{index}</v></c>", column(c), row + 1)
                    })
                    .collect()
            }
            2 => format!("<c r=\"{at}\" t=\"inlineStr\"><is><t>seizures</t></is></c>"),
            _ => format!("<c r=\"{at}\" t=\"inlineStr\"><is><t>KAZ</t></is></c>"),
        };
        rows.entry(row).or_default().push_str(&cell);
    }
    let sheet_data: String = rows
        .iter()
        .map(|(r, cells)| format!("<row r=\"{}\">{cells}</row>", r + 1))
        .collect();
    let strings: String = shared.iter().map(|s| format!("<si><t>{s}</t></si>")).collect();
    let parts = [
        ("[Content_Types].xml".to_string(), format!(
            "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
             <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
             <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
             <Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/></Types>")),
        ("_rels/.rels".into(), format!(
            "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
             <Relationship Id=\"rId1\" Type=\"{REL}/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>")),
        ("xl/workbook.xml".into(), format!(
            "<workbook xmlns=\"{MAIN}\" xmlns:r=\"{REL}\"><sheets><sheet name=\"S\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>")),
        ("xl/_rels/workbook.xml.rels".into(), format!(
            "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
             <Relationship Id=\"rId1\" Type=\"{REL}/worksheet\" Target=\"worksheets/sheet1.xml\"/>\
             <Relationship Id=\"rId2\" Type=\"{REL}/sharedStrings\" Target=\"sharedStrings.xml\"/></Relationships>")),
        ("xl/sharedStrings.xml".into(), format!("<sst xmlns=\"{MAIN}\">{strings}</sst>")),
        ("xl/worksheets/sheet1.xml".into(), format!(
            "<worksheet xmlns=\"{MAIN}\"><dimension ref=\"A1:XFD1048576\"/><sheetData>{sheet_data}</sheetData></worksheet>")),
    ];
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, text) in parts {
        zip.start_file(name, options).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fuzz_target!(|data: &[u8]| {
    let bytes = workbook(data);
    let input = InputFile { id: "input".into(), name: "limits.xlsx".into(), path: "limits.xlsx".into(), options: IngestOptions::default() };
    match ingest_bytes(&[(&input, &bytes)], reference(), &Merge::default()) {
        Ok(ingested) => {
            for f in &ingested.files {
                assert_eq!(f.records, f.accounted(), "row accounting");
            }
        }
        Err(e) => {
            let message = e.to_string();
            assert!(!message.is_empty());
        }
    }
});
