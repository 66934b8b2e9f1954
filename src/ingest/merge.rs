//! One observation per key out of every record of every input: line items summed, exact
//! duplicates kept once, a file's own conflicting rows rejected (or the last one kept), and
//! inputs that disagree settled by the pipeline's `[merge]` rule, with every losing row
//! listed in `superseded.csv` and named in the kept observation's lineage.
//!
//! Inside one input, rows of one key are, in turn: line items (summed, where the format or
//! `line_items = "sum"` says so), exact duplicates (equal values, kept once), or a conflict:
//! every row rejected, each naming the others, unless the input says `conflict = "last"`
//! (a corrected row appended later wins; the earlier ones are superseded).
//!
//! Across inputs, the one value each input gives is compared with the value of the input
//! ranked first (by `prefer`, then input order). Equal: an exact duplicate. Within the
//! relative `tolerance` (`|a - b| <= tolerance * max(|a|, |b|)`), or one the other rounded
//! to its fewer decimals (59 and 58.61): the same figure, rounded differently, superseded
//! by the kept one. Beyond it: superseded when `prefer` ranks the
//! kept input first, else a conflict, and any conflict fails the ingest with counts per pair
//! of inputs, the first examples and how to declare `prefer`.

use std::collections::BTreeMap;

use rayon::prelude::*;

use super::{FileSummary, Ingested, LineItems, Reject};
use crate::error::Error;
use crate::model::observation::{Entry, Strings};
use crate::model::unit::decimal_sum;
use crate::model::ObservationKey;

/// The relative difference under which two inputs' values are one figure (0.5%).
pub const DEFAULT_TOLERANCE: f64 = 0.005;

/// How many examples a conflict error shows per pair of inputs.
const CONFLICT_EXAMPLES: usize = 3;

/// How inputs that give one key different values are settled (`[merge]`).
#[derive(Clone, Debug, PartialEq)]
pub struct Merge {
    /// Input ids, first listed wins; inputs not listed rank after every listed one and
    /// never win a conflict against each other.
    pub prefer: Vec<String>,
    /// Relative difference under which two values are the same figure.
    pub tolerance: f64,
}

impl Default for Merge {
    fn default() -> Self {
        Merge {
            prefer: Vec::new(),
            tolerance: DEFAULT_TOLERANCE,
        }
    }
}

impl Merge {
    /// Checks a `prefer` list against the inputs' ids: each listed once, each an input's.
    /// The error gives the position in the list and what is wrong.
    pub fn check_prefer(prefer: &[String], ids: &[&str]) -> Result<(), (usize, String)> {
        for (i, id) in prefer.iter().enumerate() {
            if !ids.contains(&id.as_str()) {
                return Err((
                    i,
                    format!(
                        "'{id}' is not the id of an input; the inputs are {}",
                        ids.join(", ")
                    ),
                ));
            }
            if prefer[..i].contains(id) {
                return Err((i, format!("'{id}' is listed twice")));
            }
        }
        Ok(())
    }

    /// A tolerance as given (default 0.5%): from 0 (exact) to below 1.
    pub fn check_tolerance(tolerance: Option<f64>) -> Result<f64, String> {
        match tolerance {
            None => Ok(DEFAULT_TOLERANCE),
            Some(t) if (0.0..1.0).contains(&t) => Ok(t),
            Some(t) => Err(format!(
                "{t}: expected a relative difference from 0 (exact) to below 1, e.g. 0.005 for 0.5%"
            )),
        }
    }

    /// The rank of an input in `prefer` (`None`: not listed).
    fn rank(&self, id: &str) -> Option<usize> {
        self.prefer.iter().position(|p| p == id)
    }
}

/// Within one input, several rows of one key with different values.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Conflict {
    /// Every row of the key rejected, each naming the others (the default).
    #[default]
    Reject,
    /// The last row (a corrected figure appended later) wins; the others are superseded.
    Last,
}

impl Conflict {
    pub fn parse(text: &str) -> Result<Conflict, String> {
        match text {
            "reject" => Ok(Conflict::Reject),
            "last" => Ok(Conflict::Last),
            other => Err(format!("'{other}': expected \"reject\" or \"last\"")),
        }
    }
}

/// An input row that gave a value for a key whose kept observation came from another row:
/// a row of `superseded.csv`.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Superseded {
    pub file: String,
    pub sheet: Option<String>,
    pub row: u32,
    /// "seizures KAZ heroin 2018 kg" (series then period).
    pub key: String,
    pub value: f64,
    pub kept_value: f64,
    /// "data/unodc.xlsx row 45".
    pub kept_source: String,
    /// Why this row lost: the merge rule that decided.
    pub why: String,
}

/// One parsed record before the key checks.
pub struct Record {
    /// Position of its input among the files read (its `FileSummary`).
    pub file_index: u32,
    /// The row of its input it stands for (of an observation table: its row there).
    pub row: u32,
    pub entry: Entry,
    pub line_items: LineItems,
}

impl Record {
    pub fn new(file_index: usize, row: u32, entry: Entry, line_items: LineItems) -> Record {
        Record {
            file_index: u32::try_from(file_index).unwrap_or(u32::MAX),
            row,
            entry,
            line_items,
        }
    }
}

/// A record of a key that several records give, while the key is settled: the rows summed
/// into it and what the merge appends to its source.
struct Candidate {
    /// Position of its input among the files read (its `FileSummary`).
    file_index: usize,
    row: u32,
    /// The rows of line items summed into it, after `row`.
    summed: Vec<u32>,
    entry: Entry,
    line_items: LineItems,
    /// "| also ...", "| over ...".
    lineage: String,
}

impl From<Record> for Candidate {
    fn from(r: Record) -> Candidate {
        Candidate {
            file_index: r.file_index as usize,
            row: r.row,
            summed: Vec::new(),
            entry: r.entry,
            line_items: r.line_items,
            lineage: String::new(),
        }
    }
}

impl Candidate {
    /// Input rows it stands for.
    fn count(&self) -> u64 {
        1 + self.summed.len() as u64
    }

    fn rows(&self) -> impl Iterator<Item = u32> + '_ {
        std::iter::once(self.row).chain(self.summed.iter().copied())
    }

    /// Its source text, with what the merge appended.
    fn source(&self, strings: &Strings) -> String {
        format!("{}{}", strings.get(self.entry.source), self.lineage)
    }

    /// The input rows of its lineage, `;`-joined.
    fn source_rows(&self, strings: &Strings) -> String {
        let mut text = self.entry.source_rows(strings);
        for row in &self.summed {
            text.push(';');
            text.push_str(&row.to_string());
        }
        text
    }

    /// "data/unodc.xlsx row 45".
    fn place(&self, strings: &Strings) -> String {
        format!(
            "{} row {}",
            strings.get(self.entry.source_file),
            self.source_rows(strings)
        )
    }
}

/// What settling keys writes besides the observations.
struct Sink<'a> {
    strings: &'a Strings,
    files: &'a mut [FileSummary],
    rejects: &'a mut Vec<Reject>,
    superseded: &'a mut Vec<Superseded>,
}

/// What the key checks need of each input, by file index.
pub struct InputRule {
    pub id: String,
    pub conflict: Conflict,
}

impl InputRule {
    pub fn of(input: &super::InputFile) -> InputRule {
        InputRule {
            id: input.id.clone(),
            conflict: input.options.conflict,
        }
    }
}

/// Resolves every key of `records` (in input order) into `out`: observations, rejects,
/// superseded rows and each file's counts. Fails when inputs conflict and `merge` does not
/// say which wins. Records are grouped by their keys' ids, sorted so that keys come in the
/// order of their texts (the order rejects and superseded rows are listed in).
pub fn resolve_keys(
    records: Vec<Record>,
    rules: &[InputRule],
    merge: &Merge,
    out: &mut Ingested,
) -> Result<(), Error> {
    // Stable: a key's records stay in input order.
    let mut records = records;
    let ranks = out.observations.strings.ranks();
    records.par_sort_by_cached_key(|r| r.entry.key().ranked(&ranks));
    drop(ranks);
    let mut kept: Vec<Entry> = Vec::with_capacity(records.len());
    // Kept entries whose source or rows the merge rewrote: (index in `kept`, texts).
    let mut rewritten: Vec<(usize, Option<String>, Option<String>)> = Vec::new();
    let mut conflicts: BTreeMap<(usize, usize), (u64, Vec<String>)> = BTreeMap::new();
    let mut conflicting_keys: std::collections::BTreeSet<String> =
        std::collections::BTreeSet::new();
    let mut sink = Sink {
        strings: &out.observations.strings,
        files: &mut out.files,
        rejects: &mut out.rejects,
        superseded: &mut out.superseded,
    };
    let mut records = records.into_iter().peekable();
    while let Some(first) = records.next() {
        let key = first.entry.key();
        if records.peek().is_none_or(|next| next.entry.key() != key) {
            // One row of its key: kept as it is (the common case).
            let summary = &mut sink.files[first.file_index as usize];
            summary.kept += 1;
            summary.observations += 1;
            kept.push(first.entry);
            continue;
        }
        let mut group = vec![Candidate::from(first)];
        while let Some(next) = records.next_if(|next| next.entry.key() == key) {
            group.push(next.into());
        }
        let key_text = key_text(&group[0].entry.key().resolve(sink.strings));
        // One candidate per input: its line items summed, its own duplicates and
        // conflicts settled.
        let mut candidates: Vec<Candidate> = Vec::new();
        let mut by_file: BTreeMap<usize, Vec<Candidate>> = BTreeMap::new();
        for record in group {
            by_file.entry(record.file_index).or_default().push(record);
        }
        for (file_index, rows) in by_file {
            let rule = &rules[file_index];
            if let Some(candidate) = within_file(rows, rule, &key_text, &mut sink) {
                candidates.push(candidate);
            }
        }
        let Some(winner) = candidates
            .iter()
            .enumerate()
            .min_by_key(|(i, c)| {
                (
                    merge.rank(&rules[c.file_index].id).unwrap_or(usize::MAX),
                    *i,
                )
            })
            .map(|(i, _)| i)
        else {
            continue;
        };
        let mut keep = candidates.remove(winner);
        let kept_rank = merge.rank(&rules[keep.file_index].id);
        let kept_source = keep.place(sink.strings);
        let summary = &mut sink.files[keep.file_index];
        summary.kept += keep.count();
        summary.line_items_summed += keep.count() - 1;
        summary.observations += 1;
        let mut cited = vec![keep.source(sink.strings)];
        for other in candidates {
            let (a, b) = (keep.entry.value, other.entry.value);
            if a == b {
                duplicate(&mut keep, &other, &mut cited, &mut sink);
                continue;
            }
            let (kept_id, other_id) = (&rules[keep.file_index].id, &rules[other.file_index].id);
            let first = if kept_rank.is_some() {
                "first in [merge] prefer"
            } else {
                "first in input order"
            };
            let why = if (a - b).abs() <= merge.tolerance * a.abs().max(b.abs()) {
                format!(
                    "the same figure within the tolerance ({}%) as input '{kept_id}', {first}",
                    percent(merge.tolerance)
                )
            } else if same_when_rounded(a, b) {
                format!("the same figure, rounded to fewer decimals, as input '{kept_id}', {first}")
            } else if kept_rank.is_some() {
                format!("[merge] prefer puts input '{kept_id}' before '{other_id}'")
            } else {
                let pair = (keep.file_index, other.file_index);
                let entry = conflicts.entry(pair).or_default();
                entry.0 += 1;
                conflicting_keys.insert(key_text.clone());
                if entry.1.len() < CONFLICT_EXAMPLES {
                    entry.1.push(format!(
                        "{key_text}: {kept_source} {a}, {} {b}",
                        other.place(sink.strings)
                    ));
                }
                continue;
            };
            supersede(&mut keep, &other, &key_text, &why, &mut sink);
        }
        let source = (!keep.lineage.is_empty()).then(|| keep.source(sink.strings));
        let rows = (!keep.summed.is_empty()).then(|| keep.source_rows(sink.strings));
        if source.is_some() || rows.is_some() {
            rewritten.push((kept.len(), source, rows));
        }
        kept.push(keep.entry);
    }
    let table = &mut out.observations;
    for (i, source, rows) in rewritten {
        if let Some(source) = source {
            kept[i].source = table.strings.id(&source);
        }
        if let Some(rows) = rows {
            kept[i].source_rows = Some(table.strings.id(&rows));
        }
    }
    table.entries = kept;
    if conflicts.is_empty() {
        return Ok(());
    }
    let total = conflicting_keys.len();
    let pairs: Vec<String> = conflicts
        .iter()
        .map(|((a, b), (n, examples))| {
            format!(
                "inputs '{}' ({}) and '{}' ({}): {n} key(s), e.g. {}",
                rules[*a].id,
                out.files[*a].file,
                rules[*b].id,
                out.files[*b].file,
                examples.join("; ")
            )
        })
        .collect();
    let ids: Vec<String> = rules.iter().map(|r| format!("\"{}\"", r.id)).collect();
    Err(Error::Conflict(format!(
        "{total} key(s) have different values in two inputs, beyond the tolerance ({}%): {}. Say which input wins with [merge] prefer = [{}] (first listed wins; reorder as needed; `routetrend ingest --prefer {}`), or widen [merge] tolerance",
        percent(merge.tolerance),
        pairs.join(" | "),
        ids.join(", "),
        rules.iter().map(|r| r.id.as_str()).collect::<Vec<_>>().join(",")
    )))
}

/// A relative tolerance in percent, as people write it: 0.005 -> "0.5", 0.007 -> "0.7".
fn percent(tolerance: f64) -> String {
    let text = format!("{:.6}", tolerance * 100.0);
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Whether one value is the other rounded (half away from zero) to its own decimals, with
/// at least two significant digits: 59 and 58.61 (58.61 to 0 decimals is 59), 58.6 and
/// 58.61; not 58 and 58.61, nor 1 and 0.6 (one significant digit says too little).
/// Decimals are those of each value's shortest decimal form, the form the source printed.
fn same_when_rounded(a: f64, b: f64) -> bool {
    let decimals = |x: f64| {
        let text = x.to_string();
        text.split_once('.').map_or(0, |(_, d)| d.len())
    };
    let places = decimals(a).min(decimals(b));
    let Ok(exponent) = i32::try_from(places) else {
        return false;
    };
    let scale = 10f64.powi(exponent);
    let (ra, rb) = ((a * scale).round(), (b * scale).round());
    ra == rb && ra.abs() >= 10.0
}

/// `other` has the kept value: an exact duplicate. A duplicate that cites another source
/// keeps its citation in the lineage (`cited`: the citations named so far).
fn duplicate(keep: &mut Candidate, other: &Candidate, cited: &mut Vec<String>, sink: &mut Sink) {
    sink.files[other.file_index].exact_duplicates += other.count();
    let source = other.source(sink.strings);
    if !cited.contains(&source) {
        keep.lineage
            .push_str(&format!(" | also {}: {source}", other.place(sink.strings)));
        cited.push(source);
    }
}

/// "seizures KAZ heroin 2018 kg" (dimension and category when present).
pub(super) fn key_text(key: &ObservationKey) -> String {
    let mut parts = vec![key.indicator.as_str(), key.geo.as_str()];
    parts.extend(
        [&key.drug, &key.dimension, &key.category]
            .into_iter()
            .flatten()
            .map(String::as_str),
    );
    let period = key.period.to_string();
    parts.push(&period);
    parts.push(key.unit.code());
    parts.join(" ")
}

fn supersede(keep: &mut Candidate, record: &Candidate, key_text: &str, why: &str, sink: &mut Sink) {
    let kept_source = keep.place(sink.strings);
    let summary: &mut FileSummary = &mut sink.files[record.file_index];
    for row in record.rows() {
        summary.superseded += 1;
        sink.superseded.push(Superseded {
            file: summary.file.clone(),
            sheet: summary.sheet.clone(),
            row,
            key: key_text.to_string(),
            value: record.entry.value,
            kept_value: keep.entry.value,
            kept_source: kept_source.clone(),
            why: why.to_string(),
        });
    }
    keep.lineage.push_str(&format!(
        " | over {}: {}",
        record.place(sink.strings),
        record.entry.value
    ));
}

/// One input's rows of one key -> its one candidate, or none when its rows conflict and
/// are rejected.
fn within_file(
    rows_of_key: Vec<Candidate>,
    rule: &InputRule,
    key_text: &str,
    sink: &mut Sink,
) -> Option<Candidate> {
    let mut merged: Vec<Candidate> = Vec::new();
    for record in rows_of_key {
        let sums = record.line_items == LineItems::Sum;
        match merged.first_mut().filter(|_| sums) {
            Some(m) => {
                m.entry.value = decimal_sum(&[m.entry.value, record.entry.value]);
                m.summed.push(record.entry.source_row);
                m.summed.extend(record.summed);
            }
            None => merged.push(record),
        }
    }
    let last_value = merged.last()?.entry.value;
    let all_equal = merged.iter().all(|r| r.entry.value == last_value);
    if all_equal || rule.conflict == Conflict::Last {
        // Equal rows keep the first; a corrected row appended later is the last.
        let mut keep = if all_equal {
            merged.remove(0)
        } else {
            merged.pop()?
        };
        let mut cited = vec![keep.source(sink.strings)];
        for earlier in merged {
            if earlier.entry.value == last_value {
                duplicate(&mut keep, &earlier, &mut cited, sink);
            } else {
                supersede(
                    &mut keep,
                    &earlier,
                    key_text,
                    "a later row of the same input (conflict = \"last\")",
                    sink,
                );
            }
        }
        return Some(keep);
    }
    let strings = sink.strings;
    let places: Vec<String> = merged
        .iter()
        .map(|r| format!("{} ({})", r.place(strings), r.entry.value))
        .collect();
    for record in merged {
        let e = &record.entry;
        let own = format!("{} ", record.place(strings));
        let others: Vec<&str> = places
            .iter()
            .filter(|p| !p.starts_with(&own))
            .map(String::as_str)
            .collect();
        let reason = format!(
            "duplicate key ({} {} {} {}) with a different value in {}",
            strings.get(e.indicator),
            strings.get(e.geo),
            e.drug.map_or("-", |d| strings.get(d)),
            e.period,
            others.join(", ")
        );
        let summary = &mut sink.files[record.file_index];
        for row in record.rows() {
            summary.rejected += 1;
            sink.rejects.push(Reject {
                file: summary.file.clone(),
                sheet: summary.sheet.clone(),
                row,
                column: "value".into(),
                value: e.value.to_string(),
                reason: reason.clone(),
                missing: false,
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{percent, same_when_rounded};

    #[test]
    fn tolerances_read_as_people_write_them() {
        assert_eq!(percent(0.005), "0.5");
        assert_eq!(percent(0.007), "0.7");
        assert_eq!(percent(0.0), "0");
        assert_eq!(percent(0.1), "10");
    }

    #[test]
    fn a_value_rounded_to_the_others_decimals_is_the_same_figure() {
        // Kazakhstan heroin 2018: 58.61 kg in the ARQ file, 59 in the UNODC export.
        assert!(same_when_rounded(59.0, 58.61));
        assert!(same_when_rounded(58.61, 59.0));
        assert!(same_when_rounded(58.6, 58.61));
        assert!(!same_when_rounded(58.0, 58.61));
        assert!(!same_when_rounded(58.7, 58.61));
        assert!(!same_when_rounded(1200.0, 1234.0));
        // Half away from zero, as a spreadsheet prints it.
        assert!(same_when_rounded(59.0, 58.5));
        // One significant digit is not enough to call two values one figure.
        assert!(!same_when_rounded(1.0, 0.6));
        assert!(!same_when_rounded(0.0, 0.4));
        assert!(same_when_rounded(1.2, 1.24));
    }
}
