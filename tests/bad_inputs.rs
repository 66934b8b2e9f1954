//! The bad-input corpus (tests/data/bad/, made by make_bad.py; expectations in
//! expected.csv): each file gives a clear error (exit 2, naming the file) or a reject with its
//! reason (exit 0 for ingest, 2 for validate), and a file-level error writes nothing.

use crate::common::{fixture, Workdir};

struct Case {
    file: String,
    exit: i32,
    expect: String,
}

fn cases() -> Vec<Case> {
    let mut reader = csv::Reader::from_path(fixture("bad/expected.csv")).unwrap();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            Case {
                file: r[0].to_string(),
                exit: r[1].parse().unwrap(),
                expect: r[2].to_string(),
            }
        })
        .collect()
}

#[test]
fn every_bad_input_gets_its_expected_error_or_reject() {
    let w = Workdir::new();
    for case in cases() {
        let input = fixture(&format!("bad/{}", case.file));
        // validate: the message, and nothing written.
        let run = w.run(&["validate".as_ref(), input.as_os_str()]);
        let all = format!("{}{}", run.stdout(), run.stderr());
        assert!(
            all.contains(&case.expect),
            "{}: expected '{}'{run}",
            case.file,
            case.expect
        );
        let validate_exit = if case.exit == 0 { 2 } else { case.exit };
        assert_eq!(run.code(), validate_exit, "{}{run}", case.file);
        if case.exit == 2 {
            assert!(
                run.stderr().contains(&case.file),
                "{}: the error names the file{run}",
                case.file
            );
        }
        // ingest: a file-level error leaves no half-written output.
        let out = format!("out_{}", case.file.replace('.', "_"));
        let run = w.run(&[
            "ingest".as_ref(),
            input.as_os_str(),
            "--out".as_ref(),
            out.as_ref(),
            "--quiet".as_ref(),
        ]);
        assert_eq!(run.code(), case.exit, "{}{run}", case.file);
        assert_eq!(
            w.path(&out).exists(),
            case.exit == 0,
            "{}: outputs only when ingest completed",
            case.file
        );
    }
}

#[test]
fn an_over_long_line_is_refused_without_parsing_it() {
    let w = Workdir::new();
    let mut text = b"indicator,geo,drug,period,value,unit\nseizures,KAZ,heroin,2016,".to_vec();
    text.resize(text.len() + 17 * 1024 * 1024, b'9');
    text.extend_from_slice(b",kg\n");
    let input = w.write("long_line.csv", &text);
    let run = w.run(&[
        "ingest".as_ref(),
        input.as_os_str(),
        "--out".as_ref(),
        "o".as_ref(),
    ]);
    run.expect_code(2);
    assert!(
        run.stderr()
            .contains("long_line.csv: line 2 is longer than 16 MiB"),
        "{run}"
    );
    assert!(!w.path("o").exists());
}
